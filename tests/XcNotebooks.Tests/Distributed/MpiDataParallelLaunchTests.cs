using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Tests.DexaTests;
using Xunit;
using static XcNotebooks.Tests.Distributed.MpiLaunchTests;

namespace XcNotebooks.Tests.Distributed;

/// <summary>`xcn dexml --distributed` under `mpiexec.mpich -n 2` against one process: data-parallel training, the same metrics.</summary>
public sealed class MpiDataParallelLaunchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcn-mpi-dp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonElement Report(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    [Fact]
    public void TwoRanksTrainDexmlToTheOneProcessMetrics()
    {
        Assert.SkipWhen(Launcher is null, "mpiexec.mpich is not installed (apt-get install mpich; .ci/run installs it)");
        var data = ToyText.Create(train: 160, test: 40);
        LfTextFormat.Write(_dir, data);
        string[] common = ["dexml", "--train", _dir, "--test", _dir, "--dim", "16", "--epochs", "6", "--batch-size", "32", "--lr", "0.01", "--tau", "0.1",
            "--cache-chunk", "3", "--backend", "Cpu", "--seed", "2"];
        string single = Path.Combine(_dir, "single"), parallel = Path.Combine(_dir, "parallel");
        Assert.Equal(0, XcnCli.Run([.. common, "--model", single, "--report", single + ".json"]));

        var (code, output, errors) = Launch(Launcher!, ["-n", "2", Xcn, .. common, "--distributed", "--model", parallel, "--report", parallel + ".json"]);
        Assert.True(code == 0, $"exit {code}: {errors}");
        Assert.Single(output.Split('\n'), line => line.StartsWith("Report written to", StringComparison.Ordinal)); // rank 0 only
        var one = Report(single + ".json").GetProperty("metrics");
        var two = Report(parallel + ".json");
        Assert.Equal(2, two.GetProperty("details").GetProperty("ranks").GetInt32());
        foreach (var metric in new[] { "P@1", "P@3", "nDCG@5" })
            Assert.Equal(one.GetProperty(metric).GetDouble(), two.GetProperty("metrics").GetProperty(metric).GetDouble(), 0.2); // percent
        using var model = DexmlModel.Load(Path.Combine(parallel, "model.dexml"), XcNotebooks.Compute.BackendKind.Cpu);
        using var reference = DexmlModel.Load(Path.Combine(single, "model.dexml"), XcNotebooks.Compute.BackendKind.Cpu);
        for (int e = 0; e < 6; e++) Assert.Equal(reference.History[e].Loss, model.History[e].Loss, 1e-4);
    }
}
