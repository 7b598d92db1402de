namespace XcNotebooks.Compute;

/// <summary>Which compute backend runs the tensor operations.</summary>
public enum BackendKind
{
    /// <summary>ILGPU when a real GPU (CUDA, or an OpenCL GPU) is present, else the CPU backend.</summary>
    Auto,
    /// <summary>Plain C#: TensorPrimitives / Vector256 SIMD and Parallel.For over rows; deterministic.</summary>
    Cpu,
    /// <summary>ILGPU kernels on the accelerator chosen by <see cref="IlgpuDevice"/> (XCN_ILGPU_TARGET).</summary>
    Ilgpu,
}

/// <summary>The element-wise non-linearities the backends implement.</summary>
public enum ActivationKind
{
    /// <summary>y = x.</summary>
    Identity,
    /// <summary>y = max(x, 0).</summary>
    Relu,
    /// <summary>y = x for x &gt; 0, slope * x otherwise.</summary>
    LeakyRelu,
    /// <summary>y = x Φ(x), the exact (erf) form PyTorch and BERT use.</summary>
    Gelu,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = 1 / (1 + e^-x).</summary>
    Sigmoid,
}

/// <summary>A non-linearity with its parameter (the negative slope of a leaky ReLU).</summary>
/// <param name="Kind">Which function.</param>
/// <param name="NegativeSlope">Slope for x &lt; 0 (LeakyRelu only).</param>
public sealed record Activation(ActivationKind Kind, float NegativeSlope = 0f)
{
    /// <summary>The identity.</summary>
    public static Activation Identity { get; } = new(ActivationKind.Identity);

    /// <summary>ReLU.</summary>
    public static Activation Relu { get; } = new(ActivationKind.Relu);

    /// <summary>Exact GELU.</summary>
    public static Activation Gelu { get; } = new(ActivationKind.Gelu);

    /// <summary>Hyperbolic tangent.</summary>
    public static Activation Tanh { get; } = new(ActivationKind.Tanh);

    /// <summary>Logistic sigmoid.</summary>
    public static Activation Sigmoid { get; } = new(ActivationKind.Sigmoid);

    /// <summary>Leaky ReLU with the given negative slope (PyTorch's default is 0.01).</summary>
    public static Activation LeakyRelu(float negativeSlope = 0.01f) => new(ActivationKind.LeakyRelu, negativeSlope);

    /// <summary>True when the backward pass reads the output rather than the input (tanh, sigmoid).</summary>
    public bool BackwardUsesOutput => Kind is ActivationKind.Tanh or ActivationKind.Sigmoid;

    /// <summary>"relu", "leaky_relu(0.2)", ...</summary>
    public override string ToString() => Kind == ActivationKind.LeakyRelu ? $"leaky_relu({NegativeSlope})" : Kind.ToString().ToLowerInvariant();
}

/// <summary>How an embedding bag combines the embeddings of a row's tokens.</summary>
public enum EmbeddingBagMode
{
    /// <summary>Sum of the embeddings.</summary>
    Sum,
    /// <summary>Mean of the embeddings (an empty row gives zeros).</summary>
    Mean,
}

/// <summary>
/// One Adam/AdamW update: p ← p − lr (m̂ / (√v̂ + ε) + decay), with m̂, v̂ bias-corrected at step <paramref name="Step"/>.
/// Decoupled weight decay (AdamW) multiplies p by (1 − lr·wd) first; coupled (Adam) adds wd·p to the gradient.
/// </summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="Epsilon">Denominator guard.</param>
/// <param name="WeightDecay">wd (0 for none).</param>
/// <param name="Decoupled">True for AdamW, false for L2-coupled Adam.</param>
/// <param name="Step">1-based step count for bias correction.</param>
public readonly record struct AdamStep(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, bool Decoupled, int Step);

/// <summary>One SGD update with momentum (PyTorch's form): v ← μ v + (g + wd p); p ← p − lr v.</summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Momentum">μ (0 for plain SGD).</param>
/// <param name="WeightDecay">wd (0 for none).</param>
public readonly record struct SgdStep(float LearningRate, float Momentum, float WeightDecay);
