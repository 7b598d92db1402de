using XcNotebooks.Compute;
using XcNotebooks.Neural;

namespace XcNotebooks.Encoders;

/// <summary>
/// Pieces the trainable encoders share, written against the backend with caller-owned tensors (an encoder pass keeps
/// its own activations, so several passes can be alive at once): affine maps and their backward passes, dropout.
/// </summary>
internal static class EncoderMath
{
    /// <summary>An affine map's weight (inputs x outputs) and bias (1 x outputs), seeded.</summary>
    public static (Parameter Weight, Parameter Bias) Affine(IComputeBackend backend, int inputs, int outputs, int seed, string name)
    {
        var (w, b) = AffineParameters.Create(backend, inputs, outputs, seed, true, WeightInit.PyTorchDefault, name, rowSparse: false);
        return (w, b!);
    }

    /// <summary>output ← x W + b (with <paramref name="accumulate"/>: output += x W + b).</summary>
    public static void Forward(IComputeBackend backend, Tensor x, Parameter weight, Parameter bias, Tensor output, bool accumulate = false)
    {
        backend.Gemm(x, false, weight.Value, false, output, beta: accumulate ? 1f : 0f);
        backend.AddRowVector(bias.Value, output);
    }

    /// <summary>W.grad += xᵀ g, b.grad += Σ rows of g, and (when asked) gradInput ← g Wᵀ.</summary>
    public static void Backward(IComputeBackend backend, Tensor x, Parameter weight, Parameter bias, Tensor gradOutput, Tensor? gradInput)
    {
        backend.Gemm(x, true, gradOutput, false, weight.Gradient, beta: 1f);
        backend.ColumnSums(gradOutput, bias.Gradient, beta: 1f);
        if (gradInput is not null) backend.Gemm(gradOutput, false, weight.Value, true, gradInput);
    }

    /// <summary>
    /// A fresh inverted-dropout mask for <paramref name="x"/> (seeded by the encoder's seed and a call counter), applied
    /// in place; null when no dropout applies.
    /// </summary>
    public static Tensor? Dropout(IComputeBackend backend, Tensor x, float probability, bool training, int seed, ref long calls)
    {
        if (!training || probability <= 0) return null;
        var mask = backend.Allocate(x.Rows, x.Cols);
        backend.DropoutMask(mask, probability, (ulong)(uint)seed << 32 | (ulong)calls++);
        backend.Multiply(x, mask, x);
        return mask;
    }
}
