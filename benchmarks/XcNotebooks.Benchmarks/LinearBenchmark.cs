using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// The kit's one-vs-rest linear learners against LIBLINEAR (Debian's liblinear-tools) in the same run.
/// Multi-class (sector; ImCLEF07A's 80 dense features on its leaf classes, min-max scaled to [0, 1] from the training
/// split as svm-scale -l 0 -u 1 would): whole process against whole process, `liblinear-train -s 1 [-B 1]` +
/// `liblinear-predict` against `xcn baseline --kind ovr` on the same LIBSVM files; accuracy and wall seconds, best of
/// --repeat runs. Multi-label (bibtex, enron; LIBLINEAR has no multi-label mode): the kit in process, P@k and PSP@k
/// (A = 0.55, B = 1.5), train seconds and predict microseconds per point; AROW one-vs-rest is the in-run baseline.
/// Scale: prediction at 10^4 labels on the synthetic generator, the Parabel-style tree against one-vs-rest.
/// Usage: linear [shared/data folder] [--repeat N] [--only multiclass|multilabel|scale] [--out FILE.md]
/// </summary>
internal static class LinearBenchmark
{
    private sealed record ProcessRow(string Data, string Method, double Accuracy, double TrainSeconds, double PredictSeconds);

    private sealed record ModelRow(string Data, string Method, MetricReport Metrics, double TrainSeconds, double PredictMicroseconds, long ModelBytes);

    public static int Run(string[] args)
    {
        string? shared = null, only = null, output = null;
        int repeat = 2;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i].ToLowerInvariant(); break;
                case "--out": output = args[++i]; break;
                default: shared = args[i]; break;
            }
        }
        shared ??= DexaBenchmark.FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("linear needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        var lines = new List<string>();
        if (only is null or "multiclass")
        {
            var rows = MultiClass(shared, repeat);
            if (rows is null) return 2;
            lines.AddRange(ProcessTable(rows));
            lines.Add("");
        }
        if (only is null or "multilabel")
        {
            lines.AddRange(ModelTable(MultiLabel(shared), "AROW"));
            lines.Add("");
        }
        if (only is null or "scale")
        {
            lines.AddRange(ModelTable(Scale(10_000), "one-vs-rest"));
            lines.Add("");
        }
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    private static List<ProcessRow>? MultiClass(string shared, int repeat)
    {
        const string train = "/usr/bin/liblinear-train", predict = "/usr/bin/liblinear-predict";
        var xcn = FindXcn();
        if (!File.Exists(train) || xcn is null)
        {
            Console.Error.WriteLine(xcn is null
                ? "linear: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release): its xcn.dll is run as a process"
                : "linear: liblinear-train is missing (apt-get install liblinear-tools)");
            return null;
        }
        var rows = new List<ProcessRow>();
        var sets = new (string Name, Func<DataSplits> Load)[]
        {
            ("sector", () => LibSvmFormat.ReadPdSparse(Path.Combine(shared, "sector", "sector"))),
            ("ImCLEF07A", () => ScaledLeafClasses(Path.Combine(shared, "hmc", "ImCLEF07A_Train.arff"), Path.Combine(shared, "hmc", "ImCLEF07A_Test.arff"))),
        };
        foreach (var (name, load) in sets)
        {
            var data = load();
            var dir = Directory.CreateTempSubdirectory("xcn-linear").FullName;
            try
            {
                string trainFile = Path.Combine(dir, "train.svm"), testFile = Path.Combine(dir, "test.svm");
                LibSvmFormat.Write(trainFile, data.Train);
                LibSvmFormat.Write(testFile, data.Test);
                var truth = File.ReadLines(testFile).Select(l => l[..l.IndexOf(' ')]).ToArray();
                Console.WriteLine($"{name}: {data.Train.NumPoints:N0} train / {data.Test.NumPoints:N0} test points, {data.Train.NumFeatures:N0} features, {data.Train.NumLabels} classes");
                foreach (string bias in new[] { "", " -B 1" })
                {
                    string model = Path.Combine(dir, "model"), predictions = Path.Combine(dir, "predictions");
                    double trainSeconds = Best(repeat, () => Exec(train, $"-s 1{bias} -q {trainFile} {model}"));
                    double predictSeconds = Best(repeat, () => Exec(predict, $"{testFile} {model} {predictions}"));
                    var predicted = File.ReadAllLines(predictions);
                    double accuracy = 100.0 * predicted.Zip(truth).Count(p => p.First == p.Second) / truth.Length;
                    rows.Add(Print(new ProcessRow(name, $"liblinear-train -s 1{bias}", accuracy, trainSeconds, predictSeconds)));
                }
                foreach (var (method, arguments) in new[]
                {
                    ("xcn ovr, L2-SVM dual CD (= -s 1)", "--bias 0 --normalize-rows false"),
                    ("xcn ovr, L2-SVM dual CD (= -s 1 -B 1)", "--bias 1 --normalize-rows false"),
                    ("xcn ovr, defaults (unit-norm rows, bias 1)", ""),
                })
                {
                    string report = Path.Combine(dir, "report.json");
                    // The CLI trains, then predicts the test split: its whole process is liblinear-train + liblinear-predict.
                    double seconds = Best(repeat, () => Exec("dotnet", $"{xcn} baseline --kind ovr --learner svm {arguments} --train {trainFile} --test {testFile} --topk 1 --report {report}"));
                    using var json = JsonDocument.Parse(File.ReadAllText(report));
                    double accuracy = json.RootElement.GetProperty("metrics").GetProperty("P@1").GetDouble();
                    rows.Add(Print(new ProcessRow(name, method, accuracy, seconds, double.NaN)));
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        return rows;
    }

    private static List<ModelRow> MultiLabel(string shared)
    {
        var rows = new List<ModelRow>();
        foreach (string name in new[] { "bibtex", "enron" })
        {
            string folder = Path.Combine(shared, name);
            var data = DatasetReader.ReadSplits(Path.Combine(folder, $"{name}_train.txt"), null, Path.Combine(folder, $"{name}_test.txt"));
            var propensity = Propensity.Inverse(data.Train.Labels, Propensity.Default.A, Propensity.Default.B);
            var svm = new OneVsRestOptions();
            var methods = new (string Method, Func<IXcModel> Train, Func<IXcModel, long> Bytes)[]
            {
                ("one-vs-rest AROW, 5 epochs, bias 1 (the old default)", () => OneVsRestLinear.Train(data.Train, new OneVsRestOptions { Learner = new BinaryLearnerOptions(), NormalizeRows = false, Bias = 1 }), Bytes),
                ("one-vs-rest L2-SVM dual CD (defaults)", () => OneVsRestLinear.Train(data.Train, svm), Bytes),
                ("one-vs-rest L2-SVM dual CD, C = 0.25", () => OneVsRestLinear.Train(data.Train, svm with { Learner = svm.Learner with { Cost = 0.25 } }), Bytes),
                ("one-vs-rest L2-SVM dual CD, DiSMEC pruning 0.01", () => OneVsRestLinear.Train(data.Train, svm with { Learner = svm.Learner with { PruneBelow = 0.01 } }), Bytes),
                ("one-vs-rest logistic dual CD, C = 4", () => OneVsRestLinear.Train(data.Train, svm with { Learner = svm.Learner with { Kind = BinaryLearnerKind.LogisticDual, Cost = 4 } }), Bytes),
                ("Parabel-style tree (defaults: leaves <= 100 labels, beam 10)", () => Parabel.Train(data.Train), Bytes),
                ("Parabel-style tree, leaves <= 16 labels", () => Parabel.Train(data.Train, new ParabelOptions { MaxLeafLabels = 16 }), Bytes),
            };
            OneVsRestLinear.Train(data.Train.SelectRows(Enumerable.Range(0, 200).ToArray()), svm); // warm-up: no JIT in the timings
            foreach (var (method, trainModel, bytes) in methods)
            {
                var clock = Stopwatch.StartNew();
                var model = trainModel();
                double trainSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                var predictions = model.TopK(data.Test, 5);
                double micro = clock.Elapsed.TotalSeconds * 1e6 / data.Test.NumPoints;
                var metrics = XcMetrics.Evaluate(data.Test.Labels, predictions, 5, propensity);
                rows.Add(Print(new ModelRow(name, method, metrics, trainSeconds, micro, bytes(model))));
            }
        }
        return rows;
    }

    private static long Bytes(IXcModel model) => model switch
    {
        OneVsRestLinear ovr => ovr.ModelBytes,
        ParabelModel parabel => parabel.ModelBytes,
        _ => 0,
    };

    /// <summary>
    /// Prediction cost at 10^4 labels (the kit's synthetic generator, multi-label): the Parabel-style tree's beam search
    /// against one-vs-rest's full scoring. One-vs-rest is trained by AROW for one epoch (its prediction costs the same
    /// whatever the learner: x^T W over every label); both predict the same test points, after a warm-up.
    /// </summary>
    private static List<ModelRow> Scale(int labels)
    {
        var data = SyntheticXc.Generate(new SyntheticXcOptions
        {
            NumLabels = labels, NumFeatures = 4000, NumTrain = 3 * labels, NumTest = 2000, MultiLabel = true, Texts = false, Seed = 1,
        });
        string name = $"synthetic {labels:N0} labels";
        Console.WriteLine($"{name}: {data.Train.NumPoints:N0} train / {data.Test.NumPoints:N0} test points, {data.Train.NumFeatures:N0} features");
        var rows = new List<ModelRow>();
        var methods = new (string Method, Func<IXcModel> Train)[]
        {
            ("one-vs-rest AROW, 1 epoch (full scoring)", () => OneVsRestLinear.Train(data.Train, new OneVsRestOptions { Learner = new BinaryLearnerOptions(), Epochs = 1 })),
            ("Parabel-style tree (defaults, beam 10)", () => Parabel.Train(data.Train)),
        };
        foreach (var (method, trainModel) in methods)
        {
            var clock = Stopwatch.StartNew();
            var model = trainModel();
            double trainSeconds = clock.Elapsed.TotalSeconds;
            model.TopK(data.Test.SelectRows(Enumerable.Range(0, 100).ToArray()), 5); // warm-up
            clock.Restart();
            var predictions = model.TopK(data.Test, 5);
            double micro = clock.Elapsed.TotalSeconds * 1e6 / data.Test.NumPoints;
            var metrics = XcMetrics.Evaluate(data.Test.Labels, predictions, 5, Propensity.Inverse(data.Train.Labels));
            rows.Add(Print(new ModelRow(name, method, metrics, trainSeconds, micro, Bytes(model))));
        }
        return rows;
    }

    /// <summary>
    /// ImCLEF07A as a multi-class task: each image's class is the deepest node of its path in the hierarchy;
    /// features min-max scaled to [0, 1] with the training split's ranges (svm-scale -l 0 -u 1; test values may leave it).
    /// </summary>
    internal static DataSplits ScaledLeafClasses(string trainPath, string testPath)
    {
        var data = ClusHmcFormat.ReadSplits(trainPath, null, testPath, new ClusHmcOptions { AddAncestors = false });
        // Each value lists the path to the image's class ("6@6/2@6/2/0"): its class is the deepest node listed.
        var names = data.Train.LabelNames ?? throw new DataFormatException(trainPath, 0, "no class names");
        int Depth(int label) => names[label].Count(c => c == '/');
        Dataset Leaves(Dataset set)
        {
            var classes = new int[set.NumPoints];
            for (int i = 0; i < set.NumPoints; i++)
            {
                var labels = set.Labels.LabelArray(i);
                if (labels.Length == 0) throw new DataFormatException(set.Name, 0, $"point {i + 1} has no class");
                int deepest = labels.Max(Depth);
                var leaves = labels.Where(l => Depth(l) == deepest).ToArray();
                if (leaves.Length != 1) throw new DataFormatException(set.Name, 0, $"point {i + 1} has {leaves.Length} deepest classes; expected one");
                classes[i] = leaves[0];
            }
            return set with { Labels = LabelMatrix.FromClasses(classes, set.NumLabels) };
        }
        data = new DataSplits(Leaves(data.Train), null, Leaves(data.Test));
        int d = data.Train.NumFeatures;
        var low = Enumerable.Repeat(float.PositiveInfinity, d).ToArray();
        var high = Enumerable.Repeat(float.NegativeInfinity, d).ToArray();
        var dense = data.Train.Features.ToDense();
        for (int i = 0; i < dense.GetLength(0); i++)
            for (int j = 0; j < d; j++)
            {
                low[j] = Math.Min(low[j], dense[i, j]);
                high[j] = Math.Max(high[j], dense[i, j]);
            }
        Dataset Scale(Dataset set)
        {
            var x = set.Features.ToDense();
            var scaled = new float[x.GetLength(0), d];
            for (int i = 0; i < x.GetLength(0); i++)
                for (int j = 0; j < d; j++)
                    scaled[i, j] = high[j] > low[j] ? (x[i, j] - low[j]) / (high[j] - low[j]) : 0;
            return set with { Features = CsrMatrix.FromDense(scaled) };
        }
        return new DataSplits(Scale(data.Train), null, Scale(data.Test));
    }

    /// <summary>The CLI's xcn.dll of a Release build above the benchmark binaries, or null.</summary>
    internal static string? FindXcn()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "XcNotebooks.Cli", "bin", "Release", "net10.0", "xcn.dll");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static double Best(int repeat, Action run)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < Math.Max(1, repeat); r++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static void Exec(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {stderr.Result}");
    }

    private static ProcessRow Print(ProcessRow r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Method,-48} accuracy {r.Accuracy:F2}  {r.TrainSeconds:F2} s"));
        return r;
    }

    private static ModelRow Print(ModelRow r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Method,-52} P@1 {r.Metrics.P(1) * 100:F2}  P@5 {r.Metrics.P(5) * 100:F2}  PSP@5 {r.Metrics.Psp(5) * 100:F2}  train {r.TrainSeconds:F2} s  predict {r.PredictMicroseconds:F1} µs/point"));
        return r;
    }

    private static IEnumerable<string> ProcessTable(List<ProcessRow> rows)
    {
        yield return "Multi-class, whole process against whole process (best of the runs). LIBLINEAR: train and predict are two processes; " +
            "xcn: one process that reads, trains, predicts the test split and writes its report. \"x LIBLINEAR\" = seconds / (liblinear-train + liblinear-predict -s 1 -B 1) in the same run.";
        yield return "";
        yield return "| data | method | accuracy | seconds | x LIBLINEAR (-B 1) |";
        yield return "| --- | --- | ---: | ---: | ---: |";
        foreach (var group in rows.GroupBy(r => r.Data))
        {
            var reference = group.First(r => r.Method.EndsWith("-B 1", StringComparison.Ordinal) && r.Method.StartsWith("liblinear", StringComparison.Ordinal));
            double baseline = reference.TrainSeconds + reference.PredictSeconds;
            foreach (var r in group)
            {
                double seconds = double.IsNaN(r.PredictSeconds) ? r.TrainSeconds : r.TrainSeconds + r.PredictSeconds;
                yield return string.Create(CultureInfo.InvariantCulture, $"| {r.Data} | {r.Method} | {r.Accuracy:F2} | {seconds:F2} | {seconds / baseline:F2} |");
            }
        }
    }

    private static IEnumerable<string> ModelTable(List<ModelRow> rows, string baselineName)
    {
        yield return $"Multi-label, in process (P@k, PSP@k with A = 0.55, B = 1.5; \"x {baselineName}\" = train seconds / the first row's, \"predict x\" = predict time / the first row's, in the same run).";
        yield return "";
        yield return $"| data | method | P@1 | P@3 | P@5 | PSP@1 | PSP@3 | PSP@5 | train s | x {baselineName} | predict µs/point | predict x | model bytes |";
        yield return "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
        foreach (var group in rows.GroupBy(r => r.Data))
        {
            double baseline = group.First().TrainSeconds, baselinePredict = group.First().PredictMicroseconds;
            foreach (var r in group)
            {
                var m = r.Metrics;
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Data} | {r.Method} | {m.P(1) * 100:F2} | {m.P(3) * 100:F2} | {m.P(5) * 100:F2} | {m.Psp(1) * 100:F2} | {m.Psp(3) * 100:F2} | {m.Psp(5) * 100:F2} | {r.TrainSeconds:F2} | {r.TrainSeconds / baseline:F2} | {r.PredictMicroseconds:F1} | {r.PredictMicroseconds / baselinePredict:F3} | {r.ModelBytes:N0} |");
            }
        }
    }
}
