using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using XcNotebooks.Data.Formats;
using XcNotebooks.Synthetic;
using static XcNotebooks.Benchmarks.BenchmarkArgs;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Label-sharded one-vs-rest under MPI, whole process against whole process: `xcn baseline --kind ovr` as one plain
/// process (the baseline), then `mpiexec.mpich -n N -bind-to core xcn ... --distributed` for each N, one core and one
/// .NET thread per rank (DOTNET_PROCESSOR_COUNT=1), every process wrapped in /usr/bin/time for its peak resident
/// memory. Reports wall seconds, train and predict seconds (rank 0's: under --distributed one-vs-rest stays split
/// across the ranks, which predict together and save together), the speed-up against N = 1,
/// the peak memory of each rank against the plain process's, and whether every model file is byte-identical.
/// `mpi [--labels 100000] [--features 1000] [--points 2000] [--ranks 1,2] [--repeat 1] [--out FILE.md]`.
/// With `--method wltls`: label-sharded W-LTLS (`xcn wltls`, edges dealt over the ranks) on PREFIX.train.bz2,
/// PREFIX.heldout.bz2 and PREFIX.test.bz2 (`--data PREFIX`, default the shared sector set) with the extra
/// `--method-args "..."` (`--data synthetic`: a generated multi-class set of --labels classes, --features,
/// --points and --tokens non-zeros per point, written as text); every run writes its checkpoint into the same model directory (the saved options hold its
/// path), compared with the plain process's and then removed.
/// </summary>
public static class MpiBenchmark
{
    private sealed record Row(string Run, int Ranks, double WallSeconds, double TrainSeconds, double PredictSeconds, double P1, long[] PeakKilobytes, bool SameModel);

    public static int Run(string[] args)
    {
        int labels = Int(args, "--labels", 100_000), features = Int(args, "--features", 1000), points = Int(args, "--points", 2000);
        int repeat = Int(args, "--repeat", 1);
        string method = Arg(args, "--method") ?? "ovr";
        if (method is not ("ovr" or "wltls")) { Console.Error.WriteLine($"mpi: --method ovr or wltls, not {method}"); return 2; }
        var ranks = (Arg(args, "--ranks") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string? outPath = Arg(args, "--out");
        var xcn = LinearBenchmark.FindXcn();
        if (xcn is null) { Console.Error.WriteLine("mpi: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release)"); return 2; }
        var dir = Directory.CreateTempSubdirectory("xcn-mpi-bench").FullName;
        try
        {
            var (common, modelFile, description) = method == "ovr" ? OvrCommand(xcn, dir, labels, features, points)
                : Arg(args, "--data") == "synthetic" ? WltlsCommand(xcn, args, SyntheticMultiClass(dir, labels, features, points, Int(args, "--tokens", 200)))
                : WltlsCommand(xcn, args, null);
            var rows = new List<Row>();
            var model = Path.Combine(dir, "model");
            byte[]? reference = null;
            rows.Add(Measure(repeat, "one plain process (taskset 1 core)", 1, model, modelFile, Path.Combine(dir, "plain.json"), ref reference,
                report => PlainProcess($"{common} --model {model} --report {report}")));
            foreach (int n in ranks)
                rows.Add(Measure(repeat, $"mpiexec.mpich -n {n} --distributed", n, model, modelFile, Path.Combine(dir, $"mpi{n}.json"), ref reference,
                    report => MpiJob(n, $"{common} --distributed --model {model} --report {report}")));
            var lines = Table(description, rows);
            foreach (var line in lines) Console.WriteLine(line);
            if (outPath is not null) File.WriteAllLines(outPath, lines);
            return rows.All(r => r.SameModel) ? 0 : 1;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The one-vs-rest command on a generated multi-label set written into <paramref name="dir"/>.</summary>
    private static (string Common, string ModelFile, string Description) OvrCommand(string xcn, string dir, int labels, int features, int points)
    {
        var clock = Stopwatch.StartNew();
        var data = SyntheticXc.Generate(new SyntheticXcOptions
        {
            NumLabels = labels, NumFeatures = features, NumTrain = points, NumTest = Math.Max(100, points / 4), MultiLabel = true,
            Texts = false, PowerLawExponent = 0.5, MinTrainPointsPerLabel = 0, Seed = 1,
        });
        string train = Path.Combine(dir, "train.txt"), test = Path.Combine(dir, "test.txt");
        DatasetWriter.Write(train, data.Train);
        DatasetWriter.Write(test, data.Test);
        Console.WriteLine($"data: {data.Train} ; {data.Test} (generated in {clock.Elapsed.TotalSeconds:F0} s)");
        return ($"{xcn} baseline --kind ovr --train {train} --test {test} --topk 5", "model.ovr", data.Train.ToString());
    }

    /// <summary>
    /// A multi-class set from the generator (<paramref name="tokens"/> non-zeros per point on average, so that the
    /// edges' learning dominates), written as PREFIX.train/heldout/test.txt; returns PREFIX.
    /// </summary>
    private static string SyntheticMultiClass(string dir, int classes, int features, int points, int tokens)
    {
        var clock = Stopwatch.StartNew();
        var data = SyntheticXc.Generate(new SyntheticXcOptions
        {
            NumLabels = classes, NumFeatures = features, NumTrain = points, NumHeldout = Math.Max(100, points / 10), NumTest = Math.Max(100, points / 10),
            MeanTokensPerPoint = tokens, Texts = false, PowerLawExponent = 0.5, Seed = 1,
        });
        var prefix = Path.Combine(dir, "synthetic-mc");
        DatasetWriter.Write(prefix + ".train.txt", data.Train);
        DatasetWriter.Write(prefix + ".heldout.txt", data.Heldout!);
        DatasetWriter.Write(prefix + ".test.txt", data.Test);
        Console.WriteLine($"data generated in {clock.Elapsed.TotalSeconds:F0} s");
        return prefix;
    }

    /// <summary>
    /// The W-LTLS command on PREFIX.train/heldout/test.txt from <paramref name="synthetic"/>, else on --data
    /// PREFIX.train/heldout/test.bz2 (default: the shared sector set).
    /// </summary>
    private static (string Common, string ModelFile, string Description) WltlsCommand(string xcn, string[] args, string? synthetic)
    {
        var prefix = synthetic ?? Arg(args, "--data") ?? FindSharedSector()
            ?? throw new InvalidOperationException("mpi --method wltls: no --data PREFIX and no shared/data/sector/sector.*.bz2 found above the benchmark");
        string ext = synthetic is null ? ".bz2" : ".txt";
        string train = prefix + ".train" + ext, heldout = prefix + ".heldout" + ext, test = prefix + ".test" + ext;
        var data = XcNotebooks.Data.Formats.DatasetReader.ReadSplits(train, heldout, test);
        Console.WriteLine($"data: {string.Join(" ; ", data.All)}");
        return ($"{xcn} wltls --train {train} --heldout {heldout} --test {test} {Arg(args, "--method-args")}".TrimEnd(), "model.wltls",
            $"{string.Join("; ", data.All)}; `xcn wltls {Arg(args, "--method-args") ?? "(defaults: b = 5, AROW, 5 epochs, random assignment)"}`");
    }

    private static string? FindSharedSector()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var prefix = Path.Combine(dir.FullName, "shared", "data", "sector", "sector");
            if (File.Exists(prefix + ".train.bz2")) return prefix;
        }
        return null;
    }

    /// <summary>
    /// Runs the command <paramref name="repeat"/> times (keeps the fastest). Every run writes <paramref name="modelFile"/>
    /// into the same <paramref name="model"/> directory; the first run's file becomes <paramref name="reference"/>, each
    /// later one is compared with it, and the file is removed after each run.
    /// </summary>
    private static Row Measure(int repeat, string name, int ranks, string model, string modelFile, string reportPath, ref byte[]? reference,
        Func<string, (string, string)> command)
    {
        Row? best = null;
        for (int r = 0; r < Math.Max(1, repeat); r++)
        {
            var (program, arguments) = command(reportPath);
            var (wall, peaks, _) = RunRanks(program, arguments);
            var report = JsonDocument.Parse(File.ReadAllText(reportPath)).RootElement;
            var file = Path.Combine(model, modelFile);
            var bytes = File.ReadAllBytes(file);
            File.Delete(file);
            reference ??= bytes;
            bool same = reference.AsSpan().SequenceEqual(bytes);
            var row = new Row(name, ranks, wall, report.GetProperty("trainSeconds").GetDouble(), report.GetProperty("predictSeconds").GetDouble(), report.GetProperty("metrics").GetProperty("P@1").GetDouble(), peaks, same);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-40} wall {wall:F1} s  train {row.TrainSeconds:F1} s  predict {row.PredictSeconds:F2} s  P@1 {row.P1:F2}  peak MB per rank {string.Join(" / ", peaks.Select(p => (p / 1024.0).ToString("F0", CultureInfo.InvariantCulture)))}  same model {same}"));
            if (best is null || row.WallSeconds < best.WallSeconds) best = row;
        }
        return best!;
    }

    /// <summary>The plain process, pinned to one core, its peak reported as rank 0's (see <see cref="RunRanks"/>).</summary>
    internal static (string Program, string Arguments) PlainProcess(string xcnArguments) =>
        ("taskset", $"-c 0 /usr/bin/time -f xcn-peak-kb=%M,rank=0 dotnet {xcnArguments}");

    /// <summary>An MPI job of <paramref name="ranks"/> ranks, one core each, every rank's peak reported (see <see cref="RunRanks"/>).</summary>
    internal static (string Program, string Arguments) MpiJob(int ranks, string xcnArguments) =>
        ("mpiexec.mpich", $"-n {ranks} -bind-to core sh -c \"/usr/bin/time -f xcn-peak-kb=%M,rank=$PMI_RANK dotnet {xcnArguments}\"");

    /// <summary>
    /// Runs a command of <see cref="PlainProcess"/> or <see cref="MpiJob"/> with one .NET thread per rank: its wall
    /// seconds, each rank's peak resident kilobytes in rank order, and its standard output; throws when it fails.
    /// </summary>
    internal static (double WallSeconds, long[] PeakKilobytes, string Output) RunRanks(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "1"; // one .NET thread per rank: Parallel.For sees one core
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {stderr.Result}");
        var peaks = Regex.Matches(stderr.Result, @"xcn-peak-kb=(\d+),rank=(\d+)").OrderBy(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        return (wall, peaks, output);
    }

    private static List<string> Table(string data, List<Row> rows)
    {
        var plain = rows[0];
        var one = rows.FirstOrDefault(r => r.Ranks == 1 && r != plain) ?? plain;
        double plainPeak = plain.PeakKilobytes.Max();
        var lines = new List<string>
        {
            $"Data: {data}. Whole process against whole process; \"x n=1\" = wall seconds of the n = 1 MPI run / this run's; peak memory: each rank's maximum resident set (/usr/bin/time %M), rank 0 first, as a share of the plain process's.",
            "",
            "| run | ranks | wall s | train s (rank 0) | predict s (rank 0) | speed-up x n=1 (wall) | speed-up x n=1 (train) | P@1 | peak MB (rank 0 / 1 ..) | peak / plain process | model bytes = plain |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
        };
        foreach (var r in rows)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Run} | {r.Ranks} | {r.WallSeconds:F1} | {r.TrainSeconds:F1} | {r.PredictSeconds:F2} | {one.WallSeconds / r.WallSeconds:F2} | {one.TrainSeconds / r.TrainSeconds:F2} | {r.P1:F2} | {string.Join(" / ", r.PeakKilobytes.Select(p => (p / 1024.0).ToString("F0", CultureInfo.InvariantCulture)))} | {string.Join(" / ", r.PeakKilobytes.Select(p => (p / plainPeak).ToString("F2", CultureInfo.InvariantCulture)))} | {(r.SameModel ? "yes" : "NO")} |"));
        return lines;
    }
}
