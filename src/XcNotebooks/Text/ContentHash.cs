using System.Security.Cryptography;
using System.Text;

namespace XcNotebooks.Text;

/// <summary>SHA-256 fingerprints of tokenizer contents and cached inputs, written as lower-case hex.</summary>
internal sealed class ContentHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[8];

    public ContentHash Add(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        return this;
    }

    /// <summary>Adds a string with its length first, so that boundaries between strings matter.</summary>
    public ContentHash Add(string text)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        Add(bytes);
        if (bytes <= 1024)
        {
            Span<byte> utf8 = stackalloc byte[bytes];
            Encoding.UTF8.GetBytes(text, utf8);
            _hash.AppendData(utf8);
        }
        else _hash.AppendData(Encoding.UTF8.GetBytes(text));
        return this;
    }

    public ContentHash Add(long value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(_scratch, value);
        _hash.AppendData(_scratch);
        return this;
    }

    public string Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();

    /// <summary>The fingerprint of a byte payload.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
