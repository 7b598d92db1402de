using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Metrics;
using Xunit;

namespace XcNotebooks.Tests.DexaTests;

public sealed class DexaCommandTests
{
    private static readonly string[] Small =
        ["--dim", "16", "--epochs", "6", "--classifier-epochs", "3", "--batch-size", "32", "--lr", "0.01", "--shortlist", "8", "--backend", "Cpu"];

    [Fact]
    public void TrainsOnAnLfDirectoryWithFiltersAndWritesTheReport()
    {
        var dir = TestData.TempDir();
        var data = ToyText.Create(train: 160, test: 40);
        LfTextFormat.Write(dir, data);
        File.WriteAllText(Path.Combine(dir, "filter_labels_test.txt"), "0 0\n0 1\n1 2\n");
        string report = Path.Combine(dir, "report.json"), modelDir = Path.Combine(dir, "model");
        int rc = XcnCli.Run(["dexa", "--train", dir, "--test", dir, .. Small, "--ablation", "--report", report, "--model", modelDir, "--seed", "2"]);
        Assert.Equal(0, rc);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("dexa", root.GetProperty("method").GetString());
        double p1 = root.GetProperty("metrics").GetProperty("P@1").GetDouble();
        Assert.True(p1 >= 60, $"P@1 {p1}");
        Assert.True(root.GetProperty("metrics").TryGetProperty("PSP@5", out _));
        var ablation = root.GetProperty("details").GetProperty("ablation");
        Assert.Equal(4, ablation.GetArrayLength());
        Assert.Equal("encoder only", ablation[0].GetProperty("stage").GetString());

        // The saved model is the reported one, and the filter file was applied.
        var splits = DatasetReader.ReadDirectory(dir);
        var filters = LfTextFormat.ReadFilters(dir);
        using var model = DexaModel.Load(Path.Combine(modelDir, "model.dexa"), XcNotebooks.Compute.BackendKind.Cpu);
        var predictions = model.TopK(splits.Test, 5, filters.Test);
        Assert.Equal(p1, XcMetrics.Evaluate(splits.Test.Labels, predictions).P(1) * 100, 6);
        Assert.All(predictions.LabelArray(0), l => Assert.True(l is not (0 or 1)));
        Assert.All(predictions.LabelArray(1), l => Assert.NotEqual(2, l));
    }

    [Fact]
    public void ReadsRawTextWithNpzLabelsAndJsonLines()
    {
        var data = ToyText.Create(train: 160, test: 40);
        var raw = TestData.TempDir();
        RawTextFormat.Write(raw, data);
        var jsonl = TestData.TempDir();
        JsonLinesFormat.Write(Path.Combine(jsonl, "train.jsonl"), data.Train);
        JsonLinesFormat.Write(Path.Combine(jsonl, "test.jsonl"), data.Test);
        foreach (var (train, test, format) in new[]
        {
            (raw, raw, "Auto"),
            (Path.Combine(jsonl, "train.jsonl"), Path.Combine(jsonl, "test.jsonl"), "JsonLines"),
        })
        {
            var report = Path.Combine(TestData.TempDir(), "report.json");
            Assert.Equal(0, XcnCli.Run(["dexa", "--train", train, "--test", test, "--format", format, .. Small, "--report", report]));
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            double p1 = json.RootElement.GetProperty("metrics").GetProperty("P@1").GetDouble();
            Assert.True(p1 >= 50, $"{format}: P@1 {p1}"); // JSON lines carry label names only ("label3"): still learnable
        }
    }

    [Fact]
    public void BadOptionsEndWithAnErrorCode()
    {
        var dir = TestData.TempDir();
        LfTextFormat.Write(dir, ToyText.Create(train: 20, test: 5));
        // Values the bound options reject are usage errors found before the data is read (issue 18).
        Assert.Equal(64, XcnCli.Run(["dexa", "--train", dir, "--test", dir, "--encoder", "lstm"]));
        Assert.Equal(64, XcnCli.Run(["dexa", "--train", dir, "--test", dir, "--fusion", "vote"]));
        Assert.Equal(64, XcnCli.Run(["dexa", "--train", dir, "--test", dir, "--propensity", "0.5"]));
        Assert.Equal(2, XcnCli.Run(["dexa", "--train", dir, "--test", Path.Combine(dir, "tst.json.gz")]));
    }
}
