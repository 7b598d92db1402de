using Xunit;
using XcNotebooks.Compute;

namespace XcNotebooks.Tests.Compute;

/// <summary>One CPU backend and one ILGPU backend on ILGPU's CPU accelerator, shared by the tests (kernels compile once).</summary>
public sealed class BackendFixture : IDisposable
{
    public CpuBackend Cpu { get; } = new();

    public IlgpuBackend Ilgpu { get; } = IlgpuBackend.Create(IlgpuTarget.Cpu);

    public IReadOnlyList<IComputeBackend> Both => [Cpu, Ilgpu];

    public void Dispose()
    {
        Ilgpu.Dispose();
        Cpu.Dispose();
    }
}

/// <summary>Tests that use the shared ILGPU simulator run one at a time.</summary>
[CollectionDefinition("backends")]
public sealed class BackendCollection : ICollectionFixture<BackendFixture>;

/// <summary>Seeded random inputs and tolerance checks.</summary>
internal static class Numbers
{
    public static float[] Uniform(int seed, int count, float low = -1f, float high = 1f)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = low + (high - low) * (float)rng.NextDouble();
        return values;
    }

    /// <summary>Values in ±[gap, 1]: away from the kinks of ReLU-like functions.</summary>
    public static float[] AwayFromZero(int seed, int count, float gap = 0.1f)
    {
        var values = Uniform(seed, count);
        for (int i = 0; i < count; i++) values[i] = MathF.CopySign(gap + (1 - gap) * MathF.Abs(values[i]), values[i]);
        return values;
    }

    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
        }
    }

    public static void Close(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance, string what) =>
        Close(expected.Select(v => (double)v).ToArray(), actual, tolerance, what);

    public static void Close(double expected, double actual, double tolerance, string what)
    {
        if (!(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected))))
            Assert.Fail($"{what}: {actual}, expected {expected} (tolerance {tolerance})");
    }
}
