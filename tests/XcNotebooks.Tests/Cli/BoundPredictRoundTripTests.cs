using System.Text.Json;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Metrics;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>
/// Issue 18: methods trained with their bound options (prefixed baseline options included) and saved by the command
/// are applied by `xcn predict`, and `xcn eval` of its scores gives the metrics the training command reported.
/// </summary>
[Collection("DataCommandsConsole")]
public class BoundPredictRoundTripTests
{
    private static (string Dir, string Train, string Test) Files()
    {
        var dir = TestData.TempDir();
        var all = SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 12);
        string train = Path.Combine(dir, "toy_train.txt"), test = Path.Combine(dir, "toy_test.txt");
        XmlRepositoryFormat.Write(train, all.SelectRows(Enumerable.Range(0, 180).ToArray()));
        XmlRepositoryFormat.Write(test, all.SelectRows(Enumerable.Range(180, 60).ToArray()));
        return (dir, train, test);
    }

    [Theory]
    [InlineData("ovr", new[] { "baseline", "--kind", "ovr" })]
    [InlineData("knn", new[] { "baseline", "--kind", "knn", "--knn-neighbours", "5" })]
    [InlineData("hierarchicalxc", new[] { "hierarchicalxc", "--node-classifier-epochs", "2" })]
    [InlineData("fusion", new[] { "fusion", "--costs", "0.5,1", "--neighbours", "5", "--folds", "2" })]
    public void PredictThenEvalGivesTheTrainingRunsMetrics(string method, string[] command)
    {
        var (dir, train, test) = Files();
        string modelDir = Path.Combine(dir, "model"), report = Path.Combine(dir, "report.json");
        string scores = Path.Combine(dir, "scores.txt"), metrics = Path.Combine(dir, "metrics.json");
        var (code, _, error) = DataCommandsTests.Run([.. command, "--train", train, "--test", test, "--model", modelDir, "--report", report, "--seed", "3"]);
        Assert.True(code == 0, error);
        (code, var output, error) = DataCommandsTests.Run("predict", "--model", Path.Combine(modelDir, "model." + method), "--test", test, "--out", scores);
        Assert.True(code == 0, error);
        Assert.Contains($"{method} model: top 5 of 60 points", output);
        (code, _, error) = DataCommandsTests.Run("eval", "--pred", scores, "--truth", test, "--train-labels", train, "--json", metrics);
        Assert.True(code == 0, error);

        var reported = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("metrics");
        var evaluated = JsonSerializer.Deserialize<MetricReport>(File.ReadAllText(metrics), RunReport.JsonOptions)!;
        foreach (int k in new[] { 1, 3, 5 })
        {
            Assert.Equal(reported.GetProperty($"P@{k}").GetDouble(), 100 * evaluated.Precision[k - 1], 9);
            Assert.Equal(reported.GetProperty($"nDCG@{k}").GetDouble(), 100 * evaluated.Ndcg[k - 1], 9);
            Assert.Equal(reported.GetProperty($"PSP@{k}").GetDouble(), 100 * evaluated.PropensityPrecision![k - 1], 9);
        }
    }
}
