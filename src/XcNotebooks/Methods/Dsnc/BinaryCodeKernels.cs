using XcNotebooks.Compute.Kernels;
using ILGPU;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>Scalar rules of the stochastic binary code layer, shared by the CPU loops and the ILGPU kernels.</summary>
internal static class BinaryCodeMath
{
    /// <summary>A Bernoulli(p) draw for element <paramref name="index"/> from the counter-based generator: 1 or 0.</summary>
    public static float Bernoulli(ulong seed, long index, float probability) =>
        CounterRandom.Uniform(seed, index) < probability ? 1f : 0f;

    /// <summary>The deterministic code bit: 1 when the logit is positive (p &gt; 0.5).</summary>
    public static float Threshold(float logit) => logit > 0f ? 1f : 0f;
}

/// <summary>ILGPU kernels of <see cref="BinaryCodeOperations"/> (one thread per element or per row).</summary>
internal static class BinaryCodeKernels
{
    public static void Sample(Index1D i, ArrayView<float> probabilities, ArrayView<float> codes, ulong seed) =>
        codes[i] = BinaryCodeMath.Bernoulli(seed, i.X, probabilities[i]);

    public static void Threshold(Index1D i, ArrayView<float> logits, ArrayView<float> codes) =>
        codes[i] = BinaryCodeMath.Threshold(logits[i]);

    public static void NegativeLogLikelihood(Index1D row, ArrayView<float> logProbabilities, ArrayView<int> classes, ArrayView<float> output, int cols) =>
        output[row] = -logProbabilities[row * cols + classes[row]];

    public static void ScoreFunctionGradient(Index1D i, ArrayView<float> codes, ArrayView<float> probabilities, ArrayView<float> advantages,
        ArrayView<float> gradLogits, int cols) =>
        gradLogits[i] = advantages[i / cols] * (codes[i] - probabilities[i]);
}
