using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Cli.Common;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>
/// `xcn METHOD --model DIR --report R` → `xcn predict --model DIR/model.X --test T --out S` → `xcn eval --pred S
/// --truth T --train-labels TRAIN`: the evaluation of the saved model's scores gives the training run's metrics,
/// number by number.
/// </summary>
public sealed class PredictCommandTests
{
    private static (string Dir, string Train, string Test) Files(DataSplits data)
    {
        var dir = TestData.TempDir();
        string train = Path.Combine(dir, "train.txt"), test = Path.Combine(dir, "test.txt");
        XmlRepositoryFormat.Write(train, data.Train);
        XmlRepositoryFormat.Write(test, data.Test);
        return (dir, train, test);
    }

    public static TheoryData<string, string[]> Runs => new()
    {
        { "parabel", ["baseline", "--kind", "parabel", "--max-leaf", "3"] },
        { "wltls", ["wltls", "--epochs", "2"] },
        { "dsnc", ["dsnc", "--bits", "8", "--epochs", "3", "--batch-size", "16", "--backend", "cpu"] },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void PredictThenEvalReproducesTheTrainingRunsMetrics(string method, string[] command)
    {
        var data = method == "parabel"
            ? SplitOf(SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 12))
            : SyntheticData.MultiClass(classes: 12, features: 40, train: 240, heldout: 0, test: 80, seed: 5) with { Heldout = null };
        var (dir, train, test) = Files(data);
        string modelDir = Path.Combine(dir, "model"), report = Path.Combine(dir, "report.json");
        string scores = Path.Combine(dir, "scores.txt"), evaluation = Path.Combine(dir, "eval.json");
        Assert.Equal(0, XcnCli.Run([.. command, "--train", train, "--test", test, "--model", modelDir, "--report", report, "--seed", "4"]));
        Assert.Equal(0, XcnCli.Run(["predict", "--model", Path.Combine(modelDir, "model." + method), "--test", test, "--topk", "5", "--backend", "Cpu", "--out", scores]));
        Assert.Equal(0, XcnCli.Run(["eval", "--pred", scores, "--truth", test, "--train-labels", train, "--k", "5", "--json", evaluation]));

        var reported = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("metrics");
        var evaluated = JsonDocument.Parse(File.ReadAllText(evaluation)).RootElement;
        int compared = 0;
        foreach (var (name, key) in new[] { ("P", "precision"), ("nDCG", "ndcg"), ("R", "recall"), ("PSP", "propensityPrecision"), ("PSnDCG", "propensityNdcg") })
            foreach (int k in new[] { 1, 3, 5 })
            {
                double fraction = evaluated.GetProperty(key)[k - 1].GetDouble();
                Assert.Equal(reported.GetProperty($"{name}@{k}").GetDouble(), fraction * 100);
                compared++;
            }
        Assert.Equal(15, compared);
        // The scores file holds the top 5 of each test point, best first.
        var lines = File.ReadAllLines(scores);
        Assert.Equal($"{data.Test.NumPoints} {data.Test.NumLabels}", lines[0]);
        Assert.Equal(data.Test.NumPoints + 1, lines.Length);
    }

    [Fact]
    public void PredictNamesAMissingModelAndAForeignFile()
    {
        var data = SplitOf(SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 12));
        var (dir, _, test) = Files(data);
        var scores = Path.Combine(dir, "scores.txt");
        Assert.Equal(ExitCodes.BadInput, XcnCli.Run(["predict", "--model", Path.Combine(dir, "nothing.model"), "--test", test, "--out", scores]));
        Assert.Equal(ExitCodes.BadInput, XcnCli.Run(["predict", "--model", test, "--test", test, "--out", scores]));
        Assert.False(File.Exists(scores));
    }

    private static DataSplits SplitOf(Dataset all) =>
        new(all.SelectRows(Enumerable.Range(0, 180).ToArray()), null, all.SelectRows(Enumerable.Range(180, 60).ToArray()));
}
