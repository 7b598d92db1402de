using System.Text;

namespace XcNotebooks.Text;

/// <summary>
/// 32-bit FNV-1a over UTF-8 bytes, streamed from UTF-16 text without encoding it to a buffer. With seed 0 it is the
/// standard FNV-1a (the seed is XOR-ed into the offset basis); the same input gives the same hash in every run and
/// on every platform, unlike <see cref="string.GetHashCode()"/>.
/// </summary>
internal static class Fnv1a
{
    public const uint OffsetBasis = 2166136261;
    public const uint Prime = 16777619;

    /// <summary>The starting state for <paramref name="seed"/>.</summary>
    public static uint Start(int seed) => OffsetBasis ^ (uint)seed;

    /// <summary>Mixes one byte in.</summary>
    public static uint Append(uint hash, byte value) => (hash ^ value) * Prime;

    /// <summary>Mixes in the UTF-8 encoding of <paramref name="text"/> (lone surrogates as U+FFFD).</summary>
    public static uint AppendUtf8(uint hash, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c < 0x80)
            {
                hash = (hash ^ c) * Prime;
                i++;
                continue;
            }
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out int used) != System.Buffers.OperationStatus.Done)
                rune = Rune.ReplacementChar;
            i += Math.Max(1, used);
            int n = rune.EncodeToUtf8(utf8);
            for (int k = 0; k < n; k++) hash = (hash ^ utf8[k]) * Prime;
        }
        return hash;
    }

    /// <summary>The hash of a byte string.</summary>
    public static uint Hash(ReadOnlySpan<byte> bytes, int seed = 0)
    {
        uint hash = Start(seed);
        foreach (byte b in bytes) hash = (hash ^ b) * Prime;
        return hash;
    }
}
