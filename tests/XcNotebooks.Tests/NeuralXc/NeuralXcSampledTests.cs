using XcNotebooks.Compute;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Neural;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.NeuralXcTests;

/// <summary>
/// The large-data NeuralXC path (sparse encoder inputs, sampled decoder outputs) against the dense network and against
/// plain loops: with every column in the sample it is the dense network (losses and gradients), its gradients are
/// those of its own estimate (finite differences), and the estimate's mean over samples is the dense loss.
/// </summary>
public sealed class NeuralXcSampledTests
{
    // D = 10, L = 5: no decoder output layer is square, so a transposed copy cannot be mistaken for a straight one.
    private static readonly NeuralXcArchitecture Small = NeuralXcArchitecture.Build(10, 5, [4, 3], null, [4, 2], null, [3]);

    private static readonly CsrMatrix X = CsrMatrix.FromDense(new float[,]
    {
        // Features 0..5 occur in the batch, 6..9 do not.
        { 0.9f, 0, 0.3f, 0, 0, 0.7f, 0, 0, 0, 0 },
        { 0, 0.6f, 0, 0.8f, 0, 0, 0, 0, 0, 0 },
        { 0.2f, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0 },
    });

    private static readonly CsrMatrix Y = CsrMatrix.FromDense(new float[,] { { 1, 0, 1, 0, 0 }, { 0, 1, 0, 0, 0 }, { 1, 0, 0, 0, 0 } });

    // The dense network's losses (and gradients) on one batch: the loss tests' helper.
    private static NeuralXcLosses Dense(NeuralXcNetwork network, CsrMatrix x, CsrMatrix y, float alpha, float beta) =>
        NeuralXcLossTests.Losses(network, x, y, alpha, beta);

    private static NeuralXcLosses Sampled(NeuralXcNetwork network, CsrMatrix x, CsrMatrix y, NeuralXcColumns columns, float alpha, float beta)
    {
        foreach (var p in network.Parameters) p.ZeroGradient();
        return network.AccumulateSampled(x, y, columns, alpha, beta);
    }

    /// <summary>row-major rows x cols → its transpose, row-major.</summary>
    private static float[] Transpose(float[] values, int rows, int cols)
    {
        var t = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = values[r * cols + c];
        return t;
    }

    /// <summary>Copies the dense network's parameters into the sampled one (same names; the output layers are stored transposed).</summary>
    private static void CopyInto(NeuralXcNetwork dense, NeuralXcNetwork sampled)
    {
        Assert.Equal(dense.Parameters.Count, sampled.Parameters.Count);
        for (int i = 0; i < dense.Parameters.Count; i++)
        {
            var from = dense.Parameters[i];
            var to = sampled.Parameters[i];
            bool transposed = from.Rows != to.Rows;
            Assert.True(transposed ? from.Rows == to.Cols && from.Cols == to.Rows : from.Cols == to.Cols, $"{from} against {to}");
            to.SetValues(transposed ? Transpose(from.GetValues(), from.Rows, from.Cols) : from.GetValues());
        }
    }

    public static TheoryData<string> ActivationSets => ["paper", "linear codes"];

    private static NeuralXcActivations ActivationsOf(string name) => name == "paper" ? NeuralXcActivations.Paper : NeuralXcActivations.LinearCodes;

    [Theory]
    [MemberData(nameof(ActivationSets))]
    public void WithEveryColumnTheSampledNetworkIsTheDenseOne(string activations)
    {
        using var backend = new CpuBackend();
        using var dense = new NeuralXcNetwork(backend, Small, ActivationsOf(activations), WeightInit.XavierUniform, seed: 11);
        using var sampled = new NeuralXcNetwork(backend, Small, ActivationsOf(activations), WeightInit.XavierUniform, seed: 11, sampled: true);
        Assert.True(sampled.Sampled);
        CopyInto(dense, sampled);
        const float alpha = 0.7f, beta = 0.3f;
        var expected = Dense(dense, X, Y, alpha, beta);
        var columns = NeuralXcColumns.All(X, Y);
        Assert.Equal(1.0, columns.FeatureWeight);
        Assert.Equal(1.0, columns.LabelWeight);
        Assert.Equal(Enumerable.Range(0, 10), columns.FeaturePositives.Concat(columns.FeatureNegatives).Order());
        var actual = Sampled(sampled, X, Y, columns, alpha, beta);
        Assert.Equal(expected.InputReconstruction, actual.InputReconstruction, 6);
        Assert.Equal(expected.OutputReconstruction, actual.OutputReconstruction, 6);
        Assert.Equal(expected.Classification, actual.Classification, 6);
        for (int i = 0; i < dense.Parameters.Count; i++)
        {
            var d = dense.Parameters[i];
            var s = sampled.Parameters[i];
            var want = d.Rows != s.Rows ? Transpose(d.Gradient.ToArray(), d.Rows, d.Cols) : d.Gradient.ToArray();
            var got = s.Gradient.ToArray();
            for (int j = 0; j < want.Length; j++)
                Assert.True(Math.Abs(want[j] - got[j]) <= 1e-6 + 1e-4 * Math.Abs(want[j]), $"{d.Name}[{j}]: dense {want[j]}, sampled {got[j]}");
        }

        // Every label's logit, as the dense decoder gives it.
        using var x = backend.Upload(X);
        var denseLogits = dense.LabelLogits(x).ToArray();
        var sampledLogits = sampled.LabelLogits(x).ToArray();
        for (int j = 0; j < denseLogits.Length; j++) Assert.Equal(denseLogits[j], sampledLogits[j], 5);
    }

    [Fact]
    public void SampledGradientsMatchFiniteDifferencesOfTheEstimate()
    {
        using var backend = new CpuBackend();
        using var network = new NeuralXcNetwork(backend, Small, NeuralXcActivations.Paper, WeightInit.XavierUniform, seed: 5, sampled: true);
        // Two of the four zero features and one of the two zero labels: weights 2 and 2.
        var columns = NeuralXcColumns.Sample(X, Y, 2, 1, new Random(3));
        Assert.Equal(2, columns.FeatureNegatives.Count);
        Assert.Equal(2.0, columns.FeatureWeight);
        Assert.Single(columns.LabelNegatives);
        Assert.Equal(2.0, columns.LabelWeight);
        const float alpha = 0.6f, beta = 0.4f;
        Sampled(network, X, Y, columns, alpha, beta);
        var analytic = network.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        for (int i = 0; i < network.Parameters.Count; i++)
        {
            var parameter = network.Parameters[i];
            var original = parameter.GetValues();
            // Rows never touched carry no gradient: their entries of the gradient tensor are stale, compare the touched ones.
            var touched = parameter.RowSparse ? parameter.TouchedRows.ToHashSet() : null;
            var expected = (float[])analytic[i].Clone();
            GradientCheck.Check(parameter.Name, original, values =>
            {
                parameter.SetValues(values);
                double total = Sampled(network, X, Y, columns, alpha, beta).Total(alpha, beta);
                parameter.SetValues(original);
                return total;
            }, Masked(expected, touched, parameter.Cols), eps: 1e-3, tolerance: 2e-2);
        }
    }

    /// <summary>The gradient with untouched rows of a row-sparse parameter set to zero (their true gradient).</summary>
    private static float[] Masked(float[] gradient, HashSet<int>? touched, int cols)
    {
        if (touched is null) return gradient;
        for (int j = 0; j < gradient.Length; j++)
            if (!touched.Contains(j / cols)) gradient[j] = 0;
        return gradient;
    }

    [Fact]
    public void TheSampledLossIsAnUnbiasedEstimateOfTheDenseLoss()
    {
        using var backend = new CpuBackend();
        using var dense = new NeuralXcNetwork(backend, Small, NeuralXcActivations.LinearCodes, WeightInit.XavierUniform, seed: 2);
        using var sampled = new NeuralXcNetwork(backend, Small, NeuralXcActivations.LinearCodes, WeightInit.XavierUniform, seed: 2, sampled: true);
        CopyInto(dense, sampled);
        var expected = Dense(dense, X, Y, 1, 1);
        var random = new Random(17);
        double input = 0, label = 0, classification = 0;
        const int draws = 4000;
        for (int t = 0; t < draws; t++)
        {
            var losses = Sampled(sampled, X, Y, NeuralXcColumns.Sample(X, Y, 1, 1, random), 1, 1);
            input += losses.InputReconstruction / draws;
            label += losses.OutputReconstruction / draws;
            classification += losses.Classification / draws;
        }
        // One of four zero features stands for four (weight 4), one of two zero labels for two: the mean comes back.
        Assert.Equal(expected.InputReconstruction, input, expected.InputReconstruction * 0.03);
        Assert.Equal(expected.OutputReconstruction, label, expected.OutputReconstruction * 0.03);
        Assert.Equal(expected.Classification, classification, expected.Classification * 0.03);
    }

    [Fact]
    public void SampledLinearComputesTheChosenColumnsAndTouchesOnlyTheirRows()
    {
        using var backend = new CpuBackend();
        using var layer = new SampledLinear(backend, inputs: 3, outputs: 6, seed: 4);
        var w = layer.Weight.GetValues();
        var b = layer.Bias.GetValues();
        float[] h = [0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f];
        using var input = backend.Upload(h, 2, 3);
        int[] chosen = [4, 1];
        using var columns = layer.Select(chosen);
        using var output = backend.Allocate(2, 2);
        layer.Forward(input, columns, output);
        var y = output.ToArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                double want = b[chosen[j]];
                for (int k = 0; k < 3; k++) want += h[i * 3 + k] * w[chosen[j] * 3 + k];
                Assert.Equal(want, y[i * 2 + j], 5);
            }

        float[] g = [1f, -2f, 0.5f, 3f];
        using var gradOutput = backend.Upload(g, 2, 2);
        using var gradInput = backend.Allocate(2, 3);
        foreach (var p in layer.Parameters) p.ZeroGradient();
        layer.Backward(input, columns, gradOutput, gradInput);
        Assert.Equal(chosen.Order(), layer.Weight.TouchedRows.Order());
        var gw = layer.Weight.Gradient.ToArray();
        var gb = layer.Bias.Gradient.ToArray();
        var gi = gradInput.ToArray();
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(g[j] + g[2 + j], gb[chosen[j]], 5);
            for (int k = 0; k < 3; k++) Assert.Equal(g[j] * h[k] + g[2 + j] * h[3 + k], gw[chosen[j] * 3 + k], 5);
        }
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 3; k++)
                Assert.Equal(g[i * 2] * w[chosen[0] * 3 + k] + g[i * 2 + 1] * w[chosen[1] * 3 + k], gi[i * 3 + k], 5);

        using var all = backend.Allocate(2, 6);
        layer.ForwardAll(input, all);
        var full = all.ToArray();
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++) Assert.Equal(y[i * 2 + j], full[i * 6 + chosen[j]], 5);
    }

    [Fact]
    public void SampledTrainingLearnsAndOneSeedGivesOneModel()
    {
        var all = SyntheticData.MultiLabel(labels: 12, features: 60, points: 550, seed: 1);
        var train = all.SelectRows(Enumerable.Range(0, 400).ToArray());
        var test = all.SelectRows(Enumerable.Range(400, 150).ToArray());
        // The large-data path forced on a small set: 8 of ~40 zero features and 4 of ~8 zero labels sampled per batch.
        var options = NeuralXcTrainingTests.Fast with { SampledAbove = 10, SampledFeatures = 8, SampledLabels = 4, EvaluateTrainEachEpoch = false };
        Assert.True(options.IsSampled(60, 12));
        using var model = NeuralXc.Train(train, null, options);
        Assert.True(model.Network.Sampled);
        double p1 = XcMetrics.Evaluate(test.Labels, model.TopK(test, 1), 1).P(1);
        double popularity = XcMetrics.Evaluate(test.Labels, LabelPopularity.Train(train).TopK(test, 1), 1).P(1);
        Assert.True(p1 > popularity + 0.2, $"P@1 {p1:P1}, popularity {popularity:P1}");

        using var again = NeuralXc.Train(train, null, options);
        var first = model.TopK(test, 3);
        Assert.Equal(first.Labels, again.TopK(test, 3).Labels);
        Assert.Equal(first.Scores, again.TopK(test, 3).Scores);

        var path = Path.Combine(Path.GetTempPath(), $"neuralxc-sampled-{Guid.NewGuid():N}.model");
        try
        {
            model.Save(path);
            using var loaded = NeuralXcModel.Load(path, BackendKind.Cpu);
            Assert.True(loaded.Network.Sampled);
            Assert.Equal(first.Scores, loaded.TopK(test, 3).Scores);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BibtexSizedDataKeepsTheDenseNetworkAndLargeDataCapsTheWidths()
    {
        var options = NeuralXcOptions.Recommended;
        Assert.False(options.IsSampled(1836, 159));
        Assert.Equal(NeuralXcArchitecture.Bibtex, options.ArchitectureFor(1836, 159), new ArchitectureComparer());
        Assert.True(options.IsSampled(70486, 17157));
        var large = options.ArchitectureFor(70486, 17157);
        Assert.All(large.Blocks, b => Assert.All(b.Sizes.Skip(1).SkipLast(1), w => Assert.True(w <= 256)));
        Assert.Throws<ArgumentException>(() => (options with { SampledLabels = -1 }).Validate());
    }

    private sealed class ArchitectureComparer : IEqualityComparer<NeuralXcArchitecture>
    {
        public bool Equals(NeuralXcArchitecture? a, NeuralXcArchitecture? b) =>
            a is not null && b is not null && a.Blocks.Zip(b.Blocks).All(p => p.First.Sizes.SequenceEqual(p.Second.Sizes));

        public int GetHashCode(NeuralXcArchitecture obj) => 0;
    }
}
