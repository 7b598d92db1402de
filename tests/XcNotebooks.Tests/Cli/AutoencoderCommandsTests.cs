using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Compute;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Core;
using XcNotebooks.Experiments;
using XcNotebooks.Metrics;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>`xcn neuralxc`, `xcn hierarchicalxc` and `xcn baseline` end to end on a small synthetic multi-label set.</summary>
public sealed class AutoencoderCommandsTests
{
    private static (string Dir, string Train, string Test, Dataset TestData) Files()
    {
        var dir = TestData.TempDir();
        var all = SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 12);
        var train = all.SelectRows(Enumerable.Range(0, 180).ToArray());
        var test = all.SelectRows(Enumerable.Range(180, 60).ToArray());
        string trainPath = Path.Combine(dir, "toy_train.txt"), testPath = Path.Combine(dir, "toy_test.txt");
        XmlRepositoryFormat.Write(trainPath, train);
        XmlRepositoryFormat.Write(testPath, test);
        return (dir, trainPath, testPath, DatasetReader.Read(testPath));
    }

    private static JsonElement Report(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static void HasStandardMetrics(JsonElement report)
    {
        var metrics = report.GetProperty("metrics");
        foreach (var name in MethodComparison.MetricNames)
            Assert.InRange(metrics.GetProperty(name).GetDouble(), 0, 100);
    }

    [Fact]
    public void NeuralXcWritesReportModelAndCurves()
    {
        var (dir, train, test, testData) = Files();
        string report = Path.Combine(dir, "r.json"), model = Path.Combine(dir, "model");
        int rc = XcnCli.Run(["neuralxc", "--train", train, "--test", test, "--epochs", "2", "--input-encoder", "16,8", "--label-encoder", "6",
            "--regressor", "none", "--lr", "0.003", "--backend", "cpu", "--plot", "--model", model, "--report", report, "--seed", "3"]);
        Assert.Equal(0, rc);
        var root = Report(report);
        HasStandardMetrics(root);
        Assert.Equal(2, root.GetProperty("details").GetProperty("epochs").GetArrayLength());
        Assert.Contains("classification (BCE)", File.ReadAllText(Path.Combine(model, "training-curves.html")));
        using var loaded = NeuralXcModel.Load(Path.Combine(model, "model.neuralxc"), BackendKind.Cpu);
        Assert.Equal("φ_i 50-16-8, ψ_i 8-16-50, φ_o 10-6, ψ_o 6-10, f 8-6", loaded.Architecture.ToString());
        var p1 = RankingMetrics.Standard(DatasetReader.Read(train), testData, loaded.TopK(testData, 5))["P@1"];
        Assert.Equal(root.GetProperty("metrics").GetProperty("P@1").GetDouble(), p1, 9);
    }

    [Fact]
    public void HierarchicalXcReportsClassifiersPerPoint()
    {
        var (dir, train, test, testData) = Files();
        string report = Path.Combine(dir, "r.json"), model = Path.Combine(dir, "model");
        Assert.Equal(0, XcnCli.Run(["hierarchicalxc", "--train", train, "--test", test, "--model", model, "--report", report]));
        var root = Report(report);
        HasStandardMetrics(root);
        var details = root.GetProperty("details");
        Assert.InRange(details.GetProperty("classifiersEvaluatedPerPoint").GetDouble(), 1, 9);
        Assert.InRange(details.GetProperty("traversalClassifiersEvaluatedPerPoint").GetDouble(), 1, 9);
        Assert.Equal(9, details.GetProperty("classifiers").GetInt32());
        var loaded = HierarchicalXcModel.Load(Path.Combine(model, "model.hierarchicalxc"));
        var p1 = RankingMetrics.Standard(DatasetReader.Read(train), testData, loaded.TopK(testData, 5))["P@1"];
        Assert.Equal(root.GetProperty("metrics").GetProperty("P@1").GetDouble(), p1, 9);
    }

    [Fact]
    public void BaselinesRunInTheCommonShape()
    {
        var (dir, train, test, _) = Files();
        foreach (var kind in new[] { "popularity", "knn", "ovr", "parabel" })
        {
            string report = Path.Combine(dir, $"{kind}.json");
            Assert.Equal(0, XcnCli.Run(["baseline", "--kind", kind, "--train", train, "--test", test, "--report", report, "--model", dir]));
            HasStandardMetrics(Report(report));
        }
        Assert.True(File.Exists(Path.Combine(dir, "model.knn")));
        Assert.Equal(Report(Path.Combine(dir, "parabel.json")).GetProperty("metrics").GetProperty("P@1").GetDouble(),
            RankingMetrics.Standard(DatasetReader.Read(train), DatasetReader.Read(test),
                XcNotebooks.Methods.Parabel.ParabelModel.Load(Path.Combine(dir, "model.parabel")).TopK(DatasetReader.Read(test), 5))["P@1"], 9);
        Assert.Equal(LabelPopularity.Train(DatasetReader.Read(train)).Ranking, LabelPopularity.Load(Path.Combine(dir, "model.popularity")).Ranking);
    }

    [Fact]
    public void NeuralXcDefaultsToTheRecommendedPresetAndKeepsTheReportOne()
    {
        var (dir, train, test, _) = Files();
        var common = new[] { "--train", train, "--test", test, "--epochs", "1", "--input-encoder", "8", "--label-encoder", "4", "--regressor", "none", "--backend", "cpu" };
        string recommended = Path.Combine(dir, "recommended.json"), report = Path.Combine(dir, "report.json");
        Assert.Equal(0, XcnCli.Run(["neuralxc", .. common, "--report", recommended]));
        Assert.Equal(0, XcnCli.Run(["neuralxc", .. common, "--preset", "report", "--report", report]));
        var options = Report(recommended).GetProperty("options");
        Assert.Equal(1e-3, options.GetProperty("learningRate").GetDouble(), 6);
        Assert.Equal(0, options.GetProperty("weightDecay").GetDouble());
        Assert.Equal(1, options.GetProperty("epochs").GetInt32()); // an option given overrides the preset's value
        var paper = Report(report).GetProperty("options");
        Assert.Equal(3e-4, paper.GetProperty("learningRate").GetDouble(), 6);
        Assert.Equal(1e-4, paper.GetProperty("weightDecay").GetDouble(), 6);
        Assert.Equal(64, XcnCli.Run(["neuralxc", .. common, "--preset", "best"])); // checked before the data is read
    }

    [Fact]
    public void BadOptionsEndWithAnErrorCode()
    {
        var (_, train, test, _) = Files();
        // Values the bound options reject are usage errors found before the data is read (issue 18).
        Assert.Equal(64, XcnCli.Run(["baseline", "--kind", "svm", "--train", train, "--test", test]));
        Assert.Equal(64, XcnCli.Run(["baseline", "--kind", "ovr", "--learner", "rbf", "--train", train, "--test", test]));
        Assert.Equal(64, XcnCli.Run(["baseline", "--kind", "parabel", "--beam", "0", "--train", train, "--test", test]));
        Assert.Equal(64, XcnCli.Run(["neuralxc", "--train", train, "--test", test, "--input-encoder", "16,x"]));
        Assert.Equal(64, XcnCli.Run(["neuralxc", "--train", train, "--test", test, "--epochs", "0"]));
        Assert.Equal(64, XcnCli.Run(["hierarchicalxc", "--train", train, "--test", test, "--ranking", "random"]));
        // Needs the trained model to know (no autoencoder, no curve): bad input after the data.
        Assert.Equal(2, XcnCli.Run(["hierarchicalxc", "--train", train, "--test", test, "--plot"]));
    }
}
