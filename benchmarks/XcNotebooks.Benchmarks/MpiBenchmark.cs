using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using XcNotebooks.Data.Formats;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Label-sharded one-vs-rest under MPI, whole process against whole process: `xcn baseline --kind ovr` as one plain
/// process (the baseline), then `mpiexec.mpich -n N -bind-to core xcn ... --distributed` for each N, one core and one
/// .NET thread per rank (DOTNET_PROCESSOR_COUNT=1), every process wrapped in /usr/bin/time for its peak resident
/// memory. Reports wall seconds, train and predict seconds (rank 0's: under --distributed one-vs-rest stays split
/// across the ranks, which predict together and save together), the speed-up against N = 1,
/// the peak memory of each rank against the plain process's, and whether every model file is byte-identical.
/// `mpi [--labels 100000] [--features 1000] [--points 2000] [--ranks 1,2] [--repeat 1] [--out FILE.md]`.
/// </summary>
public static class MpiBenchmark
{
    private sealed record Row(string Run, int Ranks, double WallSeconds, double TrainSeconds, double PredictSeconds, double P1, long[] PeakKilobytes, bool SameModel);

    public static int Run(string[] args)
    {
        int labels = IntArg(args, "--labels", 100_000), features = IntArg(args, "--features", 1000), points = IntArg(args, "--points", 2000);
        int repeat = IntArg(args, "--repeat", 1);
        var ranks = (Arg(args, "--ranks") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string? outPath = Arg(args, "--out");
        var xcn = LinearBenchmark.FindXcn();
        if (xcn is null) { Console.Error.WriteLine("mpi: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release)"); return 2; }
        var dir = Directory.CreateTempSubdirectory("xcn-mpi-bench").FullName;
        try
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
            string common = $"{xcn} baseline --kind ovr --train {train} --test {test} --topk 5";
            var rows = new List<Row>();
            var reference = Path.Combine(dir, "plain", "model.ovr");
            rows.Add(Measure(repeat, "one plain process (taskset 1 core)", 1, dir, "plain", reference,
                model => ("taskset", $"-c 0 /usr/bin/time -f xcn-peak-kb=%M,rank=0 dotnet {common} --model {model} --report {model}.json")));
            foreach (int n in ranks)
                rows.Add(Measure(repeat, $"mpiexec.mpich -n {n} --distributed", n, dir, $"mpi{n}", reference,
                    model => ("mpiexec.mpich", $"-n {n} -bind-to core sh -c \"/usr/bin/time -f xcn-peak-kb=%M,rank=$PMI_RANK dotnet {common} --distributed --model {model} --report {model}.json\"")));
            var lines = Table(data.Train.ToString(), rows);
            foreach (var line in lines) Console.WriteLine(line);
            if (outPath is not null) File.WriteAllLines(outPath, lines);
            return rows.All(r => r.SameModel) ? 0 : 1;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static Row Measure(int repeat, string name, int ranks, string dir, string tag, string reference, Func<string, (string, string)> command)
    {
        Row? best = null;
        for (int r = 0; r < Math.Max(1, repeat); r++)
        {
            var model = Path.Combine(dir, tag);
            var (program, arguments) = command(model);
            var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DOTNET_PROCESSOR_COUNT"] = "1"; // one .NET thread per rank: Parallel.For sees one core
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            double wall = clock.Elapsed.TotalSeconds;
            if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {stderr.Result}");
            var peaks = Regex.Matches(stderr.Result, @"xcn-peak-kb=(\d+),rank=(\d+)").OrderBy(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
                .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            var report = JsonDocument.Parse(File.ReadAllText(model + ".json")).RootElement;
            var file = Path.Combine(model, "model.ovr");
            bool same = File.Exists(reference) && File.ReadAllBytes(reference).AsSpan().SequenceEqual(File.ReadAllBytes(file));
            var row = new Row(name, ranks, wall, report.GetProperty("trainSeconds").GetDouble(), report.GetProperty("predictSeconds").GetDouble(), report.GetProperty("metrics").GetProperty("P@1").GetDouble(), peaks, same);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-40} wall {wall:F1} s  train {row.TrainSeconds:F1} s  predict {row.PredictSeconds:F2} s  P@1 {row.P1:F2}  peak MB per rank {string.Join(" / ", peaks.Select(p => (p / 1024.0).ToString("F0", CultureInfo.InvariantCulture)))}  same model {same}"));
            if (best is null || row.WallSeconds < best.WallSeconds) best = row;
        }
        return best!;
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

    private static string? Arg(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
