namespace XcNotebooks.Core;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small generator whose sequence is fixed by this code alone (unlike
/// System.Random, whose algorithm is not promised across runtimes), so generated data files stay reproducible.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(long seed)
    {
        ulong x = (ulong)seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator for item <paramref name="index"/> of a stream seeded by <paramref name="seed"/> (parallel-safe).</summary>
    public static SeededRandom For(long seed, long index) => new(unchecked(seed * 0x5851F42D4C957F2DL + index * 0x14057B7EF767814FL + 1));

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift, unbiased enough for n far below 2^32).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        return (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>A Poisson draw (Knuth's method; for the small means used here).</summary>
    public int Poisson(double mean)
    {
        double limit = Math.Exp(-mean), product = NextDouble();
        int k = 0;
        while (product > limit)
        {
            k++;
            product *= NextDouble();
        }
        return k;
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>An index drawn with probability proportional to the increments of <paramref name="cumulative"/> (ascending, last = total).</summary>
    public int Pick(ReadOnlySpan<double> cumulative)
    {
        double u = NextDouble() * cumulative[^1];
        int at = cumulative.BinarySearch(u);
        at = at >= 0 ? at + 1 : ~at;
        return Math.Min(at, cumulative.Length - 1);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
