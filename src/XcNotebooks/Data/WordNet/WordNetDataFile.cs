using System.Globalization;
using System.Text.RegularExpressions;
using XcNotebooks.Core;

namespace XcNotebooks.Data.WordNet;

/// <summary>
/// A pointer of a synset (wndb(5)): its symbol ("@" hypernym, "@i" instance hypernym, "~" hyponym, ...), the target
/// synset's offset and part of speech, and the source/target word numbers (0 for a semantic pointer between synsets).
/// </summary>
public sealed record WordNetPointer(string Symbol, long TargetOffset, char TargetPartOfSpeech, int SourceWord, int TargetWord)
{
    /// <summary>True for "@" (hypernym) and "@i" (instance hypernym).</summary>
    public bool IsHypernym => Symbol is "@" or "@i";
}

/// <summary>
/// One line of a WordNet data file (wndb(5)): <c>synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...]
/// p_cnt [ptr...] [frames...] | gloss</c>. Words keep WordNet's underscores; adjective markers ("(a)", "(p)", "(ip)")
/// are removed.
/// </summary>
public sealed record WordNetSynset(long Offset, int LexFileNumber, char SynsetType, IReadOnlyList<string> Words,
    IReadOnlyList<WordNetPointer> Pointers, string Gloss)
{
    /// <summary>The 1-based line of the data file the synset was read from (0 when built in code).</summary>
    public long Line { get; init; }

    /// <summary>The part of speech as pointers name it: 'n', 'v', 'a', 'r' (an adjective satellite 's' is 'a').</summary>
    public char PartOfSpeech => SynsetType == 's' ? 'a' : SynsetType;

    /// <summary>Offsets of the direct hypernyms ("@" and "@i") within the same part of speech, in pointer order, without repeats.</summary>
    public IReadOnlyList<long> HypernymOffsets =>
        Pointers.Where(p => p.IsHypernym && p.TargetPartOfSpeech == PartOfSpeech).Select(p => p.TargetOffset).Distinct().ToArray();

    /// <summary>The words with underscores as spaces ("domestic dog").</summary>
    public IEnumerable<string> Lemmas => Words.Select(w => w.Replace('_', ' '));
}

/// <summary>The synsets of one WordNet data file and the version its license header names.</summary>
public sealed record WordNetData(string Path, string? Version, IReadOnlyList<WordNetSynset> Synsets);

/// <summary>
/// Reads WordNet's data files (data.noun, data.verb, data.adj, data.adv) as wndb(5) documents them. Header lines
/// (the license, which start with two spaces) are skipped; any malformed synset line is a
/// <see cref="DataFormatException"/> naming the file, the line and the field.
/// </summary>
public static partial class WordNetDataFile
{
    /// <summary>Reads every synset of <paramref name="path"/> (plain, .gz or .bz2).</summary>
    public static WordNetData Read(string path, TrainingMonitor? monitor = null)
    {
        var synsets = new List<WordNetSynset>();
        string? version = null;
        var seen = new Dictionary<long, long>();
        using (var reader = InputFile.OpenText(path, monitor))
        {
            long lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (line.Length == 0) continue;
                if (line[0] == ' ')
                {
                    if (version is null && HeaderVersion().Match(line) is { Success: true } m) version = m.Groups[1].Value;
                    continue;
                }
                var synset = ParseLine(line, path, lineNumber);
                if (!seen.TryAdd(synset.Offset, lineNumber))
                    throw new DataFormatException(path, lineNumber, $"synset offset {synset.Offset:D8} is also on line {seen[synset.Offset]}");
                synsets.Add(synset);
            }
        }
        CheckPointerTargets(path, synsets);
        return new WordNetData(path, version, synsets);
    }

    /// <summary>Parses one synset line; <paramref name="file"/> and <paramref name="lineNumber"/> go into errors.</summary>
    public static WordNetSynset ParseLine(string line, string file, long lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var parser = new LineParser(file, lineNumber);
        int bar = line.IndexOf(" | ", StringComparison.Ordinal);
        var fields = bar >= 0 ? line.AsSpan(0, bar) : line.AsSpan().TrimEnd();
        if (bar < 0 && fields.EndsWith(" |")) fields = fields[..^2]; // an empty gloss
        else if (bar < 0) throw parser.Error("no ' | ' before the gloss");
        string gloss = bar >= 0 ? line[(bar + 3)..].Trim() : "";

        var tokens = LineParser.Tokens(fields);
        ReadOnlySpan<char> Next(ref TokenEnumerator t, in LineParser p, string what) =>
            t.MoveNext() ? t.Current : throw p.Error($"the line ends before {what}");

        long offset = Decimal(parser, Next(ref tokens, parser, "the synset offset"), "synset offset", 99_999_999);
        int lexFile = (int)Decimal(parser, Next(ref tokens, parser, "the lexicographer file number"), "lexicographer file number", 99);
        var typeToken = Next(ref tokens, parser, "the synset type");
        if (typeToken.Length != 1 || "nvasr".IndexOf(typeToken[0]) < 0)
            throw parser.Error($"synset type '{LineParser.Shorten(typeToken)}' is not one of n, v, a, s, r");
        char type = typeToken[0];
        int wordCount = (int)Hex(parser, Next(ref tokens, parser, "the word count"), "word count (w_cnt)");
        if (wordCount == 0) throw parser.Error("word count (w_cnt) is 0: a synset has at least one word");
        var words = new string[wordCount];
        for (int w = 0; w < wordCount; w++)
        {
            var word = Next(ref tokens, parser, $"word {w + 1} of {wordCount}");
            words[w] = AdjectiveMarker().Replace(word.ToString(), "");
            Hex(parser, Next(ref tokens, parser, $"the lex_id of word {w + 1}"), $"lex_id of word '{LineParser.Shorten(word)}'");
        }
        int pointerCount = (int)Decimal(parser, Next(ref tokens, parser, "the pointer count"), "pointer count (p_cnt)", 999);
        var pointers = new WordNetPointer[pointerCount];
        for (int k = 0; k < pointerCount; k++)
        {
            string what = $"pointer {k + 1} of {pointerCount}";
            var symbol = Next(ref tokens, parser, what).ToString();
            long target = Decimal(parser, Next(ref tokens, parser, $"the target offset of {what}"), $"target offset of {what}", 99_999_999);
            var pos = Next(ref tokens, parser, $"the part of speech of {what}");
            if (pos.Length != 1 || "nvar".IndexOf(pos[0]) < 0)
                throw parser.Error($"part of speech '{LineParser.Shorten(pos)}' of {what} is not one of n, v, a, r");
            var sourceTarget = Next(ref tokens, parser, $"the source/target field of {what}");
            if (sourceTarget.Length != 4) throw parser.Error($"source/target '{LineParser.Shorten(sourceTarget)}' of {what} is not 4 hexadecimal digits");
            int source = (int)Hex(parser, sourceTarget[..2], $"source word of {what}");
            int targetWord = (int)Hex(parser, sourceTarget[2..], $"target word of {what}");
            if (source > wordCount) throw parser.Error($"{what} names source word {source}, but the synset has {wordCount}");
            pointers[k] = new WordNetPointer(symbol, target, pos[0], source, targetWord);
        }
        if (type == 'v' && tokens.MoveNext())
        {
            // Verb frames: f_cnt + f_num w_num [+ f_num w_num ...].
            int frames = (int)Decimal(parser, tokens.Current, "frame count (f_cnt)", 99);
            for (int f = 0; f < frames; f++)
            {
                var plus = Next(ref tokens, parser, $"frame {f + 1} of {frames}");
                if (plus is not "+") throw parser.Error($"frame {f + 1} of {frames} starts with '{LineParser.Shorten(plus)}', not '+'");
                Decimal(parser, Next(ref tokens, parser, $"the number of frame {f + 1}"), $"number of frame {f + 1}", 99);
                Hex(parser, Next(ref tokens, parser, $"the word number of frame {f + 1}"), $"word number of frame {f + 1}");
            }
        }
        if (tokens.MoveNext()) throw parser.Error($"unexpected '{LineParser.Shorten(tokens.Current)}' after the {pointerCount} pointers{(type == 'v' ? " and frames" : "")}");
        return new WordNetSynset(offset, lexFile, type, words, pointers, gloss) { Line = lineNumber };
    }

    /// <summary>Every pointer into the same file's part of speech must name a synset of the file.</summary>
    private static void CheckPointerTargets(string path, List<WordNetSynset> synsets)
    {
        if (synsets.Count == 0) return;
        var offsets = synsets.Select(s => s.Offset).ToHashSet();
        char pos = synsets[0].PartOfSpeech;
        foreach (var s in synsets)
            foreach (var p in s.Pointers)
                if (p.TargetPartOfSpeech == pos && !offsets.Contains(p.TargetOffset))
                    throw new DataFormatException(path, s.Line, $"pointer '{p.Symbol}' names synset {p.TargetOffset:D8} {p.TargetPartOfSpeech}, which is not in the file");
    }

    private static long Decimal(in LineParser parser, ReadOnlySpan<char> token, string what, long max)
    {
        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > max)
            throw parser.Error($"{what} '{LineParser.Shorten(token)}' is not a decimal number up to {max}");
        return value;
    }

    private static long Hex(in LineParser parser, ReadOnlySpan<char> token, string what)
    {
        if (!long.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long value))
            throw parser.Error($"{what} '{LineParser.Shorten(token)}' is not hexadecimal");
        return value;
    }

    [GeneratedRegex(@"\((a|p|ip)\)$")]
    private static partial Regex AdjectiveMarker();

    [GeneratedRegex(@"WordNet (\d+(?:\.\d+)*) Copyright")]
    private static partial Regex HeaderVersion();
}
