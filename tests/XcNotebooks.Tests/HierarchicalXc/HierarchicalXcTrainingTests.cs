using XcNotebooks.Compute;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.HierarchicalXcTests;

public sealed class HierarchicalXcTrainingTests
{
    private static (Dataset Train, Dataset Test) Split(int labels, int features, int points, int trainPoints, int seed)
    {
        var all = SyntheticData.MultiLabel(labels, features, points, seed);
        return (all.SelectRows(Enumerable.Range(0, trainPoints).ToArray()), all.SelectRows(Enumerable.Range(trainPoints, points - trainPoints).ToArray()));
    }

    [Fact]
    public void NodesTrainOnTheDistinctPointsUnderThem()
    {
        // Points: 0 {0,1}, 1 {1}, 2 {2}, 3 {2,3}, 4 {0}, 5 {3}. Co-occurrence: (0,1) = 1, (2,3) = 1, others 0.
        var labels = LabelMatrix.FromLabelSets([[0, 1], [1], [2], [2, 3], [0], [3]], 4);
        var tree = HierarchicalXc.LabelTree(labels);
        // Complete linkage on −count: the co-occurring pairs merge first (distance −1), then the two pairs (distance 0).
        Assert.Equal([(0, 1), (2, 3)], tree.Merges.Take(2).Select(m => (m.Left, m.Right)).Order());
        Assert.Equal((4, 5), (tree.Merges[2].Left, tree.Merges[2].Right));
        var points = HierarchicalXc.PointsPerNode(tree, labels);
        var hierarchy = tree.ToHierarchy();
        for (int node = 0; node < 7; node++)
        {
            // Brute force: the points carrying any label below the node, each once.
            var below = hierarchy.LabelsBelow(node);
            var expected = Enumerable.Range(0, labels.Rows).Where(i => below.Any(l => labels.Has(i, l))).ToArray();
            Assert.Equal(expected, points[node]);
        }
        Assert.Equal(Enumerable.Range(0, 6), points[6]);
    }

    [Fact]
    public void LearnsASyntheticSetWithFewerClassifiersThanLabels()
    {
        var (train, test) = Split(labels: 16, features: 80, points: 600, trainPoints: 450, seed: 4);
        var model = HierarchicalXc.Train(train, new HierarchicalXcOptions { Seed = 2 });
        Assert.Equal(15, model.LeftChild.Count);
        Assert.Equal(15, model.ClassifierCount);
        var prediction = model.Predict(test, 5);
        double p1 = XcMetrics.Evaluate(test.Labels, prediction.TopK, 1).P(1);
        double popularity = XcMetrics.Evaluate(test.Labels, LabelPopularity.Train(train).TopK(test, 1), 1).P(1);
        Assert.True(p1 > popularity + 0.4, $"P@1 {p1:P1}, popularity {popularity:P1}");
        Assert.True(prediction.MeanClassifiersEvaluated < 15, $"{prediction.MeanClassifiersEvaluated} classifiers per point");
        var traversal = model.Traverse(test);
        Assert.True(traversal.MeanClassifiersEvaluated < 15 && traversal.MeanLabelsReached > 0.5,
            $"traversal: {traversal.MeanClassifiersEvaluated} classifiers, {traversal.MeanLabelsReached} labels per point");
    }

    [Fact]
    public void SavingAndLoadingReproducePredictionsWithAndWithoutAutoencoder()
    {
        var (train, test) = Split(labels: 10, features: 60, points: 260, trainPoints: 200, seed: 8);
        foreach (var options in new[]
        {
            new HierarchicalXcOptions { Seed = 1 },
            new HierarchicalXcOptions { Seed = 1, AutoencoderDimension = 8, AutoencoderEpochs = 3, Backend = BackendKind.Cpu, Distance = CoOccurrenceDistance.NegativeIou },
        })
        {
            var model = HierarchicalXc.Train(train, options);
            Assert.Equal(options.AutoencoderDimension > 0, model.Encoder is not null);
            Assert.Equal(options.AutoencoderDimension > 0 ? 3 : 0, model.AutoencoderLoss.Count);
            var path = Path.Combine(TestData.TempDir(), "model.hierarchicalxc");
            model.Save(path);
            var loaded = HierarchicalXcModel.Load(path);
            var before = model.Predict(test, 5);
            var after = loaded.Predict(test, 5);
            Assert.Equal(before.TopK.Labels, after.TopK.Labels);
            Assert.Equal(before.TopK.Scores, after.TopK.Scores);
            Assert.Equal(before.ClassifiersEvaluated, after.ClassifiersEvaluated);
            Assert.Equal(options.Distance, loaded.Options.Distance);
            // Same seed, same model.
            Assert.Equal(before.TopK.Labels, HierarchicalXc.Train(train, options).Predict(test, 5).TopK.Labels);
        }
    }

    [Fact]
    public void LinearAutoencoderHalvesWidthsAndCollapsesExactly()
    {
        Assert.Equal([1836, 918, 459, 229, 114, 100], LinearAutoencoder.LayerSizes(1836, 100));
        Assert.Equal([10, 5, 4], LinearAutoencoder.LayerSizes(10, 4));
        Assert.Equal([10, 6], LinearAutoencoder.LayerSizes(10, 6));

        using var backend = new CpuBackend();
        var linear = new MlpOptions { Hidden = Activation.Identity, Output = Activation.Identity, Seed = 5 };
        using var encoder = new SparseInputMlp(backend, [12, 6, 3, 2], linear, lazyRows: false);
        var x = SyntheticData.MultiLabel(labels: 3, features: 12, points: 7, seed: 3).Features;
        using var batch = backend.Upload(x);
        var expected = encoder.Forward(batch, training: false).ToArray();
        var collapsed = LinearAutoencoder.Collapse(backend, encoder).Encode(x);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], collapsed.Data[i], 4);
    }

    [Fact]
    public void LinearAutoencoderReducesTheReconstructionError()
    {
        var (train, _) = Split(labels: 6, features: 40, points: 200, trainPoints: 200, seed: 6);
        var result = LinearAutoencoder.Train(train, code: 10, epochs: 6, learningRate: 3e-3f, batchSize: 32, seed: 1, BackendKind.Cpu);
        Assert.Equal(6, result.LossPerEpoch.Count);
        Assert.True(result.LossPerEpoch[^1] < 0.5 * result.LossPerEpoch[0], string.Join(", ", result.LossPerEpoch));
        Assert.Equal(10, result.Encoder.CodeWidth);
        Assert.Equal(10, result.Encoder.EncodeAsCsr(train.Features).RowLength(0));
    }

    [Fact]
    public void PlattScalingOnAHandCase()
    {
        // Two negatives at −1, two positives at +1: smoothed targets 1/4 and 3/4, so σ(−A + B) = 1/4 and σ(A + B) = 3/4,
        // i.e. B = 0 and A = ln 3.
        var fit = PlattScaling.Fit([-1f, -1f, 1f, 1f], [false, false, true, true]);
        Assert.Equal(Math.Log(3), fit.A, 4);
        Assert.Equal(0, fit.B, 4);
        Assert.Equal(0.75, fit.Probability(1), 4);
        Assert.Equal(2.0 / 3, PlattScaling.ForConstantLabels(true, 1).Probability(123), 12);
        Assert.Equal(1.0 / 7, PlattScaling.ForConstantLabels(false, 5).Probability(-4), 12);
    }

    [Fact]
    public void PlattScalingZeroesTheLikelihoodGradient()
    {
        var rng = new Random(3);
        var margins = Enumerable.Range(0, 300).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var labels = margins.Select(m => rng.NextDouble() < 1 / (1 + Math.Exp(-(1.5 * m - 0.3)))).ToArray();
        var fit = PlattScaling.Fit(margins, labels);
        int pos = labels.Count(l => l), neg = labels.Length - pos;
        double gA = 0, gB = 0;
        for (int i = 0; i < margins.Length; i++)
        {
            double t = labels[i] ? (pos + 1.0) / (pos + 2) : 1.0 / (neg + 2);
            double r = fit.Probability(margins[i]) - t;
            gA += r * margins[i];
            gB += r;
        }
        Assert.True(Math.Abs(gA) < 1e-4 && Math.Abs(gB) < 1e-4, $"gradient ({gA}, {gB})");
        Assert.InRange(fit.A, 0.8, 2.5);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new HierarchicalXcOptions { AutoencoderDimension = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new HierarchicalXcOptions { AutoencoderEpochs = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new HierarchicalXcOptions { NodeClassifier = new OneVsRestOptions { Epochs = 0 } }.Validate());
        var path = TestData.TempFile("broken.hierarchicalxc", "not a model");
        Assert.Throws<DataFormatException>(() => HierarchicalXcModel.Load(path));
    }
}
