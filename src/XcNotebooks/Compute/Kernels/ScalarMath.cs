using ILGPU.Algorithms;

namespace XcNotebooks.Compute.Kernels;

// Scalar formulas shared by the CPU backend's loops and the ILGPU kernels, so both paths compute the same thing.
// They only use XMath (which ILGPU compiles for every accelerator and which equals MathF on the host).

/// <summary>Activation functions and their derivatives, one value at a time.</summary>
internal static class ActivationMath
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;

    /// <summary>f(x) for the activation numbered <paramref name="kind"/> (an <see cref="ActivationKind"/>).</summary>
    public static float Forward(int kind, float slope, float x) => kind switch
    {
        (int)ActivationKind.Relu => x > 0 ? x : 0f,
        (int)ActivationKind.LeakyRelu => x > 0 ? x : slope * x,
        (int)ActivationKind.Gelu => 0.5f * x * (1f + Erf(x * InvSqrt2)),
        (int)ActivationKind.Tanh => XMath.Tanh(x),
        (int)ActivationKind.Sigmoid => Sigmoid(x),
        _ => x,
    };

    /// <summary>f'(x) given x and y = f(x).</summary>
    public static float Derivative(int kind, float slope, float x, float y) => kind switch
    {
        (int)ActivationKind.Relu => x > 0 ? 1f : 0f,
        (int)ActivationKind.LeakyRelu => x > 0 ? 1f : slope,
        (int)ActivationKind.Gelu => 0.5f * (1f + Erf(x * InvSqrt2)) + x * InvSqrt2Pi * XMath.Exp(-0.5f * x * x),
        (int)ActivationKind.Tanh => 1f - y * y,
        (int)ActivationKind.Sigmoid => y * (1f - y),
        _ => 1f,
    };

    /// <summary>The logistic function, stable for large |x|.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0) return 1f / (1f + XMath.Exp(-x));
        float e = XMath.Exp(x);
        return e / (1f + e);
    }

    /// <summary>erf(x), Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    public static float Erf(float x)
    {
        float sign = x < 0 ? -1f : 1f;
        float a = XMath.Abs(x);
        float t = 1f / (1f + 0.3275911f * a);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        return sign * (1f - poly * XMath.Exp(-a * a));
    }
}

/// <summary>Per-element losses.</summary>
internal static class LossMath
{
    /// <summary>Binary cross-entropy of logit z against target t: max(z,0) − z t + log(1 + e^−|z|).</summary>
    public static float BinaryCrossEntropy(float z, float t) =>
        XMath.Max(z, 0f) - z * t + XMath.Log(1f + XMath.Exp(-XMath.Abs(z)));
}

/// <summary>Adam hyper-parameters with the bias corrections of the current step, as kernels take them.</summary>
internal struct AdamArgs
{
    public float LearningRate, Beta1, Beta2, Epsilon, WeightDecay, Correction1, Correction2;
    public int Decoupled;

    public static AdamArgs From(AdamStep s) => new()
    {
        LearningRate = s.LearningRate,
        Beta1 = s.Beta1,
        Beta2 = s.Beta2,
        Epsilon = s.Epsilon,
        WeightDecay = s.WeightDecay,
        Decoupled = s.Decoupled ? 1 : 0,
        Correction1 = 1f - MathF.Pow(s.Beta1, s.Step),
        Correction2 = 1f - MathF.Pow(s.Beta2, s.Step),
    };
}

/// <summary>SGD hyper-parameters as kernels take them.</summary>
internal struct SgdArgs
{
    public float LearningRate, Momentum, WeightDecay;

    public static SgdArgs From(SgdStep s) => new() { LearningRate = s.LearningRate, Momentum = s.Momentum, WeightDecay = s.WeightDecay };
}

/// <summary>A parameter value with its optimiser state after one update.</summary>
internal struct OptimizerState
{
    public float Parameter, First, Second;
}

/// <summary>The optimiser update rules (PyTorch's forms of Adam, AdamW and SGD with momentum).</summary>
internal static class OptimizerMath
{
    public static OptimizerState Adam(float p, float g, float m, float v, AdamArgs a)
    {
        if (a.Decoupled != 0) p *= 1f - a.LearningRate * a.WeightDecay;
        else g += a.WeightDecay * p;
        m = a.Beta1 * m + (1f - a.Beta1) * g;
        v = a.Beta2 * v + (1f - a.Beta2) * g * g;
        float denominator = XMath.Sqrt(v / a.Correction2) + a.Epsilon;
        p -= a.LearningRate * (m / a.Correction1) / denominator;
        return new OptimizerState { Parameter = p, First = m, Second = v };
    }

    public static OptimizerState Sgd(float p, float g, float velocity, SgdArgs a)
    {
        g += a.WeightDecay * p;
        velocity = a.Momentum * velocity + g;
        return new OptimizerState { Parameter = p - a.LearningRate * velocity, First = velocity };
    }
}

/// <summary>
/// A counter-based generator: uniform [0, 1) floats from (seed, index) by the SplitMix64 finaliser, so that a mask
/// is the same on every backend and independent of thread scheduling.
/// </summary>
internal static class CounterRandom
{
    public static float Uniform(ulong seed, long index)
    {
        ulong z = seed + (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / 16777216f);
    }

    /// <summary>The inverted-dropout multiplier of element <paramref name="index"/>: 0 or 1/(1 − p).</summary>
    public static float DropoutMultiplier(ulong seed, long index, float dropProbability, float keepScale) =>
        Uniform(seed, index) < dropProbability ? 0f : keepScale;
}
