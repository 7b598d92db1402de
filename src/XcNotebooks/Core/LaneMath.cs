using System.Numerics;
using System.Runtime.CompilerServices;

namespace XcNotebooks.Core;

/// <summary>
/// Lane-wise arithmetic (learner banks, responses across edges) with System.Numerics vectors and a scalar tail.
/// Every lane gets the operations of the scalar formula in the same order (no fused multiply-add), so results do not
/// depend on the vector width. Optimised at first call: short runs would otherwise spend their time in tier-0 code.
/// </summary>
internal static class LaneMath
{
    /// <summary>acc[l] += row[l] * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<float> acc, ReadOnlySpan<float> row, float x)
    {
        int l = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = new Vector<float>(x);
            for (; l <= acc.Length - Vector<float>.Count; l += Vector<float>.Count)
                (new Vector<float>(acc[l..]) + new Vector<float>(row[l..]) * vx).CopyTo(acc[l..]);
        }
        for (; l < acc.Length; l++) acc[l] += row[l] * x;
    }

    /// <summary>AROW on one feature: c = Sigma x; w += alpha c; Sigma -= (beta c) c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArowStep(Span<float> w, Span<float> sigma, float x, ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta)
    {
        int l = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = new Vector<float>(x);
            for (; l <= w.Length - Vector<float>.Count; l += Vector<float>.Count)
            {
                var s = new Vector<float>(sigma[l..]);
                var covX = s * vx;
                (new Vector<float>(w[l..]) + new Vector<float>(alpha[l..]) * covX).CopyTo(w[l..]);
                (s - new Vector<float>(beta[l..]) * covX * covX).CopyTo(sigma[l..]);
            }
        }
        for (; l < w.Length; l++)
        {
            float covX = sigma[l] * x;
            w[l] += alpha[l] * covX;
            sigma[l] -= beta[l] * covX * covX;
        }
    }

    /// <summary>Perceptron on one feature: s = step x; w += s; u += c s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PerceptronStep(Span<float> w, Span<float> u, float x, ReadOnlySpan<float> step, float c)
    {
        int l = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = new Vector<float>(x);
            var vc = new Vector<float>(c);
            for (; l <= w.Length - Vector<float>.Count; l += Vector<float>.Count)
            {
                var s = new Vector<float>(step[l..]) * vx;
                (new Vector<float>(w[l..]) + s).CopyTo(w[l..]);
                (new Vector<float>(u[l..]) + vc * s).CopyTo(u[l..]);
            }
        }
        for (; l < w.Length; l++)
        {
            float s = step[l] * x;
            w[l] += s;
            u[l] += c * s;
        }
    }
}
