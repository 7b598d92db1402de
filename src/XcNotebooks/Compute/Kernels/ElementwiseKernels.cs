using ILGPU;

namespace XcNotebooks.Compute.Kernels;

/// <summary>Activation kind and parameter, as kernels take them.</summary>
internal struct ActivationArgs
{
    public int Kind;
    public float Slope;

    public static ActivationArgs From(Activation a) => new() { Kind = (int)a.Kind, Slope = a.NegativeSlope };
}

/// <summary>Dropout parameters, as kernels take them.</summary>
internal struct DropoutArgs
{
    public ulong Seed;
    public float DropProbability, KeepScale;
}

/// <summary>ILGPU kernels that touch each element once (one thread per element or per row element).</summary>
internal static class ElementwiseKernels
{
    public static void Fill(Index1D i, ArrayView<float> target, float value) => target[i] = value;

    public static void Axpby(Index1D i, ArrayView<float> x, ArrayView<float> y, float alpha, float beta) =>
        y[i] = beta == 0f ? alpha * x[i] : alpha * x[i] + beta * y[i];

    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> output) =>
        output[i] = a[i] * b[i];

    public static void AddRowVector(Index1D i, ArrayView<float> vector, ArrayView<float> target, int cols) =>
        target[i] += vector[i % cols];

    /// <summary>One thread per column sums the rows in order (deterministic, coalesced across columns).</summary>
    public static void ColumnSums(Index1D j, ArrayView<float> input, ArrayView<float> output, int rows, float beta)
    {
        int cols = (int)output.Length;
        float sum = 0f;
        for (int i = 0; i < rows; i++) sum += input[i * cols + j];
        output[j] = beta == 0f ? sum : sum + beta * output[j];
    }

    public static void Activate(Index1D i, ArrayView<float> input, ArrayView<float> output, ActivationArgs a) =>
        output[i] = ActivationMath.Forward(a.Kind, a.Slope, input[i]);

    public static void ActivationBackward(Index1D i, ArrayView<float> input, ArrayView<float> output, ArrayView<float> gradOutput,
        ArrayView<float> gradInput, ActivationArgs a) =>
        gradInput[i] = gradOutput[i] * ActivationMath.Derivative(a.Kind, a.Slope, input[i], output[i]);

    public static void DropoutMask(Index1D i, ArrayView<float> mask, DropoutArgs a) =>
        mask[i] = CounterRandom.DropoutMultiplier(a.Seed, i.X, a.DropProbability, a.KeepScale);

    public static void Adam(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamArgs a)
    {
        var s = OptimizerMath.Adam(p[i], g[i], m[i], v[i], a);
        p[i] = s.Parameter;
        m[i] = s.First;
        v[i] = s.Second;
    }

    /// <summary>Adam on listed rows only: index (column, position in the row list).</summary>
    public static void AdamRows(Index2D at, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v,
        ArrayView<int> rows, int cols, AdamArgs a)
    {
        int i = rows[at.Y] * cols + at.X;
        var s = OptimizerMath.Adam(p[i], g[i], m[i], v[i], a);
        p[i] = s.Parameter;
        m[i] = s.First;
        v[i] = s.Second;
    }

    public static void Sgd(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> velocity, SgdArgs a)
    {
        var s = OptimizerMath.Sgd(p[i], g[i], velocity[i], a);
        p[i] = s.Parameter;
        velocity[i] = s.First;
    }

    public static void SgdRows(Index2D at, ArrayView<float> p, ArrayView<float> g, ArrayView<float> velocity, ArrayView<int> rows,
        int cols, SgdArgs a)
    {
        int i = rows[at.Y] * cols + at.X;
        var s = OptimizerMath.Sgd(p[i], g[i], velocity[i], a);
        p[i] = s.Parameter;
        velocity[i] = s.First;
    }

    public static void FillRows(Index2D at, ArrayView<float> target, ArrayView<int> rows, int cols, float value) =>
        target[rows[at.Y] * cols + at.X] = value;
}
