using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Methods.Dsnc;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>The code layer: sampling, thresholding, the straight-through and REINFORCE gradients, and both backends.</summary>
[Collection("backends")]
public sealed class StochasticBinaryLayerTests(BackendFixture fixture)
{
    [Fact]
    public void StraightThroughPassesTheCodeGradientTimesTheSigmoidSlope()
    {
        // z = [0, ln 3]: p = [1/2, 3/4], p(1 - p) = [1/4, 3/16]; dL/db = [2, -4] gives dL/dz = [1/2, -3/4].
        var b = fixture.Cpu;
        using var layer = new StochasticBinaryLayer(b, seed: 1);
        using var z = b.Upload([0f, MathF.Log(3f)], 1, 2);
        var codes = layer.Forward(z).ToArray();
        Assert.All(codes, c => Assert.True(c is 0f or 1f, $"code value {c}"));
        Numbers.Close([0.5, 0.75], layer.Probabilities.ToArray(), 1e-6, "p");
        using var g = b.Upload([2f, -4f], 1, 2);
        Numbers.Close([0.5, -0.75], layer.Backward(g).ToArray(), 1e-6, "dL/dz");
    }

    [Fact]
    public void StraightThroughGradientOfATinyEncoderCodeDecoderChain()
    {
        // x (1 x 2) -> z = x W (2 x 2, no bias) -> b ~ Bernoulli(σ(z)) -> s = b V (2 x 3, no bias) -> cross-entropy on class 2.
        var b = fixture.Cpu;
        float[] x = [1f, -2f], w = [0.5f, -1f, 0.25f, 0.75f], v = [1f, -0.5f, 2f, 0.3f, 0.1f, -1f];
        using var encoder = new Linear(b, 2, 2, seed: 0, bias: false);
        using var decoder = new Linear(b, 2, 3, seed: 0, bias: false);
        encoder.Weight.SetValues(w);
        decoder.Weight.SetValues(v);
        using var code = new StochasticBinaryLayer(b, seed: 3);
        using var loss = new SoftmaxCrossEntropyLoss(b);
        using var input = b.Upload(x, 1, 2);
        using var target = b.UploadInt([2], 1, 1);
        var sample = code.Forward(encoder.Forward(input)).ToArray();
        loss.Compute(decoder.Forward(code.Codes), target);
        encoder.Backward(code.Backward(decoder.Backward(loss.Gradient)));

        // The same chain by hand, in doubles, from the sample the layer drew.
        double[] zRef = [(double)x[0] * w[0] + (double)x[1] * w[2], (double)x[0] * w[1] + (double)x[1] * w[3]];
        double[] p = zRef.Select(t => 1 / (1 + Math.Exp(-t))).ToArray();
        double[] s = Enumerable.Range(0, 3).Select(k => (double)sample[0] * v[k] + (double)sample[1] * v[3 + k]).ToArray();
        double[] softmax = s.Select(t => Math.Exp(t - s.Max())).ToArray();
        double total = softmax.Sum();
        double[] gs = Enumerable.Range(0, 3).Select(k => softmax[k] / total - (k == 2 ? 1 : 0)).ToArray();
        double[] gb = Enumerable.Range(0, 2).Select(j => Enumerable.Range(0, 3).Sum(k => gs[k] * v[j * 3 + k])).ToArray();
        double[] gz = Enumerable.Range(0, 2).Select(j => gb[j] * p[j] * (1 - p[j])).ToArray();
        double[] gw = [x[0] * gz[0], x[0] * gz[1], x[1] * gz[0], x[1] * gz[1]];
        Numbers.Close(gw, encoder.Weight.Gradient.ToArray(), 1e-5, "dL/dW");
        // The decoder saw the sample, not the probabilities.
        double[] gv = [sample[0] * gs[0], sample[0] * gs[1], sample[0] * gs[2], sample[1] * gs[0], sample[1] * gs[1], sample[1] * gs[2]];
        Numbers.Close(gv, decoder.Weight.Gradient.ToArray(), 1e-5, "dL/dV");
    }

    [Fact]
    public void SamplesFollowTheProbabilitiesAndEvaluationThresholds()
    {
        var b = fixture.Cpu;
        const int n = 20000;
        float logit = MathF.Log(0.3f / 0.7f); // p = 0.3
        using var layer = new StochasticBinaryLayer(b, seed: 5);
        using var z = b.Upload(Enumerable.Repeat(logit, n).ToArray(), n, 1);
        var first = layer.Forward(z).ToArray();
        Assert.InRange(first.Average(), 0.285, 0.315);
        var second = layer.Forward(z).ToArray();
        Assert.NotEqual(first, second); // a new call draws new samples

        using var again = new StochasticBinaryLayer(b, seed: 5);
        Assert.Equal(first, again.Forward(z).ToArray()); // same seed, same draws

        using var mixed = b.Upload([-2f, -1e-3f, 0f, 1e-3f, 3f], 1, 5);
        Assert.Equal([0f, 0f, 0f, 1f, 1f], layer.Forward(mixed, training: false).ToArray());
    }

    [Fact]
    public void ReinforceIsTheAdvantageTimesCodeMinusProbability()
    {
        var b = fixture.Cpu;
        using var layer = new StochasticBinaryLayer(b, seed: 2, BinaryGradientEstimator.Reinforce);
        using var z = b.Upload([0f, MathF.Log(3f), -1f, 2f], 2, 2);
        var codes = layer.Forward(z).ToArray();
        var p = layer.Probabilities.ToArray();
        using var advantages = b.Upload([0.5f, -2f], 2, 1);
        var expected = Enumerable.Range(0, 4).Select(i => (i < 2 ? 0.5 : -2.0) * (codes[i] - p[i])).ToArray();
        Numbers.Close(expected, layer.ReinforceBackward(advantages).ToArray(), 1e-6, "REINFORCE gradient");
        using var g = b.Upload(new float[4], 2, 2);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(g));
    }

    [Fact]
    public void ReinforceEstimatesTheExactGradientOfTheExpectedLoss()
    {
        // E[L(b)] over b ~ Bernoulli(σ(z)) for 3 bits, exactly by enumerating the 8 codes: dE/dz_j = Σ_b L(b) P(b) (b_j − p_j).
        static double L(int b0, int b1, int b2) => b0 + 2 * b1 - 3 * b0 * b2;
        double[] z = [0.4, -0.8, 1.1];
        double[] p = z.Select(t => 1 / (1 + Math.Exp(-t))).ToArray();
        var exact = new double[3];
        for (int code = 0; code < 8; code++)
        {
            int[] bits = [code & 1, code >> 1 & 1, code >> 2 & 1];
            double probability = Enumerable.Range(0, 3).Aggregate(1.0, (acc, j) => acc * (bits[j] == 1 ? p[j] : 1 - p[j]));
            for (int j = 0; j < 3; j++) exact[j] += L(bits[0], bits[1], bits[2]) * probability * (bits[j] - p[j]);
        }

        // Monte Carlo: one sample per row, advantage L(b)/rows (no baseline: the plain, unbiased estimator).
        var backend = fixture.Cpu;
        const int rows = 40000;
        using var layer = new StochasticBinaryLayer(backend, seed: 9, BinaryGradientEstimator.Reinforce);
        using var logits = backend.Upload(Enumerable.Range(0, rows).SelectMany(_ => z.Select(v => (float)v)).ToArray(), rows, 3);
        var codes = layer.Forward(logits).ToArray();
        var advantage = Enumerable.Range(0, rows).Select(i => (float)(L((int)codes[3 * i], (int)codes[3 * i + 1], (int)codes[3 * i + 2]) / rows)).ToArray();
        using var advantages = backend.Upload(advantage, rows, 1);
        var gradient = layer.ReinforceBackward(advantages).ToArray();
        var estimate = Enumerable.Range(0, 3).Select(j => Enumerable.Range(0, rows).Sum(i => (double)gradient[3 * i + j])).ToArray();
        // Per-sample terms are bounded by 3 in size: the mean of 40,000 has a standard error below 0.015.
        for (int j = 0; j < 3; j++) Assert.True(Math.Abs(estimate[j] - exact[j]) < 0.05, $"bit {j}: estimate {estimate[j]:F4}, exact {exact[j]:F4}");
        Assert.True(exact.Max(Math.Abs) > 0.2, "the test needs a gradient clearly away from zero");
    }

    [Fact]
    public void BothBackendsDrawTheSameCodesAndGradients()
    {
        var z = Numbers.Uniform(4, 6 * 5, -3f, 3f);
        var g = Numbers.Uniform(5, 6 * 5);
        var a = Numbers.Uniform(6, 6);
        var results = fixture.Both.Select(b =>
        {
            using var st = new StochasticBinaryLayer(b, seed: 11);
            using var rf = new StochasticBinaryLayer(b, seed: 11, BinaryGradientEstimator.Reinforce);
            using var logits = b.Upload(z, 6, 5);
            using var grad = b.Upload(g, 6, 5);
            using var adv = b.Upload(a, 6, 1);
            var sampled = st.Forward(logits).ToArray();
            var straight = st.Backward(grad).ToArray();
            rf.Forward(logits);
            var reinforce = rf.ReinforceBackward(adv).ToArray();
            var thresholded = st.Forward(logits, training: false).ToArray();
            using var classes = b.UploadInt([0, 4, 2, 1, 3, 0], 6, 1);
            using var nll = b.Allocate(6, 1);
            b.NegativeLogLikelihood(logits, classes, nll);
            return (sampled, straight, reinforce, thresholded, nll: nll.ToArray());
        }).ToArray();
        Assert.Equal(results[0].sampled, results[1].sampled);
        Assert.Equal(results[0].thresholded, results[1].thresholded);
        Numbers.Close(results[0].straight, results[1].straight, 1e-6, "straight-through");
        Numbers.Close(results[0].reinforce, results[1].reinforce, 1e-6, "REINFORCE");
        Assert.Equal(new[] { -z[0], -z[9], -z[12], -z[16], -z[23], -z[25] }, results[0].nll);
        Assert.Equal(results[0].nll, results[1].nll);
    }
}
