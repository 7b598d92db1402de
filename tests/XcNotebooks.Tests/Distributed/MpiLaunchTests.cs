using System.Diagnostics;
using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

/// <summary>
/// `xcn` under the real launcher, `mpiexec.mpich -n 2`, against one process: the same model file byte for byte and
/// the same metrics; a rank's failure ends the job with its rank named and no model written.
/// </summary>
public sealed class MpiLaunchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcn-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string? Launcher => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(d => Path.Combine(d, "mpiexec.mpich")).FirstOrDefault(File.Exists);

    internal static string Xcn => Path.Combine(AppContext.BaseDirectory, "xcn");

    private (string Train, string Test) WriteData()
    {
        string train = Path.Combine(_dir, "train.txt"), test = Path.Combine(_dir, "test.txt");
        DatasetWriter.Write(train, SyntheticData.MultiLabel(60, 200, 400, seed: 8));
        DatasetWriter.Write(test, SyntheticData.MultiLabel(60, 200, 150, seed: 9));
        return (train, test);
    }

    internal static (int ExitCode, string Output, string Errors) Launch(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not end within 3 minutes");
        }
        return (process.ExitCode, output.Result, errors.Result);
    }

    private static JsonElement Metrics(string report) => JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("metrics");

    [Fact]
    public void TwoRanksWriteTheOneProcessModelAndMetrics()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        var (train, test) = WriteData();
        string[] common = ["baseline", "--kind", "ovr", "--train", train, "--test", test, "--seed", "3"];
        string single = Path.Combine(_dir, "single"), sharded = Path.Combine(_dir, "sharded"), mpiOne = Path.Combine(_dir, "mpi-one");
        Assert.Equal(0, XcnCli.Run([.. common, "--model", single, "--report", single + ".json"]));

        var (code, output, errors) = Launch(Launcher!, ["-n", "2", Xcn, .. common, "--distributed", "--model", sharded, "--report", sharded + ".json"]);
        Assert.True(code == 0, $"exit {code}: {errors}");
        Assert.Single(output.Split('\n'), line => line.StartsWith("Report written to", StringComparison.Ordinal)); // rank 0 only
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "model.ovr")), File.ReadAllBytes(Path.Combine(sharded, "model.ovr")));
        Assert.Equal(Metrics(single + ".json").ToString(), Metrics(sharded + ".json").ToString());
        Assert.Equal(2, JsonDocument.Parse(File.ReadAllText(sharded + ".json")).RootElement.GetProperty("details").GetProperty("ranks").GetInt32());

        // Without a launcher, --distributed starts MPI as rank 0 of 1.
        (code, _, errors) = Launch(Xcn, [.. common, "--distributed", "--model", mpiOne]);
        Assert.True(code == 0, $"exit {code}: {errors}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "model.ovr")), File.ReadAllBytes(Path.Combine(mpiOne, "model.ovr")));
    }

    [Fact]
    public void TwoRanksWriteTheOneProcessParabelTree()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        var (train, test) = WriteData();
        string[] common = ["baseline", "--kind", "parabel", "--max-leaf", "8", "--train", train, "--test", test];
        string single = Path.Combine(_dir, "single"), sharded = Path.Combine(_dir, "sharded");
        Assert.Equal(0, XcnCli.Run([.. common, "--model", single]));
        var (code, _, errors) = Launch(Launcher!, ["-n", "2", Xcn, .. common, "--model", sharded]); // the launcher alone turns sharding on
        Assert.True(code == 0, $"exit {code}: {errors}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "model.parabel")), File.ReadAllBytes(Path.Combine(sharded, "model.parabel")));
    }

    [Fact]
    public void AFailingRankAbortsTheJobNamingItselfAndNoModelIsWritten()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        var (train, test) = WriteData();
        string model = Path.Combine(_dir, "model"), missing = Path.Combine(_dir, "missing.txt");
        // MPMD launch: rank 1 gets a training file that does not exist.
        var (code, _, errors) = Launch(Launcher!, ["-n", "1", Xcn, "baseline", "--kind", "ovr", "--train", train, "--test", test, "--model", model, ":",
            "-n", "1", Xcn, "baseline", "--kind", "ovr", "--train", missing, "--test", test, "--model", model]);
        Assert.Equal(2, code);
        Assert.Contains($"error: rank 1 of 2: {missing}: no such file", errors);
        Assert.False(File.Exists(Path.Combine(model, "model.ovr")));
    }
}
