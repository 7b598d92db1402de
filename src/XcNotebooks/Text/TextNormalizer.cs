using System.Globalization;
using System.Text;

namespace XcNotebooks.Text;

/// <summary>
/// How raw text is cleaned before it is split into tokens. The defaults are those of BERT's uncased tokenizer:
/// control characters dropped and whitespace unified, CJK ideographs set apart, accents removed, lower case.
/// </summary>
public sealed record TextNormalization
{
    /// <summary>Lower-cases (invariant culture, after accent removal as the HF tokenizers library does).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Removes accents: "Café" becomes "cafe" (canonical decomposition, non-spacing marks dropped).</summary>
    public bool StripAccents { get; init; } = true;

    /// <summary>Drops control and format characters (NUL, U+FFFD, zero-width joiners...) and turns every whitespace into a space.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Puts spaces around CJK ideographs so that each becomes a token of its own.</summary>
    public bool SeparateCjk { get; init; } = true;

    /// <summary>No change at all: the text is split as it is.</summary>
    public static TextNormalization None { get; } = new() { LowerCase = false, StripAccents = false, CleanText = false, SeparateCjk = false };
}

/// <summary>
/// Applies a <see cref="TextNormalization"/>. Span-based with a pooled buffer; ASCII text takes a fast path.
/// Works the same under invariant globalization (accent removal does not depend on ICU).
/// </summary>
public sealed class TextNormalizer
{
    /// <summary>A normalizer for <paramref name="options"/> (BERT-uncased defaults when null).</summary>
    public TextNormalizer(TextNormalization? options = null) => Options = options ?? new TextNormalization();

    /// <summary>The options applied.</summary>
    public TextNormalization Options { get; }

    /// <summary>The normalized text.</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var buffer = NormalizeToBuffer(text);
        return buffer.Span.SequenceEqual(text) ? text : new string(buffer.Span);
    }

    /// <summary>The normalized text in a pooled buffer the caller disposes.</summary>
    internal CharBuffer NormalizeToBuffer(ReadOnlySpan<char> text)
    {
        var buffer = new CharBuffer(text.Length + 8);
        if (Ascii.IsValid(text)) NormalizeAscii(text, ref buffer);
        else NormalizeUnicode(text, ref buffer);
        return buffer;
    }

    private void NormalizeAscii(ReadOnlySpan<char> text, ref CharBuffer buffer)
    {
        var o = Options;
        var dest = buffer.Reserve(text.Length);
        int w = 0;
        foreach (char c in text)
        {
            if (o.CleanText && (c < ' ' || c == '\x7f'))
            {
                if (c is '\t' or '\n' or '\r') dest[w++] = ' ';
                continue;
            }
            dest[w++] = o.LowerCase && (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;
        }
        buffer.Truncate(buffer.Length - text.Length + w);
    }

    private void NormalizeUnicode(ReadOnlySpan<char> text, ref CharBuffer buffer)
    {
        var o = Options;
        int i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out int used) != System.Buffers.OperationStatus.Done)
                rune = Rune.ReplacementChar; // a lone surrogate
            i += used;
            if (o.CleanText)
            {
                if (rune.Value is 0 or 0xFFFD) continue;
                if (Rune.IsWhiteSpace(rune)) { buffer.Append(' '); continue; }
                var category = Rune.GetUnicodeCategory(rune);
                if (category is UnicodeCategory.Control or UnicodeCategory.Format) continue;
            }
            bool cjk = o.SeparateCjk && IsCjkIdeograph(rune.Value);
            if (cjk) buffer.Append(' ');
            int start = buffer.Length;
            if (o.StripAccents) AccentFolding.Append(rune, ref buffer);
            else buffer.Append(rune);
            if (o.LowerCase) LowerInPlace(buffer.WritableFrom(start));
            if (cjk) buffer.Append(' ');
        }
    }

    private static void LowerInPlace(Span<char> chars)
    {
        for (int k = 0; k < chars.Length; k++)
        {
            if (char.IsHighSurrogate(chars[k]) && k + 1 < chars.Length)
            {
                var lowered = Rune.ToLowerInvariant(new Rune(chars[k], chars[k + 1]));
                if (lowered.Utf16SequenceLength == 2) lowered.EncodeToUtf16(chars[k..]);
                k++;
            }
            else chars[k] = char.ToLowerInvariant(chars[k]);
        }
    }

    /// <summary>The CJK ideograph blocks BERT isolates (unified ideographs, extensions A-E, compatibility ideographs).</summary>
    internal static bool IsCjkIdeograph(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
