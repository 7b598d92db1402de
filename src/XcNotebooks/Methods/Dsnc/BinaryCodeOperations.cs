using XcNotebooks.Compute;
using ILGPU;
using ILGPU.Runtime;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// Backend operations of stochastic binary codes (the code layer of DSNC): Bernoulli sampling from a counter-based
/// generator (the same draws on every backend for the same seed), thresholding, and the pieces of the REINFORCE
/// (score-function) gradient. Extension methods that run on <see cref="CpuBackend"/> (host loops) and
/// <see cref="IlgpuBackend"/> (kernels in Compute/Kernels/BinaryCodeKernels.cs).
/// </summary>
public static class BinaryCodeOperations
{
    /// <summary>
    /// codes ← 1 with probability p, else 0, element-wise, from a counter-based hash of (<paramref name="seed"/>,
    /// element index): the same draws on every backend.
    /// </summary>
    public static void SampleBernoulli(this IComputeBackend backend, Tensor probabilities, Tensor codes, ulong seed)
    {
        SameShape(backend, probabilities, nameof(probabilities), codes, nameof(codes));
        if (codes.Length == 0) return;
        switch (backend)
        {
            case CpuBackend:
                var p = probabilities.AsSpan();
                var b = codes.AsSpan();
                for (int i = 0; i < b.Length; i++) b[i] = BinaryCodeMath.Bernoulli(seed, i, p[i]);
                break;
            case IlgpuBackend ilgpu:
                ilgpu.Device.Kernel("xcn.codes.sample",
                    a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong>(BinaryCodeKernels.Sample))(
                    codes.Length, probabilities.DeviceView, codes.DeviceView, seed);
                break;
            default:
                throw Unsupported(backend);
        }
    }

    /// <summary>codes ← 1[logit &gt; 0] element-wise (the deterministic code, p &gt; 0.5).</summary>
    public static void ThresholdCodes(this IComputeBackend backend, Tensor logits, Tensor codes)
    {
        SameShape(backend, logits, nameof(logits), codes, nameof(codes));
        if (codes.Length == 0) return;
        switch (backend)
        {
            case CpuBackend:
                var z = logits.AsSpan();
                var b = codes.AsSpan();
                for (int i = 0; i < b.Length; i++) b[i] = BinaryCodeMath.Threshold(z[i]);
                break;
            case IlgpuBackend ilgpu:
                ilgpu.Device.Kernel("xcn.codes.threshold",
                    a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(BinaryCodeKernels.Threshold))(
                    codes.Length, logits.DeviceView, codes.DeviceView);
                break;
            default:
                throw Unsupported(backend);
        }
    }

    /// <summary>
    /// output[i] ← −logProbabilities[i, classes[i]] (output is rows x 1): the per-point cross-entropy from a
    /// log-softmax, the reward signal of REINFORCE.
    /// </summary>
    public static void NegativeLogLikelihood(this IComputeBackend backend, Tensor logProbabilities, IntTensor classes, Tensor output)
    {
        Own(backend, logProbabilities, nameof(logProbabilities));
        Own(backend, classes, nameof(classes));
        Own(backend, output, nameof(output));
        int rows = logProbabilities.Rows, cols = logProbabilities.Cols;
        if (classes.Rows != rows || classes.Cols != 1) throw new ArgumentException($"classes must be {rows} x 1, got {classes.Rows} x {classes.Cols}");
        if (output.Rows != rows || output.Cols != 1) throw new ArgumentException($"output must be {rows} x 1, got {output.Rows} x {output.Cols}");
        if (rows == 0) return;
        switch (backend)
        {
            case CpuBackend:
                var lp = logProbabilities.AsSpan();
                var y = classes.AsSpan();
                var o = output.AsSpan();
                for (int i = 0; i < rows; i++)
                {
                    if ((uint)y[i] >= (uint)cols) throw new ArgumentException($"row {i} has class {y[i]} outside 0..{cols - 1}");
                    o[i] = -lp[i * cols + y[i]];
                }
                break;
            case IlgpuBackend ilgpu:
                ilgpu.Device.Kernel("xcn.codes.nll",
                    a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(BinaryCodeKernels.NegativeLogLikelihood))(
                    rows, logProbabilities.DeviceView, classes.DeviceView, output.DeviceView, cols);
                break;
            default:
                throw Unsupported(backend);
        }
    }

    /// <summary>
    /// gradLogits[i, j] ← advantages[i] · (codes[i, j] − probabilities[i, j]): the score-function (REINFORCE) gradient
    /// of advantage-weighted log P(code) with respect to the logits of independent Bernoulli bits.
    /// </summary>
    public static void ScoreFunctionGradient(this IComputeBackend backend, Tensor codes, Tensor probabilities, Tensor advantages, Tensor gradLogits)
    {
        SameShape(backend, codes, nameof(codes), probabilities, nameof(probabilities));
        SameShape(backend, codes, nameof(codes), gradLogits, nameof(gradLogits));
        Own(backend, advantages, nameof(advantages));
        int rows = codes.Rows, cols = codes.Cols;
        if (advantages.Rows != rows || advantages.Cols != 1)
            throw new ArgumentException($"advantages must be {rows} x 1, got {advantages.Rows} x {advantages.Cols}");
        if (codes.Length == 0) return;
        switch (backend)
        {
            case CpuBackend:
                var b = codes.AsSpan();
                var p = probabilities.AsSpan();
                var adv = advantages.AsSpan();
                var g = gradLogits.AsSpan();
                for (int i = 0; i < g.Length; i++) g[i] = adv[i / cols] * (b[i] - p[i]);
                break;
            case IlgpuBackend ilgpu:
                ilgpu.Device.Kernel("xcn.codes.score-function",
                    a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(
                        BinaryCodeKernels.ScoreFunctionGradient))(
                    codes.Length, codes.DeviceView, probabilities.DeviceView, advantages.DeviceView, gradLogits.DeviceView, cols);
                break;
            default:
                throw Unsupported(backend);
        }
    }

    private static void Own<T>(IComputeBackend backend, TensorStorage<T> tensor, string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        tensor.ThrowIfDisposed();
        if (!ReferenceEquals(tensor.Backend, backend)) throw new ArgumentException($"{name} belongs to {tensor.Backend.Name}, not {backend.Name}", name);
    }

    private static void SameShape(IComputeBackend backend, Tensor a, string aName, Tensor b, string bName)
    {
        Own(backend, a, aName);
        Own(backend, b, bName);
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"{aName} is {a.Rows} x {a.Cols} but {bName} is {b.Rows} x {b.Cols}");
    }

    private static NotSupportedException Unsupported(IComputeBackend backend) =>
        new($"binary code operations run on the CPU and ILGPU backends, not on {backend.GetType().Name}");
}
