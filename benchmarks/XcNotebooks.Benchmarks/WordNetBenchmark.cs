using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Data.WordNet;
using XcNotebooks.Metrics;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Issue 16 §2: every method on the WordNet noun hypernym set (82k synsets, 16,897 classes, the real class hierarchy),
/// whole process against whole process: each row is one process (`xcn ...` reads, trains, predicts the test split and
/// writes its report; LIBLINEAR and fastText are their train and predict processes) run under /usr/bin/time for wall
/// seconds and peak resident memory. Columns: P@1, P@5, PSP@5 (A = 0.55, B = 1.5, propensities from the training
/// labels), train seconds, predict µs/point, model bytes, peak memory.
/// Usage: wordnet [--dict DIR] [--work DIR] [--classes N] [--only name,name] [--skip name,name] [--timeout S] [--out FILE.md]
/// (--classes N: a seeded random sample of N classes and their points, `xcn data wordnet --label-sample N`, for machines
/// where the whole set takes too long; the data set is built once per N in the work folder).
/// </summary>
internal static class WordNetBenchmark
{
    private sealed record Row(string Method, string Command, double P1, double P5, double Psp5, double TrainSeconds,
        double PredictMicroseconds, long ModelBytes, long PeakBytes, double WallSeconds, string Note);

    internal sealed record Timed(double Seconds, long PeakBytes, bool TimedOut, double CpuSeconds = double.NaN);

    public static int Run(string[] args)
    {
        string dict = WordNetDatasets.DebianDictionary, work = Path.Combine(Path.GetTempPath(), "xcn-wordnet-bench");
        string? output = null;
        HashSet<string>? only = null;
        var skip = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int timeout = 1800;
        int? classes = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dict": dict = args[++i]; break;
                case "--work": work = args[++i]; break;
                case "--out": output = args[++i]; break;
                case "--only": only = args[++i].Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase); break;
                case "--skip": skip.UnionWith(args[++i].Split(',')); break;
                case "--classes": classes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--timeout": timeout = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"wordnet: unknown argument {args[i]}"); return 2;
            }
        }
        var xcn = LinearBenchmark.FindXcn();
        if (xcn is null || !File.Exists("/usr/bin/time"))
        {
            Console.Error.WriteLine(xcn is null ? "wordnet: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release)" : "wordnet: /usr/bin/time is missing (apt-get install time)");
            return 2;
        }

        // The data set, as `xcn data wordnet` writes it (built once into the work folder).
        work = Path.Combine(work, classes is { } c ? $"classes-{c}" : "all");
        Directory.CreateDirectory(work);
        var stem = Path.Combine(work, "wordnet-noun-hypernym");
        if (!File.Exists(stem + ".test.jsonl"))
        {
            var clock = Stopwatch.StartNew();
            WordNetDatasets.Write(WordNetDatasets.Build(dict, new WordNetDatasetOptions { LabelSample = classes }, TrainingMonitor.Console), work);
            Console.WriteLine($"built the data set in {clock.Elapsed.TotalSeconds:F0} s");
        }
        var names = File.ReadAllLines(Path.Combine(work, "labels.txt"));
        var test = JsonLinesFormat.Read(stem + ".test.jsonl", new JsonLinesOptions { LabelVocabulary = names });
        var train = JsonLinesFormat.Read(stem + ".train.jsonl", new JsonLinesOptions { LabelVocabulary = names });
        var inversePropensity = Propensity.Inverse(train.Labels);
        int n = test.NumPoints;
        Console.WriteLine($"{train}\n{test}");

        string trainFile = stem + ".train.txt", testFile = stem + ".test.txt", hierarchy = Path.Combine(work, "hierarchy-ids.edgelist");
        var xcnRuns = new (string Name, string Method, string Arguments)[]
        {
            ("popularity", "popularity (most frequent training classes)", "baseline --kind popularity"),
            ("knn", "kNN (cosine, 10 neighbours, similarity votes)", "baseline --kind knn"),
            ("parabel", "Parabel-style label tree (leaves <= 100 labels, beam 10)", "baseline --kind parabel"),
            ("wltls-b2-random", "W-LTLS b = 2, random assignment (AROW, 5 epochs)", "wltls --slice-width 2 --path-assignment random"),
            ("wltls-b2-similarity", "W-LTLS b = 2, similarity assignment from the WordNet hierarchy", $"wltls --slice-width 2 --path-assignment similarity --hierarchy {hierarchy}"),
            ("wltls-b16-random", "W-LTLS b = 16, random assignment (AROW, 5 epochs)", "wltls --slice-width 16 --path-assignment random"),
            ("wltls-b16-similarity", "W-LTLS b = 16, similarity assignment from the WordNet hierarchy", $"wltls --slice-width 16 --path-assignment similarity --hierarchy {hierarchy}"),
            ("dsnc", "DSNC (linear encoder, code lookup, 3 epochs)", "dsnc --epochs 3 --backend Cpu"),
            ("ovr", "one-vs-rest L2-SVM dual CD (= LIBLINEAR -s 1, defaults)", "baseline --kind ovr --learner svm"),
            // The text methods read the JSON lines splits; label-texts.txt beside them gives the label texts.
            ("dexa", "DEXA (defaults: label texts, classifiers, tree fusion fitted on the held-out split)", $"dexa --backend Cpu --heldout {stem}.heldout.jsonl"),
            ("dexml", "DEXML (defaults: DecoupledSoftmax, label pool by label count)", $"dexml --backend Cpu --heldout {stem}.heldout.jsonl"),
        };
        bool Wanted(string name) => (only is null || only.Contains(name)) && !skip.Contains(name);
        var rows = new List<Row>();
        foreach (var (name, method, arguments) in xcnRuns.Where(r => Wanted(r.Name)))
        {
            string report = Path.Combine(work, $"report-{name}.json");
            File.Delete(report);
            bool text = name is "dexa" or "dexml";
            string trainInput = text ? stem + ".train.jsonl" : trainFile, testInput = text ? stem + ".test.jsonl" : testFile;
            string command = $"xcn {arguments} --train {trainInput} --test {testInput} --topk 5 --report {report}";
            var timed = Time("dotnet", $"{xcn} {arguments} --train {trainInput} --test {testInput} --topk 5 --report {report}", work, timeout);
            if (timed.TimedOut || !File.Exists(report))
            {
                rows.Add(Print(new Row(method, command, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, timed.PeakBytes, timed.Seconds,
                    timed.TimedOut ? $"stopped after {timeout} s" : "failed")));
                continue;
            }
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            var root = json.RootElement;
            var metrics = root.GetProperty("metrics");
            double Metric(string key) => metrics.TryGetProperty(key, out var v) ? v.GetDouble() : double.NaN; // W-LTLS and DSNC reports have no PSP
            rows.Add(Print(new Row(method, command, Metric("P@1"), Metric("P@5"), Metric("PSP@5"),
                root.GetProperty("trainSeconds").GetDouble(), root.GetProperty("predictSeconds").GetDouble() * 1e6 / n,
                root.GetProperty("modelBytes").GetInt64(), timed.PeakBytes, timed.Seconds, "")));
        }
        if (Wanted("fasttext")) rows.Add(Print(FastText(work, stem, train, test, inversePropensity, timeout)));
        if (Wanted("liblinear")) rows.Add(Print(Liblinear(work, stem, test, timeout)));

        var lines = Table(rows, n, names.Length);
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    /// <summary>fastText supervised with hierarchical softmax: "__label__ID words" lines, lower-cased, punctuation as spaces.</summary>
    private static Row FastText(string work, string stem, Dataset train, Dataset test, double[] inversePropensity, int timeout)
    {
        string trainFt = stem + ".train.ft", testFt = stem + ".test.ft", model = Path.Combine(work, "fasttext");
        WriteFastText(trainFt, train);
        WriteFastText(testFt, test);
        const string options = "-loss hs -epoch 25 -lr 0.5 -dim 100 -minCount 1 -thread 2";
        string command = $"fasttext supervised -input {trainFt} -output {model} {options}; fasttext predict {model}.bin {testFt} 5";
        var trained = Time("fasttext", $"supervised -input {trainFt} -output {model} {options}", work, timeout);
        if (trained.TimedOut) return new Row("fastText -loss hs", command, double.NaN, double.NaN, double.NaN, trained.Seconds, double.NaN, 0, trained.PeakBytes, trained.Seconds, $"stopped after {timeout} s");
        string predictions = Path.Combine(work, "fasttext.predictions");
        var predicted = Time("/bin/sh", $"-c \"fasttext predict {model}.bin {testFt} 5 > {predictions}\"", work, timeout);
        var lines = File.ReadAllLines(predictions);
        if (lines.Length != test.NumPoints) throw new InvalidOperationException($"fastText predicted {lines.Length} lines for {test.NumPoints} points");
        var labels = new int[test.NumPoints * 5];
        Array.Fill(labels, -1);
        for (int i = 0; i < lines.Length; i++)
        {
            var top = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int k = 0; k < Math.Min(5, top.Length); k++) labels[i * 5 + k] = int.Parse(top[k]["__label__".Length..], CultureInfo.InvariantCulture);
        }
        var scores = Enumerable.Range(0, labels.Length).Select(j => (float)(5 - j % 5)).ToArray();
        var metrics = XcMetrics.Evaluate(test.Labels, new TopKPredictions(test.NumPoints, 5, labels, scores), 5, inversePropensity);
        return new Row("fastText -loss hs (25 epochs, lr 0.5, dim 100)", command, metrics.P(1) * 100, metrics.P(5) * 100, metrics.Psp(5) * 100,
            trained.Seconds, predicted.Seconds * 1e6 / test.NumPoints, new FileInfo(model + ".bin").Length,
            Math.Max(trained.PeakBytes, predicted.PeakBytes), trained.Seconds + predicted.Seconds, "times are whole processes");
    }

    private static void WriteFastText(string path, Dataset data)
    {
        using var w = new StreamWriter(path);
        for (int i = 0; i < data.NumPoints; i++)
        {
            var text = new StringBuilder();
            foreach (char c in data.Texts![i]) text.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
            w.Write(string.Join(' ', data.Labels.LabelsOf(i).ToArray().Select(l => $"__label__{l}")));
            w.Write(' ');
            w.Write(string.Join(' ', text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            w.Write('\n');
        }
    }

    /// <summary>LIBLINEAR -s 1 (L2-loss SVM, dual) one-vs-rest on the same TF-IDF rows (LIBSVM file): top-1 only.</summary>
    private static Row Liblinear(string work, string stem, Dataset test, int timeout)
    {
        string model = Path.Combine(work, "liblinear.model"), predictions = Path.Combine(work, "liblinear.predictions");
        string command = $"liblinear-train -s 1 -q {stem}.train.svm {model}; liblinear-predict {stem}.test.svm {model} {predictions}";
        var trained = Time("liblinear-train", $"-s 1 -q {stem}.train.svm {model}", work, timeout);
        if (trained.TimedOut) return new Row("LIBLINEAR -s 1", command, double.NaN, double.NaN, double.NaN, trained.Seconds, double.NaN, 0, trained.PeakBytes, trained.Seconds, $"stopped after {timeout} s");
        var predicted = Time("liblinear-predict", $"{stem}.test.svm {model} {predictions}", work, timeout);
        var top1 = File.ReadAllLines(predictions).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        double accuracy = XcMetrics.Accuracy(test.Labels, top1) * 100;
        return new Row("LIBLINEAR -s 1 (one-vs-rest L2-SVM)", command, accuracy, double.NaN, double.NaN, trained.Seconds,
            predicted.Seconds * 1e6 / test.NumPoints, new FileInfo(model).Length, Math.Max(trained.PeakBytes, predicted.PeakBytes),
            trained.Seconds + predicted.Seconds, "top-1 only; times are whole processes");
    }

    /// <summary>
    /// Runs a process under /usr/bin/time: wall seconds, peak resident bytes and CPU seconds; killed after
    /// <paramref name="timeout"/> s. With <paramref name="lockFile"/>, under `flock` on it first (big runs one at a time
    /// on a shared machine; /usr/bin/time starts once the lock is held, so waiting is not timed).
    /// </summary>
    internal static Timed Time(string program, string arguments, string work, int timeout, string? lockFile = null)
    {
        // A file of this call's own: /usr/bin/time opens it when it starts, so a shared name lets a second run in the
        // same folder delete or truncate the first run's figures.
        string timeFile = Path.Combine(work, $"time-{Guid.NewGuid():N}.txt");
        string timed = $"-f \"%e %M %U %S\" -o {timeFile} {program} {arguments}";
        var start = new ProcessStartInfo(lockFile is null ? "/usr/bin/time" : "flock", lockFile is null ? timed : $"{lockFile} /usr/bin/time {timed}")
        { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Timed(clock.Elapsed.TotalSeconds, 0, true);
        }
        if (process.ExitCode != 0) Console.Error.WriteLine($"{program} {arguments} failed ({process.ExitCode}): {stderr.Result}{stdout.Result[Math.Max(0, stdout.Result.Length - 2000)..]}");
        var lines = File.ReadAllLines(timeFile);
        File.Delete(timeFile);
        if (lines.Length == 0) throw new InvalidOperationException($"/usr/bin/time wrote nothing for {program} {arguments}");
        var parts = lines.Last().Split(' ');
        return new Timed(double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024, false,
            parts.Length >= 4 ? double.Parse(parts[2], CultureInfo.InvariantCulture) + double.Parse(parts[3], CultureInfo.InvariantCulture) : double.NaN);
    }

    private static Row Print(Row r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Method,-64} P@1 {r.P1:F2}  P@5 {r.P5:F2}  PSP@5 {r.Psp5:F2}  train {r.TrainSeconds:F1} s  predict {r.PredictMicroseconds:F0} µs/point  model {r.ModelBytes / 1e6:F1} MB  peak {r.PeakBytes / 1e6:F0} MB  wall {r.WallSeconds:F0} s {r.Note}"));
        return r;
    }

    private static List<string> Table(List<Row> rows, int testPoints, int numLabels)
    {
        static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            $"WordNet 3.0 noun hypernyms, test split ({testPoints:N0} points, {numLabels:N0} classes). P@k, PSP@k in %; train s and predict µs/point as each method reports them (fastText, LIBLINEAR: their whole train and predict processes); peak = the largest resident memory of the method's processes; wall = the whole process(es): read, train, predict, write.",
            "",
            "| method | P@1 | P@5 | PSP@5 | train s | predict µs/point | model MB | peak memory MB | wall s | note |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        };
        foreach (var r in rows)
            lines.Add($"| {r.Method} | {F(r.P1, "F2")} | {F(r.P5, "F2")} | {F(r.Psp5, "F2")} | {F(r.TrainSeconds, "F1")} | {F(r.PredictMicroseconds, "F0")} | " +
                $"{F(r.ModelBytes / 1e6, "F1")} | {F(r.PeakBytes / 1e6, "F0")} | {F(r.WallSeconds, "F0")} | {r.Note} |");
        lines.Add("");
        lines.Add("Commands (in the work folder; xcn = dotnet src/XcNotebooks.Cli/bin/Release/net10.0/xcn.dll):");
        lines.Add("");
        foreach (var r in rows) lines.Add($"- {r.Method}: `{r.Command}`");
        return lines;
    }
}
