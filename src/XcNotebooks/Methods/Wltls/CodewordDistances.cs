using System.Numerics;
using XcNotebooks.Hierarchies;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Distances between the codewords of a code whose codewords are sets of "on" bits (for W-LTLS: the edges of a
/// source-to-sink path). Written against a plain function so it serves any code.
/// </summary>
public static class CodewordDistances
{
    /// <summary>
    /// Hamming distances between <paramref name="numCodewords"/> codewords, codeword w having its bits
    /// <paramref name="bitsOfCodeword"/>(w) on (indices in 0..<paramref name="numBits"/> - 1) and all others off.
    /// For ±1 codewords the L1 distance is twice this, which the unit-norm Eq. 5 score does not see.
    /// </summary>
    public static CondensedDistances Hamming(int numCodewords, int numBits, Func<int, IReadOnlyList<int>> bitsOfCodeword)
    {
        ArgumentNullException.ThrowIfNull(bitsOfCodeword);
        if (numBits < 1) throw new ArgumentException($"codewords need at least one bit, got {numBits}");
        int words = (numBits + 63) / 64;
        var bits = new ulong[(long)numCodewords * words];
        for (int w = 0; w < numCodewords; w++)
            foreach (var b in bitsOfCodeword(w))
            {
                if ((uint)b >= (uint)numBits) throw new ArgumentException($"codeword {w}: bit {b} outside 0..{numBits - 1}");
                bits[(long)w * words + b / 64] |= 1UL << (b % 64);
            }
        var result = CondensedDistances.Zeros(numCodewords);
        Parallel.For(0, numCodewords, i =>
        {
            var a = bits.AsSpan(i * words, words);
            long at = CondensedDistances.Index(numCodewords, i, i + 1);
            for (int j = i + 1; j < numCodewords; j++)
            {
                var b = bits.AsSpan(j * words, words);
                int distance = 0;
                for (int x = 0; x < words; x++) distance += BitOperations.PopCount(a[x] ^ b[x]);
                result.Values[at++] = distance;
            }
        });
        return result;
    }
}
