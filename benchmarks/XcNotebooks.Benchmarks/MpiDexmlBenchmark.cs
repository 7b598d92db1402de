using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using static XcNotebooks.Benchmarks.BenchmarkArgs;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Data-parallel DEXML under MPI, whole process against whole process: `xcn dexml` on a shared text set as one plain
/// process pinned to one core (the baseline), then `mpiexec.mpich -n N -bind-to core xcn dexml ... --distributed`
/// for each N, one .NET thread per rank (DOTNET_PROCESSOR_COUNT=1), every process wrapped in /usr/bin/time for its
/// peak resident memory; the configurations run interleaved, --repeat times, and the fastest of each is kept.
/// Reports the median epoch time (the report's epochSeconds), the train and wall seconds, the speed-ups against
/// N = 1, the peak memory of each rank, the test metrics and the allreduce volume per step (rank 0's log).
/// `mpi-dexml [shared/data folder] [--data reuters21578|clinc150] [--epochs 5] [--ranks 1,2] [--repeat 1] [--method-args "--encoder transformer ..."] [--out FILE.md]`.
/// </summary>
public static class MpiDexmlBenchmark
{
    private sealed record Row(string Run, int Ranks, double WallSeconds, double TrainSeconds, double EpochSeconds, double[] Epochs,
        IReadOnlyDictionary<string, double> Metrics, long[] PeakKilobytes, double? MegabytesPerStep, double[] CollectiveSeconds);

    private static readonly string[] ShownMetrics = ["P@1", "P@3", "P@5", "nDCG@5", "R@10"];

    public static int Run(string[] args)
    {
        string? shared = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : null;
        shared ??= DexaBenchmark.FindShared();
        if (shared is null) { Console.Error.WriteLine("mpi-dexml needs the shared data folder (shared/data): pass its path"); return 2; }
        string data = Path.Combine(shared, Arg(args, "--data") ?? "reuters21578");
        int epochs = Int(args, "--epochs", 5), repeat = Int(args, "--repeat", 1);
        var ranks = (Arg(args, "--ranks") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string? outPath = Arg(args, "--out");
        var xcn = LinearBenchmark.FindXcn();
        if (xcn is null) { Console.Error.WriteLine("mpi-dexml: build the CLI first (dotnet build src/XcNotebooks.Cli -c Release)"); return 2; }
        var dir = Directory.CreateTempSubdirectory("xcn-mpi-dexml-bench").FullName;
        try
        {
            string common = $"{xcn} dexml --train {data} --test {data} --epochs {epochs} --backend Cpu --seed 0 {Arg(args, "--method-args")}".TrimEnd();
            var configurations = new List<(string Name, int Ranks, string Tag, Func<string, (string, string)> Command)>
            {
                ("one plain process (taskset 1 core)", 1, "plain",
                    model => MpiBenchmark.PlainProcess($"{common} --model {model} --report {model}.json")),
            };
            foreach (int n in ranks)
                configurations.Add(($"mpiexec.mpich -n {n} --distributed", n, $"mpi{n}",
                    model => MpiBenchmark.MpiJob(n, $"{common} --distributed --model {model} --report {model}.json")));
            var best = new Row?[configurations.Count];
            for (int r = 0; r < Math.Max(1, repeat); r++)
                for (int c = 0; c < configurations.Count; c++)
                {
                    var (name, n, tag, command) = configurations[c];
                    var row = Measure(name, n, Path.Combine(dir, $"{tag}-{r}"), command);
                    if (best[c] is null || row.EpochSeconds < best[c]!.EpochSeconds) best[c] = row;
                }
            var lines = Table(Path.GetFileName(data), epochs, [.. best.Select(b => b!)]);
            foreach (var line in lines) Console.WriteLine(line);
            if (outPath is not null) File.WriteAllLines(outPath, lines);
            return 0;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static Row Measure(string name, int ranks, string model, Func<string, (string, string)> command)
    {
        var (program, arguments) = command(model);
        var (wall, peaks, stdout) = MpiBenchmark.RunRanks(program, arguments);
        var report = JsonDocument.Parse(File.ReadAllText(model + ".json")).RootElement;
        var epochs = report.GetProperty("details").GetProperty("epochSeconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var metrics = report.GetProperty("metrics").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        var volumes = Regex.Matches(stdout, @"allreduce ([\d.]+) MB per step").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        var waits = Regex.Matches(stdout, @"([\d.]+) sec in collectives").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        var row = new Row(name, ranks, wall, report.GetProperty("trainSeconds").GetDouble(), Median(epochs), epochs, metrics, peaks,
            volumes.Length == 0 ? null : volumes.Average(), waits);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-40} wall {wall:F1} s  train {row.TrainSeconds:F1} s  epochs {string.Join(" ", epochs.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))} s  P@1 {metrics["P@1"]:F2}  peak MB per rank {string.Join(" / ", peaks.Select(p => (p / 1024.0).ToString("F0", CultureInfo.InvariantCulture)))}"));
        return row;
    }

    /// <summary>Median over the epochs of (epoch time − time in collectives): rank 0's computation per epoch.</summary>
    private static double Computing(Row r) =>
        r.CollectiveSeconds.Length == r.Epochs.Length ? Median([.. r.Epochs.Select((e, i) => e - r.CollectiveSeconds[i])]) : r.EpochSeconds;

    private static double Median(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static List<string> Table(string data, int epochs, Row[] rows)
    {
        var plain = rows[0];
        var one = rows.FirstOrDefault(r => r.Ranks == 1 && r != plain) ?? plain;
        double plainPeak = plain.PeakKilobytes.Max();
        var lines = new List<string>
        {
            $"Data: {data}, `xcn dexml` with DexmlOptions' defaults except {epochs} epochs (and any --method-args), seed 0, CPU backend. \"x n=1\" = the n = 1 MPI run's figure / this run's; epoch s = median of the run's epoch times (its report's epochSeconds, rank 0's clock); peak memory: each rank's maximum resident set (/usr/bin/time %M), rank 0 first, as a share of the plain process's; metrics on the test split (percent).",
            "",
            $"| run | ranks | epoch s | speed-up per epoch x n=1 | epoch s outside collectives (rank 0) | speed-up outside collectives x n=1 | train s | speed-up train x n=1 | wall s | {string.Join(" | ", ShownMetrics)} | peak MB (rank 0 / 1 ..) | peak / plain process | allreduce MB per step |",
            $"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | {string.Join(" | ", ShownMetrics.Select(_ => "---:"))} | --- | --- | ---: |",
        };
        foreach (var r in rows)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Run} | {r.Ranks} | {r.EpochSeconds:F2} | {one.EpochSeconds / r.EpochSeconds:F2} | {Computing(r):F2} | {Computing(one) / Computing(r):F2} | {r.TrainSeconds:F1} | {one.TrainSeconds / r.TrainSeconds:F2} | {r.WallSeconds:F1} | " +
                $"{string.Join(" | ", ShownMetrics.Select(m => r.Metrics.TryGetValue(m, out var v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-"))} | " +
                $"{string.Join(" / ", r.PeakKilobytes.Select(p => (p / 1024.0).ToString("F0", CultureInfo.InvariantCulture)))} | " +
                $"{string.Join(" / ", r.PeakKilobytes.Select(p => (p / plainPeak).ToString("F2", CultureInfo.InvariantCulture)))} | {(r.MegabytesPerStep is { } mb ? mb.ToString("F2", CultureInfo.InvariantCulture) : "-")} |"));
        lines.Add("");
        lines.Add("Seconds in collectives per epoch (rank 0): " + string.Join("; ", rows.Where(r => r.CollectiveSeconds.Length > 0)
            .Select(r => $"{r.Run}: {string.Join(" ", r.CollectiveSeconds.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))}")));
        lines.Add("");
        lines.Add("Epoch times (s) of each kept run: " + string.Join("; ", rows.Select(r => $"{r.Run}: {string.Join(" ", r.Epochs.Select(e => e.ToString("F2", CultureInfo.InvariantCulture)))}")));
        return lines;
    }
}
