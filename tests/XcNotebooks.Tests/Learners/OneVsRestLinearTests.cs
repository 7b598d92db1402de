using XcNotebooks.Learners;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Learners;

public class OneVsRestLinearTests
{
    private static readonly DataSplits Data = SyntheticData.MultiClass(10, 300, 300, 0, 200, seed: 9);

    [Fact]
    public void LearnsMultiClassData()
    {
        var model = OneVsRestLinear.Train(Data.Train, new OneVsRestOptions { Epochs = 3 });
        Assert.Equal(10, model.NumLabels);
        Assert.Equal(300, model.NumFeatures);
        Assert.True(model.Accuracy(Data.Test) >= 90, $"accuracy {model.Accuracy(Data.Test):F1}%");
    }

    [Fact]
    public void EachColumnIsItsLabelsSequentiallyTrainedLearner()
    {
        var options = new OneVsRestOptions { Epochs = 2, Seed = 5, Learner = new BinaryLearnerOptions(), NormalizeRows = false, Bias = 0 };
        var model = OneVsRestLinear.Train(Data.Train, options);
        var x = Data.Train.Features;
        foreach (int label in new[] { 0, 4, 9 })
        {
            var reference = new ScalarArow(300);
            for (int epoch = 0; epoch < options.Epochs; epoch++)
                foreach (int i in Seeds.Permutation(x.Rows, Seeds.Derive(options.Seed, epoch)))
                {
                    var idx = x.RowIndices(i);
                    var val = x.RowValues(i);
                    reference.Update(idx, val, Data.Train.Labels.Has(i, label) ? 1 : -1, reference.Margin(idx, val));
                }
            var mean = reference.Mean;
            for (int j = 0; j < 300; j++) Assert.Equal(mean[j], model.Weights[j, label]);
        }
    }

    [Theory]
    [InlineData(10, true)]   // 10 labels >= 10: the automatic switch to active sets
    [InlineData(11, false)]  // 10 labels < 11: the full dual
    [InlineData(0, false)]   // 0: never automatic
    public void ActiveSetFromLabelsSwitchesTheSvmToActiveSetsFromThatManyLabels(int fromLabels, bool expectActive)
    {
        var options = new OneVsRestOptions { ActiveSetFromLabels = fromLabels };
        var model = OneVsRestLinear.Train(Data.Train, options);
        Assert.Equal(expectActive, model.Options.Learner.ActiveSet);
        // The reference: the same learner asked for explicitly, with the switch off.
        var reference = OneVsRestLinear.Train(Data.Train, new OneVsRestOptions
        {
            ActiveSetFromLabels = 0, Learner = options.Learner with { ActiveSet = expectActive },
        });
        Assert.Equal(reference.Weights.Data, model.Weights.Data);
        Assert.Equal(reference.BiasWeights, model.BiasWeights);
        // Online learners and models without a bias never switch (the active set needs both a dual SVM and a bias).
        Assert.False(new OneVsRestOptions { ActiveSetFromLabels = 1, Learner = new BinaryLearnerOptions() }.ForLabels(10).Learner.ActiveSet);
        Assert.False(new OneVsRestOptions { ActiveSetFromLabels = 1, Bias = 0 }.ForLabels(10).Learner.ActiveSet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TopKRanksTheScoresAndBiasEntersThem(bool normalizeRows)
    {
        var model = OneVsRestLinear.Train(Data.Train, new OneVsRestOptions { Epochs = 1, Bias = 1, NormalizeRows = normalizeRows });
        Assert.Equal(300L * 10 * 4 + 10 * 4, model.ModelBytes);
        var x = Data.Test.Features;
        var scores = model.Scores(x);
        var top = model.TopK(Data.Test, 3);
        for (int i = 0; i < x.Rows; i++)
        {
            double norm = normalizeRows ? Math.Sqrt(x.RowValues(i).ToArray().Sum(v => (double)v * v)) : 1;
            for (int l = 0; l < 10; l++)
            {
                double expected = 0;
                for (int j = 0; j < x.RowLength(i); j++) expected += x.RowValues(i)[j] / norm * model.Weights[x.RowIndices(i)[j], l];
                expected += model.BiasWeights[l];
                Assert.Equal(expected, scores[i, l], 1e-5);
            }
            var ranking = Enumerable.Range(0, 10).OrderByDescending(l => scores[i, l]).ThenBy(l => l).Take(3);
            Assert.Equal(ranking, top.LabelArray(i));
        }
        Assert.Contains(model.BiasWeights, b => b != 0);
    }

    [Fact]
    public void LearnsMultiLabelData()
    {
        var train = SyntheticData.MultiLabel(8, 60, 400, seed: 2);
        var test = train; // a fit check: the same points
        var model = OneVsRestLinear.Train(train, new OneVsRestOptions { Epochs = 3 });
        var metrics = XcMetrics.Evaluate(test.Labels, model.TopK(test, 3), 3);
        Assert.True(metrics.P(1) >= 0.9, $"P@1 {metrics.P(1):F3}");
    }

    [Fact]
    public void SaveLoadRoundTrips()
    {
        var model = OneVsRestLinear.Train(Data.Train, new OneVsRestOptions { Epochs = 1, Bias = 0.5f, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron } });
        var path = Path.Combine(TestData.TempDir(), "ovr.model");
        model.Save(path);
        var loaded = OneVsRestLinear.Load(path);
        Assert.Equal(model.Weights.Data, loaded.Weights.Data);
        Assert.Equal(model.BiasWeights, loaded.BiasWeights);
        Assert.Equal(BinaryLearnerKind.AveragedPerceptron, loaded.Options.Learner.Kind);
        Assert.True(loaded.Options.NormalizeRows);
        Assert.Equal(model.TopK(Data.Test, 2).Scores, loaded.TopK(Data.Test, 2).Scores);
        File.WriteAllText(path, "not a model");
        Assert.Throws<DataFormatException>(() => OneVsRestLinear.Load(path));
    }
}
