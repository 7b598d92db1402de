using XcNotebooks.Core;
using XcNotebooks.Experiments;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Metrics;
using Xunit;

namespace XcNotebooks.Tests.BaselineTests;

public sealed class CalibratedFusionTests
{
    /// <summary>Small settings grid: the tests stay fast.</summary>
    private static readonly CalibratedFusionOptions Small = new()
    {
        Costs = [0.5, 1], Neighbours = [3, 5], NeighbourWeights = [0, 0.3, 1], Folds = 2, Seed = 3,
    };

    [Fact]
    public void ColumnWeightsAreIdfAndMaxAbsByHand()
    {
        // Column 0 in 2 of 3 rows, column 1 in 1 (value -4), column 2 in none.
        var x = CsrMatrix.FromDense(new float[,] { { 1, 0, 0 }, { 2, 0, 0 }, { 0, -4, 0 } });
        var idf = CalibratedFusion.ColumnWeights(x, FeatureWeighting.Idf);
        Assert.Equal(Math.Log(4.0 / 3) + 1, idf[0], 5);
        Assert.Equal(Math.Log(4.0 / 2) + 1, idf[1], 5);
        Assert.Equal(Math.Log(4.0 / 1) + 1, idf[2], 5);
        Assert.Equal([0.5f, 0.25f, 1f], CalibratedFusion.ColumnWeights(x, FeatureWeighting.MaxAbs));
        Assert.Empty(CalibratedFusion.ColumnWeights(x, FeatureWeighting.None));
        var weighted = CalibratedFusion.Weigh(x, [0.5f, 0.25f, 1f]).ToDense();
        Assert.Equal(new float[,] { { 0.5f, 0, 0 }, { 1, 0, 0 }, { 0, -1, 0 } }, weighted);
        Assert.Throws<ArgumentException>(() => CalibratedFusion.ColumnWeights(x, FeatureWeighting.Auto));
    }

    [Fact]
    public void FusedScoresAreCalibratedMarginsPlusNeighbourVoteSharesByHand()
    {
        var data = SyntheticData.MultiLabel(labels: 8, features: 40, points: 200, seed: 5);
        var train = data.SelectRows(Enumerable.Range(0, 160).ToArray());
        var test = data.SelectRows(Enumerable.Range(160, 40).ToArray());
        var model = CalibratedFusion.Train(train, null, Small with { Weighting = FeatureWeighting.Idf, NeighbourWeights = [0.4] });
        Assert.Equal(FeatureWeighting.Idf, model.Choice.Weighting);
        Assert.Equal(0.4, model.Choice.NeighbourWeight);
        var scores = model.Scores(test.Features);

        // Reference in double from the parts' raw numbers: idf weights, x/|x| · W + bias, σ(A m + B), brute-force cosine neighbours.
        var idf = CalibratedFusion.ColumnWeights(train.Features, FeatureWeighting.Idf);
        double[] Weighted(CsrMatrix m, int row)
        {
            var v = new double[40];
            foreach (var (j, value) in m.RowEntries(row)) v[j] = value * idf[j];
            double norm = Math.Sqrt(v.Sum(a => a * a));
            return norm > 0 ? v.Select(a => a / norm).ToArray() : v;
        }
        var trainRows = Enumerable.Range(0, train.NumPoints).Select(p => Weighted(train.Features, p)).ToArray();
        var ovr = model.OneVsRest;
        for (int i = 0; i < test.NumPoints; i++)
        {
            var q = Weighted(test.Features, i);
            var cosine = trainRows.Select(t => t.Zip(q).Sum(z => z.First * z.Second)).ToArray();
            var nearest = Enumerable.Range(0, train.NumPoints).OrderByDescending(p => Math.Round(cosine[p], 5)).ThenBy(p => p).Take(model.Choice.Neighbours).ToArray();
            double total = nearest.Sum(p => Math.Max(0, cosine[p]));
            for (int l = 0; l < 8; l++)
            {
                double margin = ovr.Options.Bias * ovr.BiasWeights[l];
                for (int j = 0; j < 40; j++) margin += q[j] * ovr.Weights[j, l];
                double probability = 1 / (1 + Math.Exp(-(model.Calibration[l].A * margin + model.Calibration[l].B)));
                double share = total > 0 ? nearest.Where(p => train.Labels.Has(p, l)).Sum(p => Math.Max(0, cosine[p])) / total : 0;
                Assert.Equal(probability + 0.4 * share, scores[i, l], 3);
            }
        }
    }

    [Fact]
    public void WithAHeldoutSplitTheChoiceIsTheFinalModelsHeldoutPrecision()
    {
        // Given a held-out split, the candidates are trained on the training split itself: the chosen candidate is the
        // final model, so its recorded held-out P@1 is the final model's P@1 on that split, and no other candidate beats it.
        var data = SyntheticData.MultiLabel(labels: 10, features: 50, points: 300, seed: 9);
        var train = data.SelectRows(Enumerable.Range(0, 200).ToArray());
        var heldout = data.SelectRows(Enumerable.Range(200, 100).ToArray());
        var model = CalibratedFusion.Train(train, heldout, Small);
        double p1 = XcMetrics.Evaluate(heldout.Labels, model.TopK(heldout, 1), 1).P(1) * 100;
        Assert.Equal(p1, model.Choice.HeldoutPrecision, 6);
        Assert.Equal(100, model.Choice.HeldoutPoints);
        foreach (var weighting in new[] { FeatureWeighting.None, FeatureWeighting.Idf })
            foreach (double cost in Small.Costs)
            {
                var single = CalibratedFusion.Train(train, heldout, Small with { Weighting = weighting, Costs = [cost] });
                Assert.True(single.Choice.HeldoutPrecision <= model.Choice.HeldoutPrecision + 1e-9,
                    $"{weighting}, C = {cost}: {single.Choice.HeldoutPrecision} beats the chosen {model.Choice.HeldoutPrecision}");
            }
    }

    [Fact]
    public void SaveAndLoadGiveTheSamePredictionsAndTheRegistryLoadsIt()
    {
        var data = SyntheticData.MultiLabel(labels: 7, features: 30, points: 150, seed: 2);
        var train = data.SelectRows(Enumerable.Range(0, 120).ToArray());
        var test = data.SelectRows(Enumerable.Range(120, 30).ToArray());
        var model = CalibratedFusion.Train(train, null, Small);
        var path = Path.Combine(TestData.TempDir(), "model.fusion");
        model.Save(path);
        var loaded = Assert.IsType<CalibratedFusionModel>(XcMethods.Load(path));
        Assert.Equal(model.Choice, loaded.Choice);
        Assert.Equal(model.ColumnWeights, loaded.ColumnWeights);
        Assert.Equal(model.Calibration, loaded.Calibration);
        var before = model.TopK(test, 4);
        var after = loaded.TopK(test, 4);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Scores, after.Scores);
        Assert.Equal(CalibratedFusion.MethodName, XcMethods.Find("fusion").Name);
    }

    [Fact]
    public void SameSeedSameModel()
    {
        var data = SyntheticData.MultiLabel(labels: 6, features: 30, points: 120, seed: 4);
        var a = CalibratedFusion.Train(data, null, Small);
        var b = CalibratedFusion.Train(data, null, Small);
        Assert.Equal(a.Choice, b.Choice);
        Assert.Equal(a.OneVsRest.Weights.Data, b.OneVsRest.Weights.Data);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirName()
    {
        Assert.Contains("costs", Assert.Throws<ArgumentException>(() => (Small with { Costs = [] }).Validate()).Message);
        Assert.Contains("neighbours", Assert.Throws<ArgumentException>(() => (Small with { Neighbours = [0] }).Validate()).Message);
        Assert.Contains("neighbour weights", Assert.Throws<ArgumentException>(() => (Small with { NeighbourWeights = [-1] }).Validate()).Message);
        Assert.Contains("folds", Assert.Throws<ArgumentException>(() => (Small with { Folds = 1 }).Validate()).Message);
        Assert.Contains("AROW", Assert.Throws<ArgumentException>(() =>
            (Small with { OneVsRest = new OneVsRestOptions { Learner = new BinaryLearnerOptions() } }).Validate()).Message);
    }
}
