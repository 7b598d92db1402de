using XcNotebooks.Methods.TwoTower;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Metrics;
using XcNotebooks.Text;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// DEXA's ablation stages (encoder only, + auxiliary vectors, + classifiers) against two baselines on the same
/// splits, accuracy and training time side by side: TF-IDF features with the one-vs-rest linear learner (AROW, the
/// kit's linear baseline; training times are reported as ratios to it), and fastText (the Debian `fasttext` binary,
/// supervised, `-loss ova` for multi-label Reuters and softmax for multi-class CLINC150; skipped with a message when
/// the binary is absent). Data: Reuters-21578 ModApte (90 topics) and CLINC150 (test split). With --seeds N, each
/// DEXA stage is trained with seeds 0..N-1 and the table gives means (and the spread of P@1); --transformer adds DEXA
/// with a small transformer encoder trained from scratch (CLINC150 only: slow on a CPU).
/// Usage: dexa [shared/data folder] [--backend auto|cpu|ilgpu] [--epochs N] [--seeds N] [--transformer]
///             [--only reuters|clinc] [--out FILE.md]
/// </summary>
internal static class DexaBenchmark
{
    private sealed record Row(string Data, string Method, MetricReport Metrics, double TrainSeconds, double PredictSeconds, double P1Spread = 0);

    public static int Run(string[] args)
    {
        string? shared = null, only = null, output = null;
        var backend = BackendKind.Auto;
        int? epochs = null;
        int seeds = 1;
        bool transformer = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--backend": backend = Enum.Parse<BackendKind>(args[++i], ignoreCase: true); break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i].ToLowerInvariant(); break;
                case "--seeds": seeds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--transformer": transformer = true; break;
                case "--out": output = args[++i]; break;
                default: shared = args[i]; break;
            }
        }
        shared ??= FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("dexa needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        var options = new DexaOptions { Backend = backend };
        if (epochs is { } e) options = options with { EncoderEpochs = e };
        var rows = new List<Row>();
        var sets = new List<(string Name, Func<DataSplits> Load, bool MultiLabel)>
        {
            ("Reuters-21578", () => TextDatasets.Reuters21578(Path.Combine(shared, "reuters21578")), true),
            ("CLINC150", () => TextDatasets.Clinc150(Path.Combine(shared, "clinc150")), false),
        };
        foreach (var (name, load, multiLabel) in sets)
        {
            if (only is not null && !name.StartsWith(only, StringComparison.OrdinalIgnoreCase)) continue;
            var data = load();
            Console.WriteLine($"== {name}: {data.Train}; test {data.Test.NumPoints:N0} points");
            var ips = Propensity.Inverse(data.Train.Labels);
            rows.Add(TfidfOneVsRest(name, data, ips));
            Print(rows[^1]);
            if (FastText(name, data, ips, multiLabel) is { } ft)
            {
                rows.Add(ft);
                Print(ft);
            }
            var log = new XcNotebooks.Core.TrainingMonitor { Log = line => { if (!line.StartsWith("Epoch")) Console.WriteLine("  " + line); } };
            var runs = Enumerable.Range(0, seeds).Select(seed => Dexa.Ablation(data, options with { Seed = seed }, log)).ToArray();
            for (int stage = 0; stage < runs[0].Rows.Count; stage++)
            {
                rows.Add(Mean(name, "DEXA " + runs[0].Rows[stage].Stage, runs.Select(r => r.Rows[stage]).ToArray()));
                Print(rows[^1]);
            }
            if (transformer && !multiLabel)
            {
                // A small transformer (d 64, 2 layers, 4 heads) for 10 M1 epochs: about 1/8 of the default's compute per token.
                var small = options with
                {
                    Encoder = TextEncoderKind.Transformer,
                    Transformer = new XcNotebooks.Encoders.TransformerEncoderOptions { Dimension = 64, Layers = 2, Heads = 4, FeedForward = 256 },
                    EncoderEpochs = 10, EncoderLearningRate = 1e-3f, EncoderCurriculum = new NgameCurriculum(4, [2, 4, 6, 8], 2),
                };
                var clock = Stopwatch.StartNew();
                using var model = Dexa.Train(data.Train, data.Heldout, small, log);
                double train = clock.Elapsed.TotalSeconds;
                clock.Restart();
                var predictions = model.TopK(data.Test, 5);
                rows.Add(new Row(name, "DEXA transformer + classifiers", XcMetrics.Evaluate(data.Test.Labels, predictions, 5, ips), train, clock.Elapsed.TotalSeconds));
                Print(rows[^1]);
            }
        }
        var table = Table(rows, options, backend, seeds);
        Console.WriteLine();
        Console.WriteLine(table);
        if (output is not null) File.WriteAllText(output, table);
        return 0;
    }

    /// <summary>Mean metrics of several seeds' runs of one stage; P1Spread is the standard deviation of P@1.</summary>
    private static Row Mean(string data, string method, IReadOnlyList<DexaAblationRow> runs)
    {
        var (metrics, spread) = MeanMetrics(runs.Select(r => r.Metrics).ToArray());
        return new Row(data, method, metrics, runs.Average(r => r.TrainSeconds), runs.Average(r => r.PredictSeconds), spread);
    }

    /// <summary>The mean of several runs' metrics (k = 1..K of the first) and the standard deviation of P@1 (0 for one run).</summary>
    internal static (MetricReport Mean, double P1Spread) MeanMetrics(IReadOnlyList<MetricReport> runs)
    {
        int k = runs[0].K;
        IReadOnlyList<double>? Avg(Func<MetricReport, IReadOnlyList<double>?> pick) =>
            pick(runs[0]) is null ? null : Enumerable.Range(0, k).Select(j => runs.Average(r => pick(r)![j])).ToArray();
        var metrics = new MetricReport(k, Avg(m => m.Precision)!, Avg(m => m.Ndcg)!, Avg(m => m.Recall)!, Avg(m => m.PropensityPrecision), Avg(m => m.PropensityNdcg));
        double mean = runs.Average(r => r.P(1));
        double spread = Math.Sqrt(runs.Sum(r => Math.Pow(r.P(1) - mean, 2)) / Math.Max(1, runs.Count - 1));
        return (metrics, runs.Count > 1 ? spread : 0);
    }

    private static Row TfidfOneVsRest(string name, DataSplits data, IReadOnlyList<double> ips)
    {
        OneVsRestLinear.Train(data.WithTfidfFeatures().Splits.Train); // warm-up: the baseline's time must not include JIT compilation
        var clock = Stopwatch.StartNew();
        var tfidf = data.WithTfidfFeatures();
        var model = OneVsRestLinear.Train(tfidf.Splits.Train);
        double train = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var predictions = model.TopK(tfidf.Splits.Test, 5);
        return new Row(name, $"TF-IDF one-vs-rest ({model.Options.Description})", XcMetrics.Evaluate(data.Test.Labels, predictions, 5, ips), train, clock.Elapsed.TotalSeconds);
    }

    /// <summary>fastText supervised on the same splits (words as the kit's word tokenizer cuts them), single thread, seeded.</summary>
    private static Row? FastText(string name, DataSplits data, IReadOnlyList<double> ips, bool multiLabel)
    {
        var binary = new[] { "/usr/bin/fasttext", "/usr/local/bin/fasttext" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            Console.WriteLine("  fastText skipped: no fasttext binary (install the Debian package: apt-get install fasttext)");
            return null;
        }
        var dir = Directory.CreateTempSubdirectory("xcn-fasttext").FullName;
        try
        {
            var words = new WordTokenizer();
            string Line(string text) => string.Join(' ', words.Tokenize(text));
            File.WriteAllLines(Path.Combine(dir, "train.txt"), Enumerable.Range(0, data.Train.NumPoints).Select(i =>
                string.Join(' ', data.Train.Labels.LabelArray(i).Select(l => $"__label__{l}")) + " " + Line(data.Train.Texts![i])));
            File.WriteAllLines(Path.Combine(dir, "test.txt"), data.Test.Texts!.Select(Line));
            var clock = Stopwatch.StartNew();
            // The fastText tutorial's text-classification settings (25 epochs, lr 0.5, word bigrams); one thread, seeded.
            Exec(binary, $"supervised -input train.txt -output model -epoch 25 -lr 0.5 -wordNgrams 2 -thread 1 -seed 1 -verbose 0 -loss {(multiLabel ? "ova" : "softmax")}", dir);
            double train = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var lines = Exec(binary, "predict-prob model.bin test.txt 5", dir).Split('\n');
            double predict = clock.Elapsed.TotalSeconds;
            var predictions = TopKPredictions.Empty(data.Test.NumPoints, 5);
            for (int i = 0; i < data.Test.NumPoints; i++)
            {
                var parts = i < lines.Length ? lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
                for (int p = 0; p + 1 < parts.Length && p / 2 < 5; p += 2)
                {
                    predictions.Labels[i * 5 + p / 2] = int.Parse(parts[p]["__label__".Length..], CultureInfo.InvariantCulture);
                    predictions.Scores[i * 5 + p / 2] = float.Parse(parts[p + 1], CultureInfo.InvariantCulture);
                }
            }
            return new Row(name, $"fastText ({(multiLabel ? "-loss ova" : "softmax")})", XcMetrics.Evaluate(data.Test.Labels, predictions, 5, ips), train, predict);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Exec(string binary, string arguments, string directory)
    {
        var start = new ProcessStartInfo(binary, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{binary} {arguments} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    private static void Print(Row r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Method,-34} P@1 {r.Metrics.P(1) * 100:F2}  P@3 {r.Metrics.P(3) * 100:F2}  P@5 {r.Metrics.P(5) * 100:F2}  PSP@1 {r.Metrics.Psp(1) * 100:F2}  train {r.TrainSeconds:F1} s"));

    private static string Table(IReadOnlyList<Row> rows, DexaOptions options, BackendKind backend, int seeds)
    {
        var lines = new List<string>
        {
            $"DEXA options: bag of embeddings d={options.BagOfEmbeddings.Dimension}, M1 {options.EncoderEpochs} epochs (batch {options.EncoderBatchSize}), " +
            $"M-IV {options.ClassifierEpochs} epochs, shortlist {options.ShortlistSize}, {options.Fusion.Kind} fusion, backend {backend}. " +
            "PSP with A = 0.55, B = 1.5. Train time includes feature extraction / tokenization; \"x OvR\" = train time / TF-IDF one-vs-rest's in the same run." +
            (seeds > 1 ? $" DEXA rows: means over seeds 0..{seeds - 1}, ± the standard deviation of P@1." : ""),
            "",
            "| data | method | P@1 | P@3 | P@5 | nDCG@3 | nDCG@5 | PSP@1 | PSP@3 | PSP@5 | train s | x OvR | predict s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var r in rows)
        {
            var m = r.Metrics;
            double baseline = rows.First(x => x.Data == r.Data).TrainSeconds;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Data} | {r.Method} | {m.P(1) * 100:F2}{(r.P1Spread > 0 ? $" ± {r.P1Spread * 100:F2}" : "")} | {m.P(3) * 100:F2} | {m.P(5) * 100:F2} | {m.NdcgAt(3) * 100:F2} | {m.NdcgAt(5) * 100:F2} | " +
                $"{m.Psp(1) * 100:F2} | {m.Psp(3) * 100:F2} | {m.Psp(5) * 100:F2} | {r.TrainSeconds:F1} | {r.TrainSeconds / baseline:F1} | {r.PredictSeconds:F2} |"));
        }
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    internal static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
