using System.Globalization;
using System.Text.Json.Nodes;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Plotting;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsRunTests
{
    [Fact]
    public void RunReportsWhatItsModelsDoOnTheTestSplit()
    {
        var data = SyntheticData.MultiClass(9, 200, 225, 108, 108, seed: 10);
        var log = new List<string>();
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 3, Seed = 4 };

        var result = WltlsRun.Run(data, options, sparseModels: true, topK: 3, new TrainingMonitor { Log = log.Add });

        // Every figure is what the models it names give when asked directly.
        Assert.Equal(result.Model.Accuracy(data.Test), result.TestAccuracy, 9);
        Assert.Equal(result.Model.Predict(data.Test), result.TestPredictions.Top1());
        Assert.Equal(3, result.TestPredictions.K);
        Assert.Equal(result.Training.LastEpoch.Accuracy(data.Test), result.FinalModelAccuracy, 9);
        Assert.Equal(3, result.Training.Epochs.Count);
        var sparse = result.SparseModels!;
        Assert.True(sparse.Rows.Count >= 2);
        Assert.Equal(WltlsSparseModels.Prune(result.Training.LastEpoch, sparse.Best.Threshold).Accuracy(data.Test), sparse.Best.TestAccuracy, 9);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {result.TestAccuracy:F1}%"), string.Join("\n", log));
        Assert.Contains(log, l => l.StartsWith("Best model within allowed validation accuracy degradation", StringComparison.Ordinal));

        var report = WltlsRun.ToRunReport(result, new Dictionary<string, string> { ["train"] = "toy" }, data.Test.Labels);
        Assert.Equal("wltls", report.Method);
        Assert.Equal(result.TestAccuracy, report.Metrics["accuracy"], 9);
        Assert.Equal(result.TestAccuracy, report.Metrics["P@1"], 9); // one label per point: P@1 is accuracy
        Assert.Equal(result.Model.ModelBytes, report.ModelBytes);
        Assert.Equal(4L * 200 * result.Model.Graph.NumEdges, report.ModelBytes);
        Assert.Equal(result.Model.Graph.NumEdges, report.Details["edges"]);
        Assert.Same(sparse, report.Details["sparse"]);
        var json = JsonNode.Parse(report.ToJson())!;
        Assert.Equal(3, json["details"]!["epochs"]!.AsArray().Count);
        Assert.Equal(result.FinalModelAccuracy, json["details"]!["finalModelAccuracy"]!.GetValue<double>(), 9);
        Assert.False(WltlsRun.ToRunReport(result).Metrics.ContainsKey("P@1")); // metrics need the test labels

        var epochs = WltlsRun.EpochTable(result.Training);
        Assert.Equal(3, epochs.Rows.Count);
        Assert.Equal([result.Training.BestEpoch], epochs.Rows.Where(r => (string)r[^1]! == "kept").Select(r => (int)r[0]!));
        var sparseTable = WltlsRun.SparseTable(sparse);
        Assert.Equal(sparse.Rows.Count, sparseTable.Rows.Count);
        Assert.Equal([sparse.Best.Index], sparseTable.Rows.Where(r => (string)r[^1]! == "best").Select(r => (int)r[0]!));
        var summary = WltlsRun.SummaryTable(result).Rows.ToDictionary(r => (string)r[0]!, r => r[1]);
        Assert.Equal(result.Model.Graph.NumEdges, summary["edges (binary learners)"]);
        Assert.Equal(Math.Round(result.TestAccuracy, 2), summary["test accuracy (%)"]);

        var html = WltlsRun.ToHtmlReport(result, report, data.Test, "toy run").ToHtml();
        Assert.Contains("toy run", html);
        Assert.Contains("sparse models", html);
        Assert.Contains("id=\"chart-2\"", html); // the epoch chart and the trellis
        Assert.DoesNotContain("id=\"chart-3\"", html);
    }

    [Fact]
    public void EpochChartShowsValidationOnlyWhenEveryEpochHasIt()
    {
        var data = SyntheticData.MultiClass(6, 120, 150, 60, 30, seed: 3);
        var withHeldout = Wltls.TrainDetailed(data.Train, data.Heldout, new WltlsOptions { SliceWidth = 2, Epochs = 2 });
        var without = Wltls.TrainDetailed(data.Train, null, new WltlsOptions { SliceWidth = 2, Epochs = 2 });

        var traces = JsonNode.Parse(ChartHtml.FigureJson(WltlsRun.EpochChart(withHeldout)))!["data"]!.AsArray();
        Assert.Equal(["train (online)", "validation"], traces.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(withHeldout.Epochs.Select(e => e.ValidationAccuracy!.Value), traces[1]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Single(JsonNode.Parse(ChartHtml.FigureJson(WltlsRun.EpochChart(without)))!["data"]!.AsArray());
    }

    [Fact]
    public void DecodedPathChartDrawsTheDecodedCodeword()
    {
        var data = SyntheticData.MultiClass(6, 120, 150, 0, 30, seed: 3);
        var model = Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 2, Epochs = 1 });

        var traces = JsonNode.Parse(ChartHtml.FigureJson(WltlsRun.DecodedPathChart(model, data.Test, row: 2)))!["data"]!.AsArray();

        int predicted = model.Predict(data.Test)[2];
        Assert.Contains(traces, t => t!["name"]!.GetValue<string>().StartsWith($"point 3: decoded class c{predicted} (true c", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => WltlsRun.DecodedPathChart(model, data.Test, row: 30));
    }

    [Fact]
    public void SparseModelsWithoutAHeldoutSplitFailBeforeTraining()
    {
        var data = SyntheticData.MultiClass(6, 120, 150, 0, 30, seed: 3);
        var log = new List<string>();

        var e = Assert.Throws<ArgumentException>(() => WltlsRun.Run(data, sparseModels: true, monitor: new TrainingMonitor { Log = log.Add }));

        Assert.Contains("heldout", e.Message);
        Assert.Empty(log);
        Assert.Throws<ArgumentException>(() => WltlsRun.Run(data, topK: 0));
    }

    [Fact]
    public void SweepTableChartAndReportCarryEveryRow()
    {
        SliceWidthRow[] rows =
        [
            new("b=2", 2, 28, 2_097_152, 81.5, 80, 1.5, 3.25),
            new("b=8", 8, 120, 8_388_608, 90.25, null, 4, 6.5),
            new("one-vs-rest", null, 105, 23_068_672, 93, 92.5, 9, 12),
        ];

        var table = WltlsSweep.ToTable(rows, "sweep");
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(new object?[] { "b=2", 28, "2.0MB", 81.5, 80.0, 1.5, 3.25 }, table.Rows[0]);
        Assert.Null(table.Rows[1][4]);

        var bySize = JsonNode.Parse(ChartHtml.FigureJson(WltlsSweep.TradeOffChart(rows)))!;
        var traces = bySize["data"]!.AsArray();
        Assert.Equal(["W-LTLS", "one-vs-rest"], traces.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal([2.0, 8], traces[0]!["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal([81.5, 90.25], traces[0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(["OvR"], traces[1]!["text"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("log", bySize["layout"]!["xaxis"]!["type"]!.GetValue<string>());
        var byTime = JsonNode.Parse(ChartHtml.FigureJson(WltlsSweep.TradeOffChart(rows, SweepCost.PredictionTime)))!["data"]!.AsArray();
        Assert.Equal([12.0], byTime[1]!["x"]!.AsArray().Select(v => v!.GetValue<double>()));

        var report = WltlsSweep.ToRunReport(rows, new WltlsOptions { Epochs = 2 });
        Assert.Equal(new Dictionary<string, double> { ["b=2 accuracy"] = 81.5, ["b=8 accuracy"] = 90.25, ["one-vs-rest accuracy"] = 93 }, report.Metrics);
        Assert.Equal(14.5, report.TrainSeconds);
        Assert.Same(rows, report.Details["table"]);
        var options = JsonNode.Parse(report.ToJson())!["options"]!;
        Assert.Equal([2, 8], options["sliceWidths"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(2, options["wltls"]!["epochs"]!.GetValue<int>());
        Assert.Throws<ArgumentException>(() => WltlsSweep.ToRunReport([rows[0], rows[0]], new WltlsOptions()));
    }
}
