namespace XcNotebooks.Core;

/// <summary>
/// Derives independent, reproducible seeds from a run's seed (SplitMix64 mixing), so that every stochastic step
/// (a shuffle per epoch, an assignment, an item of a parallel loop) gets its own seed from options.Seed and an index.
/// Unlike HashCode.Combine, the result is the same in every process.
/// </summary>
public static class Seeds
{
    /// <summary>A seed for stream <paramref name="stream"/> of the run seeded with <paramref name="seed"/>.</summary>
    public static int Derive(int seed, long stream)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1 drawn with <paramref name="seed"/> (Fisher-Yates).</summary>
    public static int[] Permutation(int count, int seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Random(seed).Shuffle(order);
        return order;
    }
}
