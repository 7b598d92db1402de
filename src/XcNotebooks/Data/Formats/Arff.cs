using XcNotebooks.Core;
using System.Globalization;
using System.Text;

namespace XcNotebooks.Data.Formats;

/// <summary>The kinds of ARFF attribute the readers understand.</summary>
internal enum ArffKind { Numeric, Nominal, String, Date, Hierarchical }

/// <summary>One "@attribute" declaration: its name, kind, nominal categories or hierarchy text, and where it was declared.</summary>
internal sealed record ArffAttribute(string Name, ArffKind Kind, IReadOnlyList<string> Categories, string Hierarchy, long Line)
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _categoryIndex =
        Categories.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Index of a nominal value, or -1 when it is not declared (span lookup: no allocation per value).</summary>
    public int CategoryIndex(ReadOnlySpan<char> value) => _categoryIndex.TryGetValue(value, out int i) ? i : -1;
}

/// <summary>The header of an ARFF file: relation name, attributes, and the line holding "@data".</summary>
internal sealed record ArffHeader(string Relation, IReadOnlyList<ArffAttribute> Attributes, long DataLine)
{
    /// <summary>
    /// Reads header lines up to and including "@data" ('%' comments and blank lines skipped).
    /// Returns with <paramref name="reader"/> positioned on the first data line.
    /// </summary>
    public static ArffHeader Read(TextReader reader, string path)
    {
        string relation = "";
        var attributes = new List<ArffAttribute>();
        long lineNo = 0;
        while (reader.ReadLine() is { } raw)
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '%') continue;
            var p = new LineParser(path, lineNo);
            if (StartsWithKeyword(line, "@relation")) relation = Unquote(line["@relation".Length..].Trim());
            else if (StartsWithKeyword(line, "@attribute")) attributes.Add(ParseAttribute(line["@attribute".Length..].Trim(), p));
            else if (StartsWithKeyword(line, "@data"))
            {
                if (attributes.Count == 0) throw p.Error("@data before any @attribute");
                return new ArffHeader(relation, attributes, lineNo);
            }
            else throw p.Error($"expected @relation, @attribute or @data, got '{LineParser.Shorten(line)}'");
        }
        throw new DataFormatException(path, lineNo, "file ends before @data (truncated, or not an ARFF file)");
    }

    private static ArffAttribute ParseAttribute(string rest, LineParser p)
    {
        var (name, typeText) = SplitName(rest, p);
        var type = typeText.Trim();
        if (type.Length == 0) throw p.Error($"attribute '{LineParser.Shorten(name)}' has no type");
        if (type[0] == '{')
        {
            int close = type.LastIndexOf('}');
            if (close < 0) throw p.Error($"attribute '{LineParser.Shorten(name)}': nominal values lack a closing '}}'");
            var categories = SplitValues(type.AsSpan(1, close - 1)).ToList();
            return new ArffAttribute(name, ArffKind.Nominal, categories, "", p.LineNumber);
        }
        var word = type.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        return word[0].ToLowerInvariant() switch
        {
            "numeric" or "real" or "integer" => new ArffAttribute(name, ArffKind.Numeric, [], "", p.LineNumber),
            "string" => new ArffAttribute(name, ArffKind.String, [], "", p.LineNumber),
            "date" => new ArffAttribute(name, ArffKind.Date, [], "", p.LineNumber),
            "hierarchical" => new ArffAttribute(name, ArffKind.Hierarchical, [], word.Length > 1 ? word[1] : "", p.LineNumber),
            _ => throw p.Error($"attribute '{LineParser.Shorten(name)}' has unsupported type '{LineParser.Shorten(type)}'"),
        };
    }

    private static (string Name, string TypeText) SplitName(string text, LineParser p)
    {
        if (text.Length > 0 && text[0] is '\'' or '"')
        {
            char quote = text[0];
            var name = new StringBuilder();
            for (int i = 1; i < text.Length; i++)
            {
                if (text[i] == '\\' && i + 1 < text.Length) name.Append(text[++i]);
                else if (text[i] == quote) return (name.ToString(), text[(i + 1)..]);
                else name.Append(text[i]);
            }
            throw p.Error($"attribute name {text} lacks its closing quote");
        }
        int space = 0;
        while (space < text.Length && !char.IsWhiteSpace(text[space]) && text[space] != '{') space++;
        if (space == 0) throw p.Error("@attribute without a name");
        return (text[..space], text[space..]);
    }

    /// <summary>Splits a comma-separated value list, honouring quotes.</summary>
    public static IEnumerable<string> SplitValues(ReadOnlySpan<char> text)
    {
        var values = new List<string>();
        var e = new ArffValueEnumerator(text, sparse: false);
        while (e.MoveNext()) values.Add(e.Value.ToString());
        return values;
    }

    private static bool StartsWithKeyword(string line, string keyword) =>
        line.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && (line.Length == keyword.Length || char.IsWhiteSpace(line[keyword.Length]));

    private static string Unquote(string s) => s.Length >= 2 && s[0] is '\'' or '"' && s[^1] == s[0] ? s[1..^1] : s;

}

/// <summary>
/// Walks the values of one ARFF data row without allocating: dense rows ("v1,v2,...") give attribute indices
/// 0, 1, 2, ...; sparse rows ("{i v, j v}") give the listed indices. Quoted values lose their quotes.
/// </summary>
internal ref struct ArffValueEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private readonly bool _sparse;
    private int _pos;
    private int _next;

    public ArffValueEnumerator(ReadOnlySpan<char> text, bool sparse)
    {
        _text = text;
        _sparse = sparse;
    }

    /// <summary>True when a row is in sparse form: it starts with '{'.</summary>
    public static bool IsSparse(ReadOnlySpan<char> row) => row.TrimStart().StartsWith("{");

    /// <summary>Attribute index of the current value.</summary>
    public int Attribute { get; private set; }

    /// <summary>The current value text (quotes removed, whitespace trimmed).</summary>
    public ReadOnlySpan<char> Value { get; private set; }

    /// <summary>For sparse rows: the index text when it is not a valid index (the caller reports it).</summary>
    public ReadOnlySpan<char> BadIndex { get; private set; }

    public bool MoveNext()
    {
        if (_sparse && _pos == 0)
        {
            int open = _text.IndexOf('{');
            _pos = open + 1;
            int close = _text.LastIndexOf('}');
            if (close < 0) { BadIndex = "missing '}'"; return false; }
        }
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        if (_pos >= _text.Length || (_sparse && _text[_pos] == '}')) return false;
        int start = _pos;
        bool quoted = false;
        char quote = '\0';
        int end = start;
        while (end < _text.Length)
        {
            char c = _text[end];
            if (quoted)
            {
                if (c == '\\') end++;
                else if (c == quote) quoted = false;
            }
            else if (c is '\'' or '"') { quoted = true; quote = c; }
            else if (c == ',' || (_sparse && c == '}')) break;
            end++;
        }
        var item = _text[start..Math.Min(end, _text.Length)].Trim();
        _pos = end < _text.Length && _text[end] == ',' ? end + 1 : end;
        if (_sparse)
        {
            int space = 0;
            while (space < item.Length && !char.IsWhiteSpace(item[space])) space++;
            var indexText = item[..space];
            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                BadIndex = item.IsEmpty ? "(empty)" : indexText;
                return false;
            }
            Attribute = index;
            item = item[space..].Trim();
        }
        else Attribute = _next++;
        if (item.Length >= 2 && item[0] is '\'' or '"' && item[^1] == item[0]) item = item[1..^1];
        Value = item;
        return true;
    }
}

/// <summary>
/// How non-label ARFF attributes become feature columns: a numeric attribute is one column; a nominal attribute
/// with k values is k-1 indicator columns for values 2..k (the first value is the reference level, so that the
/// zero an omitted sparse value stands for is all-zero); '?' (missing) reads as 0.
/// </summary>
internal sealed class ArffFeatureMap
{
    private readonly int[] _firstColumn;
    private readonly ArffHeader _header;

    public ArffFeatureMap(ArffHeader header, Func<int, bool> isFeature, string path)
    {
        _header = header;
        _firstColumn = new int[header.Attributes.Count];
        int col = 0;
        for (int a = 0; a < header.Attributes.Count; a++)
        {
            _firstColumn[a] = -1;
            if (!isFeature(a)) continue;
            var attr = header.Attributes[a];
            _firstColumn[a] = col;
            col += attr.Kind switch
            {
                ArffKind.Numeric => 1,
                ArffKind.Nominal => Math.Max(0, attr.Categories.Count - 1),
                _ => throw new DataFormatException(path, attr.Line,
                    $"attribute '{attr.Name}' is {attr.Kind.ToString().ToLowerInvariant()}: only numeric and nominal attributes can be features"),
            };
        }
        NumFeatures = col;
    }

    /// <summary>Number of feature columns.</summary>
    public int NumFeatures { get; }

    /// <summary>True when attribute <paramref name="attribute"/> feeds feature columns.</summary>
    public bool IsFeature(int attribute) => _firstColumn[attribute] >= 0;

    /// <summary>Adds the feature value(s) of one attribute value to the row being built.</summary>
    public void Add(int attribute, ReadOnlySpan<char> value, CsrBuilder features, LineParser p)
    {
        if (value.SequenceEqual("?")) return;
        var attr = _header.Attributes[attribute];
        if (attr.Kind == ArffKind.Numeric)
        {
            float v = p.Float(value, $"value of '{attr.Name}'");
            if (v != 0) features.Add(_firstColumn[attribute], v);
            return;
        }
        int category = attr.CategoryIndex(value);
        if (category < 0) throw p.Error($"'{LineParser.Shorten(value)}' is not one of the declared values of '{attr.Name}' {{{string.Join(',', attr.Categories)}}}");
        if (category > 0) features.Add(_firstColumn[attribute] + category - 1, 1f);
    }
}

/// <summary>Receives one value of an ARFF data row.</summary>
internal delegate void ArffValueHandler(int attribute, ReadOnlySpan<char> value, LineParser p);

/// <summary>Receives the end of an ARFF data row.</summary>
internal delegate void ArffRowEndHandler(LineParser p);

/// <summary>Reads the data rows after an ARFF header, checking indices and (for dense rows) the value count.</summary>
internal static class ArffRows
{
    /// <summary>
    /// Calls <paramref name="onValue"/> for every value of every row ('%' comments and blank lines skipped), then
    /// <paramref name="onRowEnd"/> once per row.
    /// </summary>
    public static void Read(TextReader reader, string path, ArffHeader header, ArffValueHandler onValue, ArffRowEndHandler onRowEnd)
    {
        int attributes = header.Attributes.Count;
        long lineNo = header.DataLine;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var span = line.AsSpan();
            int comment = span.IndexOf('%');
            if (comment >= 0) span = span[..comment];
            span = span.Trim();
            if (span.IsEmpty) continue;
            var p = new LineParser(path, lineNo);
            bool sparse = ArffValueEnumerator.IsSparse(span);
            var e = new ArffValueEnumerator(span, sparse);
            int count = 0;
            while (e.MoveNext())
            {
                count++;
                if (e.Attribute >= attributes)
                    throw p.Error(sparse ? $"attribute index {e.Attribute} is outside 0..{attributes - 1}" : $"more values than the {attributes} attributes");
                onValue(e.Attribute, e.Value, p);
            }
            if (!e.BadIndex.IsEmpty) throw p.Error($"bad sparse entry: '{e.BadIndex}'");
            if (!sparse && count != attributes) throw p.Error($"{count} values, but the header declares {attributes} attributes (truncated line?)");
            onRowEnd(p);
        }
    }
}
