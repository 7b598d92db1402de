using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Neural;

/// <summary>Every backward pass against finite differences (CPU backend, small sizes).</summary>
public sealed class LayerGradientTests
{
    private readonly CpuBackend _b = new();

    /// <summary>Checks a dense layer's input gradient and each parameter's gradient.</summary>
    private void CheckLayer(string what, Func<ILayer> create, int rows, int cols, float[]? input = null)
    {
        using var layer = create();
        var x = input ?? Numbers.Uniform(100, rows * cols);
        using var xt = _b.Upload(x, rows, cols);
        var output = layer.Forward(xt);
        var r = GradientCheck.Weights(101, output.Length);
        using var g = _b.Upload(r, output.Rows, output.Cols);
        foreach (var p in layer.Parameters) p.ZeroGradient();
        var gradInput = layer.Backward(g).ToArray();

        double AtInput(float[] values)
        {
            using var t = _b.Upload(values, rows, cols);
            return GradientCheck.Project(layer.Forward(t), r);
        }
        GradientCheck.Check($"{what} input", x, AtInput, gradInput);
        foreach (var p in layer.Parameters)
        {
            var analytic = p.Gradient.ToArray();
            var original = p.GetValues();
            double AtParameter(float[] values)
            {
                p.SetValues(values);
                double result = GradientCheck.Project(layer.Forward(xt), r);
                p.SetValues(original);
                return result;
            }
            GradientCheck.Check($"{what} {p.Name}", original, AtParameter, analytic);
        }
    }

    [Fact]
    public void Linear() => CheckLayer("linear", () => new Linear(_b, 5, 4, seed: 1), 3, 5);

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.LeakyRelu)]
    [InlineData(ActivationKind.Gelu)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    public void Activations(ActivationKind kind) =>
        CheckLayer(kind.ToString(), () => new ActivationLayer(_b, new Activation(kind, 0.1f)), 3, 6, Numbers.AwayFromZero(102, 18, 0.1f));

    [Fact]
    public void LayerNorm() => CheckLayer("layer norm", () => new LayerNormalization(_b, 7), 3, 7);

    [Fact]
    public void L2Norm() => CheckLayer("l2 norm", () => new L2Normalization(_b), 3, 6);

    [Fact]
    public void ResidualBlockWithSmoothInside() =>
        CheckLayer("residual", () => new Residual(_b, new Sequential([new Linear(_b, 5, 5, seed: 2), new ActivationLayer(_b, Activation.Tanh)])), 3, 5);

    [Fact]
    public void MlpWithGelu() =>
        CheckLayer("mlp", () => Mlp.Create(_b, [4, 6, 3], new MlpOptions { Hidden = Activation.Gelu, Output = Activation.Sigmoid, Seed = 3 }), 2, 4);

    [Fact]
    public void DropoutBackwardUsesItsMask()
    {
        // A fresh layer with the same seed draws the same mask, so the function is deterministic for the check.
        var x = Numbers.Uniform(103, 4 * 5);
        var r = GradientCheck.Weights(104, 20);
        float[] analytic;
        using (var layer = new Dropout(_b, 0.4f, seed: 5))
        using (var xt = _b.Upload(x, 4, 5))
        using (var g = _b.Upload(r, 4, 5))
        {
            layer.Forward(xt);
            analytic = layer.Backward(g).ToArray();
        }
        Assert.Contains(0f, analytic);
        GradientCheck.Check("dropout", x, values =>
        {
            using var layer = new Dropout(_b, 0.4f, seed: 5);
            using var t = _b.Upload(values, 4, 5);
            return GradientCheck.Project(layer.Forward(t), r);
        }, analytic);
        using var eval = new Dropout(_b, 0.4f, seed: 5);
        using var xe = _b.Upload(x, 4, 5);
        Assert.Same(xe, eval.Forward(xe, training: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SoftmaxAndLogSoftmax(bool log)
    {
        var x = Numbers.Uniform(105, 3 * 6, -2, 2);
        var r = GradientCheck.Weights(106, 18);
        double F(float[] values)
        {
            using var t = _b.Upload(values, 3, 6);
            using var y = _b.Allocate(3, 6);
            if (log) _b.LogSoftmax(t, y); else _b.Softmax(t, y);
            return GradientCheck.Project(y, r);
        }
        using var xt = _b.Upload(x, 3, 6);
        using var yt = _b.Allocate(3, 6);
        using var g = _b.Upload(r, 3, 6);
        using var gi = _b.Allocate(3, 6);
        if (log) { _b.LogSoftmax(xt, yt); _b.LogSoftmaxBackward(yt, g, gi); }
        else { _b.Softmax(xt, yt); _b.SoftmaxBackward(yt, g, gi); }
        GradientCheck.Check(log ? "log-softmax" : "softmax", x, F, gi.ToArray());
    }

    [Fact]
    public void SparseLinearWeightGradientOnTouchedRowsOnly()
    {
        var csr = CsrMatrix.FromRows(8, [[(0, 0.5f), (3, -1f)], [(3, 2f), (6, 0.25f)], []]);
        using var layer = new SparseLinear(_b, 8, 3, seed: 6);
        using var x = _b.Upload(csr);
        var r = GradientCheck.Weights(107, 9);
        using var g = _b.Upload(r, 3, 3);
        layer.Forward(x);
        layer.Backward(g);
        Assert.Equal([0, 3, 6], layer.Weight.TouchedRows.Order());
        foreach (var p in layer.Parameters)
        {
            var original = p.GetValues();
            GradientCheck.Check(p.Name, original, values =>
            {
                p.SetValues(values);
                double result = GradientCheck.Project(layer.Forward(x), r);
                p.SetValues(original);
                return result;
            }, p.Gradient.ToArray());
        }
    }

    [Theory]
    [InlineData(EmbeddingBagMode.Sum)]
    [InlineData(EmbeddingBagMode.Mean)]
    public void EmbeddingBagTableGradient(EmbeddingBagMode mode)
    {
        using var layer = new EmbeddingBag(_b, 7, 3, mode, seed: 7);
        using var batch = DeviceTokenBatch.Create(_b, [[1, 4, 1], [6], [], [2, 3, 4, 5, 0]], maxLength: 4); // last row truncated
        var r = GradientCheck.Weights(108, 12);
        using var g = _b.Upload(r, 4, 3);
        layer.Forward(batch);
        layer.Backward(g);
        Assert.Equal([1, 2, 3, 4, 5, 6], layer.Table.TouchedRows.Order()); // token 0 was cut by maxLength
        var original = layer.Table.GetValues();
        GradientCheck.Check($"embedding bag {mode}", original, values =>
        {
            layer.Table.SetValues(values);
            double result = GradientCheck.Project(layer.Forward(batch), r);
            layer.Table.SetValues(original);
            return result;
        }, layer.Table.Gradient.ToArray());
    }

    [Fact]
    public void LossGradients()
    {
        var z = Numbers.Uniform(109, 3 * 4, -3, 3);
        var t = Numbers.Uniform(110, 12, 0, 1);
        using var targets = _b.Upload(t, 3, 4);
        using var classes = _b.UploadInt([1, 3, 0], 3, 1);
        using var bce = new BinaryCrossEntropyLoss(_b);
        using var ce = new SoftmaxCrossEntropyLoss(_b);
        using var mse = new MeanSquaredErrorLoss(_b, LossReduction.MeanOverRows);
        var losses = new (string Name, Func<Tensor, double> Compute, Loss Loss)[]
        {
            ("bce", logits => bce.Compute(logits, targets), bce),
            ("softmax ce", logits => ce.Compute(logits, classes), ce),
            ("mse", logits => mse.Compute(logits, targets), mse),
        };
        foreach (var (name, compute, loss) in losses)
        {
            using var zt = _b.Upload(z, 3, 4);
            compute(zt);
            GradientCheck.Check(name, z, values =>
            {
                using var v = _b.Upload(values, 3, 4);
                return compute(v);
            }, loss.Gradient.ToArray(), eps: 1e-3);
        }
        using var z0 = _b.Upload(z, 3, 4);
        double expectedBce = z.Select((v, i) => -(t[i] * Math.Log(1 / (1 + Math.Exp(-v))) + (1 - t[i]) * Math.Log(1 - 1 / (1 + Math.Exp(-v))))).Average();
        Numbers.Close(expectedBce, bce.Compute(z0, targets), 1e-5, "bce mean");
    }

    [Fact]
    public void GradientsAccumulateUntilZeroed()
    {
        using var layer = new Linear(_b, 3, 2, seed: 8);
        using var x = _b.Upload(Numbers.Uniform(111, 6), 2, 3);
        using var g = _b.Upload(Numbers.Uniform(112, 4), 2, 2);
        layer.Forward(x);
        layer.Backward(g);
        var once = layer.Weight.Gradient.ToArray();
        layer.Backward(g);
        Numbers.Close(once.Select(v => 2f * v).ToArray(), layer.Weight.Gradient.ToArray(), 1e-6, "accumulated");
        layer.Weight.ZeroGradient();
        Assert.All(layer.Weight.Gradient.ToArray(), v => Assert.Equal(0f, v));
    }
}
