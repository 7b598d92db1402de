using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using Xunit;
using static XcNotebooks.Tests.Distributed.MpiLaunchTests;

namespace XcNotebooks.Tests.Distributed;

/// <summary>
/// `xcn wltls --distributed` under `mpiexec.mpich -n 2` against one process: rank 0 writes the checkpoint, the same
/// bytes as one process's; a failing rank ends the job naming itself, with no model written.
/// </summary>
public sealed class MpiWltlsLaunchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcn-mpi-wltls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Files()
    {
        var data = SyntheticData.MultiClass(12, 300, 360, 120, 60, seed: 4);
        string train = Path.Combine(_dir, "train.txt"), heldout = Path.Combine(_dir, "heldout.txt"), test = Path.Combine(_dir, "test.txt");
        DatasetWriter.Write(train, data.Train);
        DatasetWriter.Write(heldout, data.Heldout!);
        DatasetWriter.Write(test, data.Test);
        return ["--train", train, "--heldout", heldout, "--test", test];
    }

    [Fact]
    public void TwoRanksWriteTheOneProcessCheckpoint()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        string model = Path.Combine(_dir, "model"), file = Path.Combine(model, "model.wltls");
        // The model file holds the options, the checkpoint path among them: both runs use the same --model directory.
        string[] common = ["wltls", .. Files(), "--slice-width", "3", "--epochs", "3", "--seed", "3", "--model", model];
        Assert.Equal(0, XcnCli.Run([.. common, "--report", Path.Combine(_dir, "single.json")]));
        var single = File.ReadAllBytes(file);
        File.Delete(file);

        var (code, output, errors) = Launch(Launcher!, ["-n", "2", Xcn, .. common, "--distributed", "--report", Path.Combine(_dir, "sharded.json")]);
        Assert.True(code == 0, $"exit {code}: {errors}");
        Assert.Single(output.Split('\n'), line => line.StartsWith("Report written to", StringComparison.Ordinal)); // rank 0 only
        Assert.Equal(single, File.ReadAllBytes(file));
        Assert.Contains("Rank 0 of 2: trains", output);
    }

    [Fact]
    public void AFailingRankAbortsTheJobNamingItselfAndNoModelIsWritten()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        string model = Path.Combine(_dir, "model");
        string[] common = ["wltls", .. Files(), "--slice-width", "3", "--epochs", "2", "--model", model, "--distributed"];
        // MPMD launch: rank 1 asks for the greedy assignment, which cannot be sharded.
        var (code, _, errors) = Launch(Launcher!, ["-n", "1", Xcn, .. common, ":", "-n", "1", Xcn, .. common, "--path-assignment", "greedy"]);
        Assert.NotEqual(0, code);
        Assert.Contains("error: rank 1 of 2: label-sharded W-LTLS needs a path assignment fixed before training", errors);
        Assert.False(File.Exists(Path.Combine(model, "model.wltls")));
    }
}
