using XcNotebooks.Compute;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// Backend operations of stochastic binary codes (the code layer of DSNC): Bernoulli sampling from a counter-based
/// generator (the same draws on every backend for the same seed), thresholding, and the pieces of the REINFORCE
/// (score-function) gradient. Extension methods that check their arguments, then run the backend's own
/// implementation (<see cref="BinaryCodeBackends"/>: host loops on the CPU, the kernels of BinaryCodeKernels.cs on ILGPU).
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
        backend.Select(BinaryCodeBackends.Instance).SampleBernoulli(probabilities, codes, seed);
    }

    /// <summary>codes ← 1[logit &gt; 0] element-wise (the deterministic code, p &gt; 0.5).</summary>
    public static void ThresholdCodes(this IComputeBackend backend, Tensor logits, Tensor codes)
    {
        SameShape(backend, logits, nameof(logits), codes, nameof(codes));
        if (codes.Length == 0) return;
        backend.Select(BinaryCodeBackends.Instance).Threshold(logits, codes);
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
        backend.Select(BinaryCodeBackends.Instance).NegativeLogLikelihood(logProbabilities, classes, output);
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
        int rows = codes.Rows;
        if (advantages.Rows != rows || advantages.Cols != 1)
            throw new ArgumentException($"advantages must be {rows} x 1, got {advantages.Rows} x {advantages.Cols}");
        if (codes.Length == 0) return;
        backend.Select(BinaryCodeBackends.Instance).ScoreFunctionGradient(codes, probabilities, advantages, gradLogits);
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
}
