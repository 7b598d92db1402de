using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Compute;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>DSNC's binary-code operations on one backend, arguments already checked by <see cref="BinaryCodeOperations"/>.</summary>
internal interface IBinaryCodeBackend
{
    void SampleBernoulli(Tensor probabilities, Tensor codes, ulong seed);

    void Threshold(Tensor logits, Tensor codes);

    void NegativeLogLikelihood(Tensor logProbabilities, IntTensor classes, Tensor output);

    void ScoreFunctionGradient(Tensor codes, Tensor probabilities, Tensor advantages, Tensor gradLogits);
}

/// <summary>The CPU and ILGPU implementations of <see cref="IBinaryCodeBackend"/>; each backend picks its own.</summary>
internal static class BinaryCodeBackends
{
    public static readonly BackendOperations<IBinaryCodeBackend> Instance = new(new Cpu(), backend => new Ilgpu(backend.Device));

    /// <summary>Host loops over the tensors' spans.</summary>
    private sealed class Cpu : IBinaryCodeBackend
    {
        public void SampleBernoulli(Tensor probabilities, Tensor codes, ulong seed)
        {
            var p = probabilities.AsSpan();
            var b = codes.AsSpan();
            for (int i = 0; i < b.Length; i++) b[i] = BinaryCodeMath.Bernoulli(seed, i, p[i]);
        }

        public void Threshold(Tensor logits, Tensor codes)
        {
            var z = logits.AsSpan();
            var b = codes.AsSpan();
            for (int i = 0; i < b.Length; i++) b[i] = BinaryCodeMath.Threshold(z[i]);
        }

        public void NegativeLogLikelihood(Tensor logProbabilities, IntTensor classes, Tensor output)
        {
            int rows = logProbabilities.Rows, cols = logProbabilities.Cols;
            var lp = logProbabilities.AsSpan();
            var y = classes.AsSpan();
            var o = output.AsSpan();
            for (int i = 0; i < rows; i++)
            {
                if ((uint)y[i] >= (uint)cols) throw new ArgumentException($"row {i} has class {y[i]} outside 0..{cols - 1}");
                o[i] = -lp[i * cols + y[i]];
            }
        }

        public void ScoreFunctionGradient(Tensor codes, Tensor probabilities, Tensor advantages, Tensor gradLogits)
        {
            int cols = codes.Cols;
            var b = codes.AsSpan();
            var p = probabilities.AsSpan();
            var adv = advantages.AsSpan();
            var g = gradLogits.AsSpan();
            for (int i = 0; i < g.Length; i++) g[i] = adv[i / cols] * (b[i] - p[i]);
        }
    }

    /// <summary>The kernels of <see cref="BinaryCodeKernels"/>, loaded once per device.</summary>
    private sealed class Ilgpu(IlgpuDevice device) : IBinaryCodeBackend
    {
        public void SampleBernoulli(Tensor probabilities, Tensor codes, ulong seed) =>
            device.Kernel("xcn.codes.sample",
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong>(BinaryCodeKernels.Sample))(
                codes.Length, probabilities.DeviceView, codes.DeviceView, seed);

        public void Threshold(Tensor logits, Tensor codes) =>
            device.Kernel("xcn.codes.threshold",
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(BinaryCodeKernels.Threshold))(
                codes.Length, logits.DeviceView, codes.DeviceView);

        public void NegativeLogLikelihood(Tensor logProbabilities, IntTensor classes, Tensor output) =>
            device.Kernel("xcn.codes.nll",
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(BinaryCodeKernels.NegativeLogLikelihood))(
                logProbabilities.Rows, logProbabilities.DeviceView, classes.DeviceView, output.DeviceView, logProbabilities.Cols);

        public void ScoreFunctionGradient(Tensor codes, Tensor probabilities, Tensor advantages, Tensor gradLogits) =>
            device.Kernel("xcn.codes.score-function",
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(
                    BinaryCodeKernels.ScoreFunctionGradient))(
                codes.Length, codes.DeviceView, probabilities.DeviceView, advantages.DeviceView, gradLogits.DeviceView, codes.Cols);
    }
}
