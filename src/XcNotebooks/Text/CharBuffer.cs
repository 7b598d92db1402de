using System.Buffers;
using System.Text;

namespace XcNotebooks.Text;

/// <summary>A growable character buffer rented from the shared pool: normalised text without per-token allocation.</summary>
internal struct CharBuffer : IDisposable
{
    private char[] _chars;

    public CharBuffer(int capacity)
    {
        _chars = ArrayPool<char>.Shared.Rent(Math.Max(16, capacity));
        Length = 0;
    }

    public int Length { get; private set; }

    public readonly ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    /// <summary>The characters from <paramref name="start"/> to the end, writable (in-place case mapping).</summary>
    public readonly Span<char> WritableFrom(int start) => _chars.AsSpan(start, Length - start);

    public void Append(char c)
    {
        if (Length == _chars.Length) Grow(1);
        _chars[Length++] = c;
    }

    public void Append(Rune rune)
    {
        if (Length + 2 > _chars.Length) Grow(2);
        Length += rune.EncodeToUtf16(_chars.AsSpan(Length));
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (Length + text.Length > _chars.Length) Grow(text.Length);
        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    /// <summary>Room for <paramref name="count"/> more characters written through <see cref="Reserve"/>.</summary>
    public Span<char> Reserve(int count)
    {
        if (Length + count > _chars.Length) Grow(count);
        var span = _chars.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Keeps the first <paramref name="length"/> characters.</summary>
    public void Truncate(int length) => Length = length;

    public void Dispose()
    {
        if (_chars is not null) ArrayPool<char>.Shared.Return(_chars);
        _chars = null!;
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, Length + needed));
        _chars.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_chars);
        _chars = bigger;
    }
}
