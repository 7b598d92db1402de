using System.Globalization;

namespace XcNotebooks.Core;

/// <summary>
/// Span-based helpers shared by the text readers: split tokens, parse "index:value" pairs and numbers, and raise
/// <see cref="DataFormatException"/> with file and line on anything malformed.
/// </summary>
internal readonly ref struct LineParser
{
    public LineParser(string file, long lineNumber)
    {
        File = file;
        LineNumber = lineNumber;
    }

    public string File { get; }
    public long LineNumber { get; }

    public DataFormatException Error(string problem) => new(File, LineNumber, problem);

    /// <summary>The most characters of a token a message shows; a longer one is cut and ends in "…".</summary>
    public const int ShownTokenChars = 40;

    /// <summary>A token as a message shows it: whole when short, else its first <see cref="ShownTokenChars"/> characters and "…".</summary>
    public static string Shorten(ReadOnlySpan<char> token) =>
        token.Length <= ShownTokenChars ? token.ToString() : string.Concat(token[..ShownTokenChars], "…");

    /// <summary>Parses an integer token or throws naming what it is.</summary>
    public int Int(ReadOnlySpan<char> token, string what)
    {
        if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw Error($"{what} '{Shorten(token)}' is not an integer");
        return value;
    }

    /// <summary>The largest label value read: every integer up to 2^53 is exact as a double, so "1e3" and "1000" agree.</summary>
    public const long MaxLabelValue = 1L << 53;

    /// <summary>
    /// Parses a raw integer label ("7", "-1", also "7.0" or "1e3" as some exports write them); NaN, infinities,
    /// fractions and values beyond ±2^53 are errors naming the token.
    /// </summary>
    public long IntegerLabel(ReadOnlySpan<char> token)
    {
        if (long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out long exact) && Math.Abs(exact) <= MaxLabelValue)
            return exact;
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value != Math.Floor(value))
            throw Error($"label '{Shorten(token)}' is not an integer");
        if (Math.Abs(value) > MaxLabelValue) throw Error($"label '{Shorten(token)}' is outside ±2^53, the range of label values read");
        return (long)value;
    }

    /// <summary>Parses a float token, rejecting NaN and infinities.</summary>
    public float Float(ReadOnlySpan<char> token, string what)
    {
        if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            throw Error($"{what} '{Shorten(token)}' is not a number");
        if (!float.IsFinite(value)) throw Error($"{what} is {Shorten(token)}, not a finite number");
        return value;
    }

    /// <summary>Parses "index:value" with the index shifted by -<paramref name="indexBase"/> and checked against [0, limit).</summary>
    public (int Index, float Value) Pair(ReadOnlySpan<char> token, int indexBase, int limit, string what)
    {
        int colon = token.IndexOf(':');
        if (colon <= 0 || colon == token.Length - 1) throw Error($"expected '{what}:value', got '{Shorten(token)}'");
        long index = (long)Int(token[..colon], what + " id") - indexBase;
        if (index < 0 || (limit >= 0 && index >= limit) || index > CsrMatrix.MaxColumnIndex)
        {
            long shown = index + indexBase;
            throw Error(limit >= 0
                ? $"{what} id {shown} is outside {indexBase}..{limit - 1L + indexBase}"
                : index < 0 ? $"{what} id {shown} is below {indexBase}"
                : $"{what} id {shown} is above {CsrMatrix.MaxColumnIndex + (long)indexBase}, the largest a sparse matrix holds");
        }
        return ((int)index, Float(token[(colon + 1)..], what + " value"));
    }

    /// <summary>Enumerates whitespace-separated tokens of a line.</summary>
    public static TokenEnumerator Tokens(ReadOnlySpan<char> line) => new(line);
}

/// <summary>Whitespace tokenizer over a span (no allocation).</summary>
internal ref struct TokenEnumerator
{
    private ReadOnlySpan<char> _rest;

    public TokenEnumerator(ReadOnlySpan<char> line)
    {
        _rest = line;
        Current = default;
    }

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly TokenEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        int start = 0;
        while (start < _rest.Length && char.IsWhiteSpace(_rest[start])) start++;
        if (start == _rest.Length) return false;
        int end = start;
        while (end < _rest.Length && !char.IsWhiteSpace(_rest[end])) end++;
        Current = _rest[start..end];
        _rest = _rest[end..];
        return true;
    }
}
