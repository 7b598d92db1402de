using XcNotebooks.Compute;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Neural;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.NeuralXcTests;

/// <summary>The three NeuralXC loss terms on hand-computed cases, and the gradient of their weighted sum.</summary>
public sealed class NeuralXcLossTests
{
    /// <summary>One linear layer per block: D = 2, L = 2, e_x = 1, e_y = 1.</summary>
    private static readonly NeuralXcArchitecture Tiny = new([2, 1], [1, 2], [2, 1], [1, 2], [1, 1]);

    /// <summary>The network's losses on one batch, gradients accumulated from zero.</summary>
    internal static NeuralXcLosses Losses(NeuralXcNetwork network, CsrMatrix x, CsrMatrix y, float alpha, float beta)
    {
        var backend = network.Backend;
        using var sparse = backend.Upload(x);
        using var dense = backend.UploadDense(x);
        using var labels = backend.UploadDense(y);
        foreach (var p in network.Parameters) p.ZeroGradient();
        return network.Accumulate(sparse, dense, labels, alpha, beta);
    }

    private static void Set(NeuralXcNetwork network, params float[][] values)
    {
        Assert.Equal(network.Parameters.Count, values.Length);
        for (int i = 0; i < values.Length; i++) network.Parameters[i].SetValues(values[i]);
    }

    [Fact]
    public void ZeroWeightsGiveHalfEverywhere()
    {
        // Every output is σ(0) = ½: each reconstruction error is (½ − t)² = ¼ for t in {0, 1}, and the BCE is ln 2.
        using var backend = new CpuBackend();
        using var network = new NeuralXcNetwork(backend, Tiny, NeuralXcActivations.Paper, WeightInit.XavierUniform, seed: 1);
        foreach (var p in network.Parameters) p.SetValues(new float[p.Rows * p.Cols]);
        var x = CsrMatrix.FromDense(new float[,] { { 1, 0 }, { 0.5f, 1 } });
        var y = CsrMatrix.FromDense(new float[,] { { 1, 0 }, { 1, 1 } });
        var losses = Losses(network, x, y, 0.01f, 0.01f);
        // Input: errors (½ − 1)², (½ − 0)², (½ − ½)², (½ − 1)² → (¼ + ¼ + 0 + ¼)/4 = 3/16.
        Assert.Equal(3.0 / 16, losses.InputReconstruction, 6);
        Assert.Equal(0.25, losses.OutputReconstruction, 6);
        Assert.Equal(Math.Log(2), losses.Classification, 6);
        Assert.Equal(0.01 * 3.0 / 16 + 0.01 * 0.25 + Math.Log(2), losses.Total(0.01, 0.01), 6);
    }

    [Fact]
    public void EachTermMatchesTheFormulaOnAHandCase()
    {
        using var backend = new CpuBackend();
        using var network = new NeuralXcNetwork(backend, Tiny, NeuralXcActivations.Paper, WeightInit.XavierUniform, seed: 1);
        // Parameters in block order: φ_i (W 2x1, b), ψ_i (W 1x2, b 2), φ_o (W 2x1, b), ψ_o (W 1x2, b 2), f (W 1x1, b).
        Set(network,
            [0.5f, -1f], [0.25f],
            [2f, -1f], [0f, 0.5f],
            [1f, 0.5f], [-0.5f],
            [1.5f, -2f], [0.1f, 0.2f],
            [3f], [-1f]);
        var x = CsrMatrix.FromDense(new float[,] { { 1, 2 } });
        var y = CsrMatrix.FromDense(new float[,] { { 0, 1 } });
        var losses = Losses(network, x, y, 0.5f, 2f);

        static double S(double z) => 1 / (1 + Math.Exp(-z));
        // φ_i: c = 1·0.5 + 2·(−1) + 0.25 = −1.25 (linear code); ψ_i: σ(2c), σ(−c + 0.5) against (1, 2).
        double c = -1.25;
        double inputMse = (Math.Pow(S(2 * c) - 1, 2) + Math.Pow(S(-c + 0.5) - 2, 2)) / 2;
        // φ_o: u = tanh(0·1 + 1·0.5 − 0.5) = tanh(0) = 0; ψ_o: σ(0.1), σ(0.2) against (0, 1).
        double labelMse = (Math.Pow(S(0.1) - 0, 2) + Math.Pow(S(0.2) - 1, 2)) / 2;
        // f: z = tanh(3c − 1); ψ_o: logits 1.5z + 0.1, −2z + 0.2; BCE against (0, 1).
        double z = Math.Tanh(3 * c - 1);
        double bce = (-Math.Log(1 - S(1.5 * z + 0.1)) - Math.Log(S(-2 * z + 0.2))) / 2;
        Assert.Equal(inputMse, losses.InputReconstruction, 5);
        Assert.Equal(labelMse, losses.OutputReconstruction, 5);
        Assert.Equal(bce, losses.Classification, 5);
        Assert.Equal(0.5 * inputMse + 2 * labelMse + bce, losses.Total(0.5, 2), 5);
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesOfTheWeightedLoss()
    {
        using var backend = new CpuBackend();
        var architecture = new NeuralXcArchitecture([5, 4, 3], [3, 4, 5], [4, 3, 2], [2, 3, 4], [3, 3, 2]);
        using var network = new NeuralXcNetwork(backend, architecture, NeuralXcActivations.Paper, WeightInit.XavierUniform, seed: 7);
        var x = CsrMatrix.FromDense(new float[,] { { 0.9f, 0, 0.3f, 0, 0.7f }, { 0, 0.6f, 0, 0.8f, 0 }, { 0.2f, 0.4f, 0, 0, 0.5f } });
        var y = CsrMatrix.FromDense(new float[,] { { 1, 0, 1, 0 }, { 0, 1, 0, 0 }, { 1, 0, 0, 1 } });
        const float alpha = 0.7f, beta = 0.3f;
        Losses(network, x, y, alpha, beta);
        // Every parameter's analytic gradient, read before the finite differences overwrite it.
        var analytic = network.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        for (int i = 0; i < network.Parameters.Count; i++)
        {
            var parameter = network.Parameters[i];
            var original = parameter.GetValues();
            GradientCheck.Check(parameter.Name, original, values =>
            {
                parameter.SetValues(values);
                double total = Losses(network, x, y, alpha, beta).Total(alpha, beta);
                parameter.SetValues(original);
                return total;
            }, analytic[i], eps: 1e-3, tolerance: 2e-2);
        }
    }
}
