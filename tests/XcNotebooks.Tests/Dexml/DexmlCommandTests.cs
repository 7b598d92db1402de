using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Tests.DexaTests;
using Xunit;

namespace XcNotebooks.Tests.DexmlTests;

public sealed class DexmlCommandTests
{
    private static readonly string[] Small =
        ["--dim", "16", "--epochs", "8", "--batch-size", "32", "--lr", "0.01", "--tau", "0.1", "--topk-k", "2", "--cache-chunk", "3", "--backend", "Cpu"];

    [Fact]
    public void TrainsComparesTheLossesAndWritesTheReport()
    {
        var dir = TestData.TempDir();
        var data = ToyText.Create(train: 160, test: 40);
        LfTextFormat.Write(dir, data);
        File.WriteAllText(Path.Combine(dir, "filter_labels_test.txt"), "0 0\n0 1\n");
        string report = Path.Combine(dir, "report.json"), modelDir = Path.Combine(dir, "model");
        int rc = XcnCli.Run(["dexml", "--train", dir, "--test", dir, .. Small, "--loss", "softtopk", "--compare", "--report", report, "--model", modelDir, "--seed", "2"]);
        Assert.Equal(0, rc);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("dexml", root.GetProperty("method").GetString());
        var metrics = root.GetProperty("metrics");
        double p1 = metrics.GetProperty("P@1").GetDouble();
        Assert.True(p1 >= 60, $"P@1 {p1}");
        Assert.True(metrics.TryGetProperty("R@10", out _));
        Assert.True(metrics.TryGetProperty("nDCG@5", out _));
        var comparison = root.GetProperty("details").GetProperty("comparison");
        Assert.Equal(["Softmax", "DecoupledSoftmax", "SoftTopk"], comparison.EnumerateArray().Select(r => r.GetProperty("loss").GetString()));
        Assert.All(comparison.EnumerateArray(), r => Assert.True(r.GetProperty("metrics").GetProperty("P@1").GetDouble() >= 60));

        // The saved model is the reported one (SoftTop-k), and the filter file was applied.
        var splits = DatasetReader.ReadDirectory(dir);
        var filters = LfTextFormat.ReadFilters(dir);
        using var model = DexmlModel.Load(Path.Combine(modelDir, "model.dexml"), XcNotebooks.Compute.BackendKind.Cpu);
        Assert.Equal(DexmlLoss.SoftTopk, model.Options.Loss);
        var predictions = model.TopK(splits.Test, 10, filters.Test);
        Assert.Equal(p1, XcMetrics.Evaluate(splits.Test.Labels, predictions, 10).P(1) * 100, 6);
        Assert.All(predictions.LabelArray(0), l => Assert.True(l is not (0 or 1)));
    }

    [Fact]
    public void TrainsWithHardNegativesWithoutCachingOnJsonLines()
    {
        var data = ToyText.Create(train: 160, test: 40);
        var dir = TestData.TempDir();
        JsonLinesFormat.Write(Path.Combine(dir, "train.jsonl"), data.Train);
        JsonLinesFormat.Write(Path.Combine(dir, "test.jsonl"), data.Test);
        var report = Path.Combine(dir, "report.json");
        Assert.Equal(0, XcnCli.Run(["dexml", "--train", Path.Combine(dir, "train.jsonl"), "--test", Path.Combine(dir, "test.jsonl"), .. Small,
            "--negatives", "hard", "--hard-start", "2", "--hard-shortlist", "3", "--no-cache", "--all-positives", "--report", report]));
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var options = json.RootElement.GetProperty("options");
        Assert.False(options.GetProperty("gradientCaching").GetBoolean());
        Assert.Equal("HardMined", options.GetProperty("negatives").GetString());
        double p1 = json.RootElement.GetProperty("metrics").GetProperty("P@1").GetDouble();
        Assert.True(p1 >= 50, $"P@1 {p1}"); // JSON lines carry label names only ("label3"): still learnable
    }

    [Fact]
    public void BadOptionsEndWithAnErrorCode()
    {
        var dir = TestData.TempDir();
        LfTextFormat.Write(dir, ToyText.Create(train: 20, test: 5));
        // Values the bound options reject are usage errors found before the data is read (issue 18).
        Assert.Equal(64, XcnCli.Run(["dexml", "--train", dir, "--test", dir, "--loss", "hinge"]));
        Assert.Equal(64, XcnCli.Run(["dexml", "--train", dir, "--test", dir, "--negatives", "random"]));
        Assert.Equal(64, XcnCli.Run(["dexml", "--train", dir, "--test", dir, "--tau", "0"]));
        Assert.Equal(64, XcnCli.Run(["dexml", "--train", dir, "--test", dir, "--encoder", "onnx"]));
    }
}
