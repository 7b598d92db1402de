using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using XcNotebooks.Data.Formats;
using XcNotebooks.Synthetic;
using static XcNotebooks.Benchmarks.BenchmarkArgs;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Issue 16 §3, the scaling sweep on the generator: for L = 10^3 … 10^6 labels (10^5 features, power-law label
/// frequencies, at least one training point per label), each method as one whole `xcn` process under /usr/bin/time:
/// train seconds and predict µs/point (from its report), model bytes, peak resident memory, P@1. A method that cannot
/// run at a size says so: one-vs-rest is not started when its L x D float weights alone exceed the memory given
/// (--memory-gb), and a run that passes --timeout is stopped and reported as such. The data of each size is generated
/// once into the work folder (seed 1) and reused. Writes a markdown table (--out) and a CSV (--csv) for the notebook's
/// log-log plots.
/// `scale [--labels 1000,10000,100000,1000000] [--features 100000] [--test 5000] [--methods wltls-b2,wltls-b16,dsnc,parabel,ovr]
///  [--memory-gb 24] [--timeout 3600] [--dsnc-large-from 100000] [--dsnc-large-batch 512] [--dsnc-large-epochs 2] [--work DIR] [--out FILE.md] [--csv FILE.csv]`
/// </summary>
internal static class ScaleBenchmark
{
    private sealed record Row(int Labels, int TrainPoints, string Method, double P1, double TrainSeconds, double PredictMicroseconds,
        long ModelBytes, long PeakBytes, double WallSeconds, string Note, double CpuSeconds = double.NaN,
        double LookupP1 = double.NaN, double LookupMicroseconds = double.NaN, double LookupFallbackShare = double.NaN);

    /// <summary>The methods the sweep knows: name, what the table calls it, the xcn arguments.</summary>
    private static readonly (string Name, string Description, string Arguments)[] Methods =
    [
        ("wltls-b2", "W-LTLS b = 2 (random assignment)", "wltls --slice-width 2 --path-assignment random"),
        ("wltls-b16", "W-LTLS b = 16 (random assignment)", "wltls --slice-width 16 --path-assignment random"),
        ("dsnc", "DSNC (code lookup)", "dsnc --backend Cpu"),
        ("parabel", "Parabel-style label tree", "baseline --kind parabel"),
        ("ovr", "one-vs-rest L2-SVM (dual CD)", "baseline --kind ovr"),
    ];

    public static int Run(string[] args)
    {
        var sizes = List(args, "--labels", "1000,10000,100000,1000000").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var wanted = List(args, "--methods", string.Join(',', Methods.Select(m => m.Name)));
        int features = Int(args, "--features", 100_000), testPoints = Int(args, "--test", 5000), timeout = Int(args, "--timeout", 3600);
        // DSNC's defaults (batches of 64, 20 epochs) make 2 x 10^7 updates at 10^6 labels (2M points): from
        // --dsnc-large-from labels on, the sweep gives it larger batches and fewer epochs (said in the row's note).
        int dsncLargeFrom = Int(args, "--dsnc-large-from", 100_000), dsncLargeBatch = Int(args, "--dsnc-large-batch", 512),
            dsncLargeEpochs = Int(args, "--dsnc-large-epochs", 2);
        double memoryBytes = Int(args, "--memory-gb", 24) * 1e9;
        string work = Arg(args, "--work") ?? Path.Combine(Path.GetTempPath(), "xcn-scale");
        string? outPath = Arg(args, "--out"), csvPath = Arg(args, "--csv");
        var unknown = wanted.Except(Methods.Select(m => m.Name)).ToArray();
        if (unknown.Length > 0) { Console.Error.WriteLine($"scale: unknown method(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Methods.Select(m => m.Name))}"); return 2; }
        var xcn = LinearBenchmark.FindXcn();
        if (xcn is null) { Console.Error.WriteLine("scale: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release)"); return 2; }

        var rows = new List<Row>();
        foreach (int labels in sizes)
        {
            int trainPoints = Math.Max(20_000, 2 * labels);
            var dir = Path.Combine(work, $"L{labels}");
            string train = Path.Combine(dir, "train.txt"), test = Path.Combine(dir, "test.txt");
            if (!File.Exists(test))
            {
                Directory.CreateDirectory(dir);
                var clock = Stopwatch.StartNew();
                var data = SyntheticXc.Generate(new SyntheticXcOptions
                {
                    NumLabels = labels, NumFeatures = features, NumTrain = trainPoints, NumTest = testPoints,
                    PowerLawExponent = 1.0, MinTrainPointsPerLabel = 1, Texts = false, Seed = 1,
                });
                DatasetWriter.Write(train, data.Train);
                DatasetWriter.Write(test + ".partial", data.Test, DataFormat.XmlRepository);
                File.Move(test + ".partial", test); // the test file marks a complete size
                Console.WriteLine($"L = {labels:N0}: {data.Train}; generated and written in {clock.Elapsed.TotalSeconds:F0} s (CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s so far, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB)");
            }
            foreach (var (name, description, arguments) in Methods.Where(m => wanted.Contains(m.Name)))
            {
                if (name == "ovr" && 4.0 * (features + 1) * labels > memoryBytes)
                {
                    rows.Add(Print(new Row(labels, trainPoints, description, double.NaN, double.NaN, double.NaN, 0, 0, 0,
                        string.Create(CultureInfo.InvariantCulture, $"not run: its {labels:N0} x {features + 1:N0} float weights alone are {4.0 * (features + 1) * labels / 1e9:F1} GB > {memoryBytes / 1e9:F0} GB"))));
                    continue;
                }
                string report = Path.Combine(dir, $"report-{name}.json");
                File.Delete(report);
                string extra = "", note = "";
                if (name == "dsnc" && labels >= dsncLargeFrom)
                {
                    extra = $" --batch-size {dsncLargeBatch} --epochs {dsncLargeEpochs}";
                    note = $"batches of {dsncLargeBatch}, {dsncLargeEpochs} epochs";
                }
                var timed = WordNetBenchmark.Time("dotnet", $"{xcn} {arguments}{extra} --train {train} --test {test} --topk 5 --report {report}", dir, timeout);
                if (timed.TimedOut || !File.Exists(report))
                {
                    rows.Add(Print(new Row(labels, trainPoints, description, double.NaN, double.NaN, double.NaN, 0, timed.PeakBytes, timed.Seconds,
                        (timed.TimedOut ? $"stopped after {timeout} s" : "failed (see the log)") + (note.Length > 0 ? "; " + note : ""), timed.CpuSeconds)));
                    Write(rows, features, testPoints, outPath, csvPath);
                    continue;
                }
                var root = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
                var metrics = root.GetProperty("metrics");
                var details = root.TryGetProperty("details", out var d) ? d : default;
                double Detail(string key) => details.ValueKind == JsonValueKind.Object && details.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                // DSNC: the code lookup's accuracy, speed and share of points that fell back to scanning the class codes.
                double lookupP1 = metrics.TryGetProperty("lookup accuracy", out var la) ? la.GetDouble() : double.NaN;
                double lookupMicroseconds = 1e6 / Detail("lookupPointsPerSecond");
                rows.Add(Print(new Row(labels, trainPoints, description, metrics.GetProperty("P@1").GetDouble(),
                    root.GetProperty("trainSeconds").GetDouble(), root.GetProperty("predictSeconds").GetDouble() * 1e6 / testPoints,
                    root.GetProperty("modelBytes").GetInt64(), timed.PeakBytes, timed.Seconds, note, timed.CpuSeconds,
                    lookupP1, lookupMicroseconds, Detail("lookupFallbackShare"))));
                Write(rows, features, testPoints, outPath, csvPath); // after every run, so a stopped sweep keeps what it measured
            }
        }
        foreach (var line in Table(rows, features, testPoints)) Console.WriteLine(line);
        Write(rows, features, testPoints, outPath, csvPath);
        return 0;
    }

    private static void Write(List<Row> rows, int features, int testPoints, string? outPath, string? csvPath)
    {
        if (outPath is not null) File.WriteAllLines(outPath, Table(rows, features, testPoints));
        if (csvPath is not null) File.WriteAllLines(csvPath, Csv(rows));
    }

    private static Row Print(Row r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  L {r.Labels,9:N0}  {r.Method,-36} P@1 {r.P1:F2}  train {r.TrainSeconds:F1} s  predict {r.PredictMicroseconds:F0} µs/point  model {r.ModelBytes / 1e6:F1} MB  peak {r.PeakBytes / 1e6:F0} MB  wall {r.WallSeconds:F0} s  CPU {r.CpuSeconds:F0} s{(double.IsNaN(r.LookupP1) ? "" : $"  lookup P@1 {r.LookupP1:F2} at {r.LookupMicroseconds:F0} µs/point, {100 * r.LookupFallbackShare:F1}% fallbacks")} {r.Note}"));
        return r;
    }

    private static List<string> Table(List<Row> rows, int features, int testPoints)
    {
        static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            $"Generator: multi-class, {features:N0} features, power-law label frequencies (exponent 1), max(20,000, 2 L) training points with every label in training, {testPoints:N0} test points; each method one whole `xcn` process (train s and predict µs/point from its report; peak = its maximum resident set; wall and CPU (user + sys) s = the whole process).",
            "",
            "| labels | method | P@1 | train s | predict µs/point | model MB | peak memory MB | wall s | CPU s | lookup P@1 | lookup µs/point | lookup fallbacks % | note |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        };
        foreach (var r in rows)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Labels:N0} | {r.Method} | {F(r.P1, "F2")} | {F(r.TrainSeconds, "F1")} | {F(r.PredictMicroseconds, "F0")} | {(r.ModelBytes > 0 ? F(r.ModelBytes / 1e6, "F1") : "—")} | {(r.PeakBytes > 0 ? F(r.PeakBytes / 1e6, "F0") : "—")} | {(r.WallSeconds > 0 ? F(r.WallSeconds, "F0") : "—")} | {F(r.CpuSeconds, "F0")} | {F(r.LookupP1, "F2")} | {F(r.LookupMicroseconds, "F0")} | {F(100 * r.LookupFallbackShare, "F1")} | {r.Note} |"));
        return lines;
    }

    private static IEnumerable<string> Csv(List<Row> rows) =>
        rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Labels},{r.TrainPoints},\"{r.Method}\",{r.P1},{r.TrainSeconds},{r.PredictMicroseconds},{r.ModelBytes},{r.PeakBytes},{r.WallSeconds},{r.CpuSeconds},{r.LookupP1},{r.LookupMicroseconds},{r.LookupFallbackShare},\"{r.Note}\""))
            .Prepend("labels,train_points,method,p_at_1,train_seconds,predict_us_per_point,model_bytes,peak_bytes,wall_seconds,cpu_seconds,lookup_p_at_1,lookup_us_per_point,lookup_fallback_share,note");
}
