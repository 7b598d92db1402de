using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsSparseModelsTests
{
    [Fact]
    public void PercentileInterpolatesLikeNumpy()
    {
        float[] sorted = [1, 2, 3, 4];
        Assert.Equal(1, WltlsSparseModels.Percentile(sorted, 0));
        Assert.Equal(2.5, WltlsSparseModels.Percentile(sorted, 50), 12);
        Assert.Equal(1.3, WltlsSparseModels.Percentile(sorted, 10), 6);
        Assert.Equal(4, WltlsSparseModels.Percentile(sorted, 100));
    }

    [Fact]
    public void ThresholdsRunFromTheZeroShareToOnePercentKept()
    {
        // Two zeros out of ten (20%); from = 20 + 80 * 2/3 = 73.33, then evenly to 90 (10% kept) over 3 steps.
        float[] weights = [3, 0, -8, 1, 0, 5, -2, 7, 4, 6];
        var thresholds = WltlsSparseModels.Thresholds(weights, new SparseModelsOptions { Thresholds = 4, MinNonZeroPercent = 10 });
        // Sorted |w| = 0 0 1 2 3 4 5 6 7 8; rank = p/100 * 9.
        Assert.Equal([0.8, 5.6, 6.35, 7.1], thresholds.Select(t => Math.Round(t, 6)));
    }

    [Fact]
    public void TableFollowsTheStoppingRuleAndPrunedModelsReproduceIt()
    {
        var data = SyntheticData.MultiClass(12, 300, 360, 240, 240, seed: 6);
        var model = Wltls.Train(data.Train, data.Heldout, new WltlsOptions { SliceWidth = 3, Epochs = 2 });
        var log = new List<string>();
        var result = WltlsSparseModels.Run(model, data.Heldout!, data.Test, null, new TrainingMonitor { Log = log.Add });
        var rows = result.Rows;
        Assert.Equal(model.ModelBytes, result.DenseBytes);
        Assert.Equal(model.Accuracy(data.Heldout!), rows[0].ValidationAccuracy);
        for (int i = 1; i < rows.Count; i++) Assert.True(rows[i].NonZeroPercent < rows[i - 1].NonZeroPercent);
        for (int i = 0; i <= result.BestIndex; i++) Assert.True(rows[0].ValidationAccuracy - rows[i].ValidationAccuracy < 1.0);
        if (result.StoppedByDegradation)
        {
            Assert.Equal(rows.Count - 2, result.BestIndex);
            Assert.True(rows[0].ValidationAccuracy - rows[^1].ValidationAccuracy >= 1.0);
            Assert.Contains("Stopping condition reached (excess validation accuracy degradation)!", log);
        }
        else Assert.Equal(10, rows.Count);
        foreach (var row in rows)
        {
            var pruned = WltlsSparseModels.Prune(model, row.Threshold);
            long kept = pruned.Weights.Data.LongCount(w => w != 0);
            Assert.Equal(100.0 * kept / pruned.Weights.Data.Length, row.NonZeroPercent, 9);
            Assert.Equal(kept * 8 + (300 + 1) * 4, row.SparseBytes); // CSR: float32 values, int32 indices and row pointers
            Assert.All(pruned.Weights.Data.Zip(model.Weights.Data), p => Assert.True(p.First == 0 || p.First == p.Second));
            Assert.Equal(row.TestAccuracy, pruned.Accuracy(data.Test));
        }
        Assert.StartsWith($"#{result.Best.Index}. threshold=", log[^1]);
    }
}
