using System.Globalization;
using System.Text;

namespace XcNotebooks.Text;

/// <summary>
/// Removes accents the way BERT's uncased tokenizer does (canonical decomposition, then dropping non-spacing marks)
/// without relying on <see cref="string.Normalize()"/>, which does nothing under invariant globalization (the
/// mode this kit runs in): a table generated from the Unicode data plus the algorithmic Hangul decomposition.
/// </summary>
internal static partial class AccentFolding
{
    private const int HangulBase = 0xAC00, HangulCount = 11172, JamoLBase = 0x1100, JamoVBase = 0x1161, JamoTBase = 0x11A7;
    private const int JamoVCount = 21, JamoTCount = 28;

    /// <summary>
    /// Appends the folded form of <paramref name="rune"/> to <paramref name="output"/>: nothing for a non-spacing
    /// mark, the decomposition without marks for a precomposed character, the rune itself otherwise.
    /// </summary>
    public static void Append(Rune rune, ref CharBuffer output)
    {
        int cp = rune.Value;
        if (cp < 0xC0) { output.Append(rune); return; } // below Latin-1 letters nothing folds
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark) return;
        if ((uint)(cp - HangulBase) < HangulCount)
        {
            int s = cp - HangulBase;
            output.Append((char)(JamoLBase + s / (JamoVCount * JamoTCount)));
            output.Append((char)(JamoVBase + s % (JamoVCount * JamoTCount) / JamoTCount));
            int t = s % JamoTCount;
            if (t != 0) output.Append((char)(JamoTBase + t));
            return;
        }
        int at = Array.BinarySearch(FoldedCodePoints, cp);
        if (at < 0) { output.Append(rune); return; }
        output.Append(Replacements.AsSpan(ReplacementStarts[at], ReplacementStarts[at + 1] - ReplacementStarts[at]));
    }
}
