using System.Globalization;
using System.Text.Json;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Issue 16: W-LTLS's accuracy against its model size on the WordNet hypernym set (`xcn data wordnet`), over slice
/// widths b = 2 … 64, random and similarity-preserving assignment (from the hierarchy), and the random vs similarity
/// comparison at b = 2 over several seeds. Every row is one whole `xcn wltls` process under /usr/bin/time (wall,
/// user + system CPU, peak resident memory); accuracy, train and predict times and model bytes come from its report.
/// Data bytes, against which the peak is set (issue goal: peak ≤ 2 x (model + data)), are the train and test splits as
/// the kit holds them: features and labels as CSR (8-byte row pointers, 4-byte column ids and 4-byte values).
/// Writes a markdown table and a CSV with the columns
/// <c>method,assignment,slice_width,seed,p_at_1,p_at_5,psp_at_5,train_s,predict_us,model_bytes,peak_bytes</c>.
/// Usage: wltls-curve [--data DIR] [--widths 2,4,8,16,32,64] [--assignments random,similarity] [--seeds 0]
/// [--b2-seeds 0,1,2,3,4] [--xcn PATH/xcn.dll] [--work DIR] [--csv FILE] [--out FILE.md] [--timeout S] [--lock FILE]
/// (--lock: each process runs under `flock FILE`, the shared big-memory lock).
/// </summary>
internal static class WltlsCurveBenchmark
{
    /// <summary>The CSV header (a notebook plots this file: keep the schema).</summary>
    public const string CsvHeader = "method,assignment,slice_width,seed,p_at_1,p_at_5,psp_at_5,train_s,predict_us,model_bytes,peak_bytes";

    private sealed record Row(string Assignment, int SliceWidth, int Seed, double P1, double P5, double Psp5, double TrainSeconds,
        double PredictMicroseconds, long ModelBytes, long PeakBytes, double WallSeconds, double CpuSeconds, string Command);

    public static int Run(string[] args)
    {
        string data = BenchmarkArgs.Arg(args, "--data") ?? "/work/data/wn-all";
        var widths = BenchmarkArgs.List(args, "--widths", "2,4,8,16,32,64").Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        var assignments = BenchmarkArgs.List(args, "--assignments", "random,similarity");
        var seeds = BenchmarkArgs.List(args, "--seeds", "0").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var b2Seeds = BenchmarkArgs.List(args, "--b2-seeds", "0,1,2,3,4").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string xcn = BenchmarkArgs.Arg(args, "--xcn") ?? LinearBenchmark.FindXcn() ?? "";
        string work = BenchmarkArgs.Arg(args, "--work") ?? Path.Combine(Path.GetTempPath(), "xcn-wltls-curve");
        string csv = BenchmarkArgs.Arg(args, "--csv") ?? Path.Combine("benchmarks", "results", "wordnet-wltls-curve.csv");
        string? output = BenchmarkArgs.Arg(args, "--out");
        string? lockFile = BenchmarkArgs.Arg(args, "--lock");
        int timeout = BenchmarkArgs.Int(args, "--timeout", 3600);
        if (!File.Exists(xcn) || !File.Exists("/usr/bin/time"))
        {
            Console.Error.WriteLine(!File.Exists(xcn) ? "wltls-curve: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release) or give --xcn" : "wltls-curve: /usr/bin/time is missing");
            return 2;
        }
        string stem = Path.Combine(data, "wordnet-noun-hypernym"), trainFile = stem + ".train.txt", testFile = stem + ".test.txt";
        string hierarchy = Path.Combine(data, "hierarchy-ids.edgelist");
        if (!File.Exists(trainFile) || !File.Exists(testFile) || !File.Exists(hierarchy))
        {
            Console.Error.WriteLine($"wltls-curve: {data} lacks the WordNet hypernym files (build them with `xcn data wordnet --out {data}`)");
            return 2;
        }
        Directory.CreateDirectory(work);
        var train = XmlRepositoryFormat.Read(trainFile);
        var test = XmlRepositoryFormat.Read(testFile);
        long dataBytes = CsrBytes(train.Features) + CsrBytes(train.Labels.Matrix) + CsrBytes(test.Features) + CsrBytes(test.Labels.Matrix);
        Console.WriteLine($"{train}\n{test}\ndata bytes (train + test features and labels as CSR): {dataBytes:N0}");

        // The curve (every width and assignment at each seed), then the extra seeds at b = 2; each run once.
        var runs = new List<(string Assignment, int Width, int Seed)>();
        foreach (int seed in seeds)
            foreach (int b in widths)
                foreach (var a in assignments) runs.Add((a, b, seed));
        foreach (int seed in b2Seeds)
            foreach (var a in assignments)
                if (!runs.Contains((a, 2, seed))) runs.Add((a, 2, seed));

        var rows = new List<Row>();
        foreach (var (assignment, b, seed) in runs)
        {
            string report = Path.Combine(work, $"report-b{b}-{assignment}-seed{seed}.json");
            File.Delete(report);
            string arguments = $"wltls --slice-width {b} --path-assignment {assignment}" +
                (assignment == "similarity" ? $" --hierarchy {hierarchy}" : "") +
                $" --seed {seed} --train {trainFile} --test {testFile} --topk 5 --report {report}";
            var timed = Time(xcn, arguments, work, timeout, lockFile);
            var command = $"xcn {arguments}";
            if (timed is null || !File.Exists(report))
            {
                Console.WriteLine($"  b = {b} {assignment} seed {seed}: {(timed is null ? $"stopped after {timeout} s" : "failed")}");
                rows.Add(new Row(assignment, b, seed, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, timed?.PeakBytes ?? 0,
                    timed?.WallSeconds ?? timeout, timed?.CpuSeconds ?? double.NaN, command));
                continue;
            }
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            var root = json.RootElement;
            var metrics = root.GetProperty("metrics");
            double Metric(string key) => metrics.TryGetProperty(key, out var v) ? v.GetDouble() : double.NaN; // percent in the report
            var row = new Row(assignment, b, seed, Metric("P@1"), Metric("P@5"), Metric("PSP@5"), root.GetProperty("trainSeconds").GetDouble(),
                root.GetProperty("predictSeconds").GetDouble() * 1e6 / test.NumPoints, root.GetProperty("modelBytes").GetInt64(),
                timed.PeakBytes, timed.WallSeconds, timed.CpuSeconds, command);
            rows.Add(row);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  b = {b,2} {assignment,-10} seed {seed}: P@1 {row.P1:F2}  P@5 {row.P5:F2}  PSP@5 {row.Psp5:F2}  train {row.TrainSeconds:F1} s  predict {row.PredictMicroseconds:F0} µs  model {row.ModelBytes / 1e6:F1} MB  peak {row.PeakBytes / 1e6:F0} MB  wall {row.WallSeconds:F0} s  cpu {row.CpuSeconds:F0} s"));
            WriteCsv(csv, rows); // after every run, so a stopped sweep keeps what it measured
        }
        WriteCsv(csv, rows);
        var lines = Markdown(rows, dataBytes, train.NumPoints, test.NumPoints, train.NumLabels);
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    /// <summary>Bytes of a CSR matrix as the kit holds it: long row pointers, int column ids, float values.</summary>
    internal static long CsrBytes(CsrMatrix m) => 8L * (m.Rows + 1) + 8L * m.NonZeros;

    private sealed record Timed(double WallSeconds, double CpuSeconds, long PeakBytes);

    /// <summary>One process under /usr/bin/time (and flock when given): wall, user + system CPU, peak RSS; null when killed at the timeout.</summary>
    private static Timed? Time(string xcn, string arguments, string work, int timeout, string? lockFile)
    {
        var run = WordNetBenchmark.Time("dotnet", $"{xcn} {arguments}", work, timeout, lockFile);
        return run.TimedOut ? null : new Timed(run.Seconds, run.CpuSeconds, run.PeakBytes);
    }

    private static void WriteCsv(string path, List<Row> rows)
    {
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllLines(path, rows.Select(r => string.Join(',', "wltls", r.Assignment, r.SliceWidth.ToString(CultureInfo.InvariantCulture),
            r.Seed.ToString(CultureInfo.InvariantCulture), F(r.P1), F(r.P5), F(r.Psp5), F(r.TrainSeconds), F(r.PredictMicroseconds),
            r.ModelBytes.ToString(CultureInfo.InvariantCulture), r.PeakBytes.ToString(CultureInfo.InvariantCulture))).Prepend(CsvHeader));
    }

    /// <summary>Mean and sample standard deviation.</summary>
    internal static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        double mean = values.Average();
        double sd = values.Count < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, sd);
    }

    private static List<string> Markdown(List<Row> rows, long dataBytes, int trainPoints, int testPoints, int classes)
    {
        static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            $"WordNet 3.0 noun hypernyms ({trainPoints:N0} train, {testPoints:N0} test points, {classes:N0} classes); W-LTLS with AROW, 5 epochs, exponential-loss decoding. " +
            $"Data bytes (train + test features and labels as the kit's CSR) {dataBytes / 1e6:F1} MB. Peak = largest resident memory of the whole process; " +
            "ratio = peak / (model + data), the issue's goal is ≤ 2. CPU = user + system seconds of the process.",
            "",
            "| b | assignment | seed | P@1 | P@5 | PSP@5 | train s | predict µs/point | model MB | peak MB | peak / (model + data) | wall s | CPU s |",
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var r in rows.OrderBy(r => r.SliceWidth).ThenBy(r => r.Assignment).ThenBy(r => r.Seed))
            lines.Add($"| {r.SliceWidth} | {r.Assignment} | {r.Seed} | {F(r.P1, "F2")} | {F(r.P5, "F2")} | {F(r.Psp5, "F2")} | {F(r.TrainSeconds, "F1")} | " +
                $"{F(r.PredictMicroseconds, "F0")} | {F(r.ModelBytes / 1e6, "F1")} | {F(r.PeakBytes / 1e6, "F0")} | " +
                $"{F(r.PeakBytes / (double)(r.ModelBytes + dataBytes), "F2")} | {F(r.WallSeconds, "F0")} | {F(r.CpuSeconds, "F0")} |");
        var b2 = rows.Where(r => r.SliceWidth == 2 && !double.IsNaN(r.P1)).ToList();
        if (b2.Select(r => r.Seed).Distinct().Count() > 1)
        {
            lines.Add("");
            lines.Add("b = 2 over seeds (mean ± sample standard deviation):");
            lines.Add("");
            lines.Add("| assignment | seeds | P@1 | P@5 | PSP@5 |");
            lines.Add("| --- | ---: | ---: | ---: | ---: |");
            foreach (var group in b2.GroupBy(r => r.Assignment))
            {
                string Stat(Func<Row, double> f) { var (m, s) = MeanSd(group.Select(f).ToArray()); return $"{F(m, "F2")} ± {F(s, "F2")}"; }
                lines.Add($"| {group.Key} | {string.Join(", ", group.Select(r => r.Seed))} | {Stat(r => r.P1)} | {Stat(r => r.P5)} | {Stat(r => r.Psp5)} |");
            }
            var paired = b2.Where(r => r.Assignment == "similarity")
                .Join(b2.Where(r => r.Assignment == "random"), r => r.Seed, r => r.Seed, (s, r) => s.P1 - r.P1).ToArray();
            if (paired.Length > 0)
            {
                var (m, s) = MeanSd(paired);
                lines.Add("");
                lines.Add($"Similarity − random P@1 at b = 2, paired by seed ({paired.Length} seeds): {F(m, "F2")} ± {F(s, "F2")} points " +
                    $"(per seed: {string.Join(", ", paired.Select(d => F(d, "F2")))}).");
            }
        }
        lines.Add("");
        lines.Add("Commands (xcn = dotnet src/XcNotebooks.Cli/bin/Release/net10.0/xcn.dll, each under /usr/bin/time -f \"%e %M %U %S\"):");
        lines.Add("");
        foreach (var r in rows) lines.Add($"- `{r.Command}`");
        return lines;
    }
}
