using System.Text.Json;
using System.Text.RegularExpressions;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;

namespace XcNotebooks.Data;

/// <summary>
/// One-call loaders for the real text data sets kept in ../shared/data. Each gives splits with Texts, LabelNames
/// and LabelTexts; features are empty (0 columns) until a vectoriser (Text/) fills them.
/// </summary>
public static partial class TextDatasets
{
    /// <summary>
    /// Reuters-21578 ModApte with the 90 topics that have train and test documents: train.jsonl / test.jsonl
    /// ({"newid", "title", "text", "labels": [topic, ...]}), labels.txt (the 90 topic names, the label ids' order) and
    /// cat-descriptions_120396.txt. A label's text is its description with the topic name, e.g.
    /// "Money/Foreign Exchange (money-fx)", or the name with '-' as a space where the list gives no description
    /// ("castor oil"). Point texts: title and body (Auto, TitleAndContent) or the title only.
    /// </summary>
    public static DataSplits Reuters21578(string dir, TextFields fields = TextFields.Auto, TrainingMonitor? monitor = null)
    {
        var labelsPath = Path.Combine(dir, "labels.txt");
        var names = RawTextFormat.ReadLines(labelsPath, null).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length == 0) throw new DataFormatException(labelsPath, 0, "no topic names");
        var descriptionsPath = Path.Combine(dir, "cat-descriptions_120396.txt");
        var descriptions = File.Exists(descriptionsPath) ? ReutersDescriptions(descriptionsPath) : new Dictionary<string, string>();
        var labelTexts = names.Select(n => descriptions.TryGetValue(n, out var d) ? $"{d} ({n})" : n.Replace('-', ' ')).ToArray();
        var options = fields == TextFields.Title
            ? new JsonLinesOptions { TextField = "title", LabelVocabulary = names }
            : new JsonLinesOptions { TextField = "text", TitleField = "title", LabelVocabulary = names };
        var sets = JsonLinesFormat.ReadSplits([Path.Combine(dir, "train.jsonl"), Path.Combine(dir, "test.jsonl")], options, monitor);
        return new DataSplits(
            sets[0] with { Name = "reuters21578.train", LabelTexts = labelTexts },
            null,
            sets[1] with { Name = "reuters21578.test", LabelTexts = labelTexts });
    }

    /// <summary>
    /// CLINC150 (Larson et al. 2019), data_full.json: 150 intents with 100 train / 20 validation / 30 test queries
    /// each (15,000 / 3,000 / 4,500), as train / heldout / test. With <paramref name="includeOutOfScope"/> the
    /// out-of-scope queries (100 / 100 / 1,000) join their splits under a 151st label "oos". Label ids follow
    /// domains.json (domain by domain); label names are the intents, label texts the intents with '_' as a space
    /// ("out of scope" for oos). <see cref="Clinc150Domains"/> gives each label's domain.
    /// </summary>
    public static DataSplits Clinc150(string dir, bool includeOutOfScope = false, TrainingMonitor? monitor = null)
    {
        var domains = ReadClincDomains(Path.Combine(dir, "domains.json"));
        var names = domains.Select(d => d.Intent).ToList();
        if (includeOutOfScope) names.Add(OutOfScope);
        var idOf = names.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        var labelTexts = names.Select(n => n == OutOfScope ? "out of scope" : n.Replace('_', ' ')).ToArray();
        var path = Path.Combine(dir, "data_full.json");
        var splits = ReadClincSplits(path, idOf, includeOutOfScope, monitor);
        Dataset Split(string name, string oosName)
        {
            if (!splits.TryGetValue(name, out var items)) throw new DataFormatException(path, 0, $"no '{LineParser.Shorten(name)}' split");
            if (includeOutOfScope)
            {
                if (!splits.TryGetValue(oosName, out var oos)) throw new DataFormatException(path, 0, $"no '{oosName}' split");
                items = [.. items, .. oos];
            }
            return new Dataset(CsrMatrix.Empty(items.Count, 0), LabelMatrix.FromClasses(items.Select(t => t.Label).ToArray(), names.Count))
            {
                Name = $"clinc150.{name}",
                Texts = items.Select(t => t.Text).ToArray(),
                LabelNames = names,
                LabelTexts = labelTexts,
            };
        }
        return new DataSplits(Split("train", "oos_train"), Split("val", "oos_val"), Split("test", "oos_test"));
    }

    /// <summary>The domain of each CLINC150 label id ("banking", "travel", ...; "oos" for the out-of-scope label).</summary>
    public static IReadOnlyList<string> Clinc150Domains(string dir, bool includeOutOfScope = false)
    {
        var domains = ReadClincDomains(Path.Combine(dir, "domains.json")).Select(d => d.Domain).ToList();
        if (includeOutOfScope) domains.Add(OutOfScope);
        return domains;
    }

    private const string OutOfScope = "oos";

    /// <summary>"Description (CODE)" lines of the subject-code section (before the organisation, exchange, ... lists).</summary>
    private static Dictionary<string, string> ReutersDescriptions(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = InputFile.OpenText(path);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("@heading", StringComparison.Ordinal) || line.StartsWith("____", StringComparison.Ordinal)) break;
            var m = DescriptionLine().Match(line);
            if (m.Success) result.TryAdd(m.Groups["code"].Value.ToLowerInvariant(), m.Groups["text"].Value.Trim());
        }
        return result;
    }

    [GeneratedRegex(@"^(?<text>[^()*]*[A-Za-z][^()*]*?)\s*\((?<code>[A-Z][A-Z0-9-]*)\)\s*(@\*)?\s*$")]
    private static partial Regex DescriptionLine();

    private static List<(string Domain, string Intent)> ReadClincDomains(string path)
    {
        using var stream = InputFile.OpenRead(path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"malformed JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new DataFormatException(path, 1, "expected an object mapping each domain to its list of intents");
            var result = new List<(string, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var domain in doc.RootElement.EnumerateObject())
            {
                if (domain.Value.ValueKind != JsonValueKind.Array)
                    throw new DataFormatException(path, 0, $"domain '{domain.Name}' does not map to a list of intents");
                foreach (var intent in domain.Value.EnumerateArray())
                {
                    if (intent.ValueKind != JsonValueKind.String)
                        throw new DataFormatException(path, 0, $"domain '{domain.Name}': intent {intent.GetRawText()} is not a string");
                    var name = intent.GetString()!;
                    if (!seen.Add(name)) throw new DataFormatException(path, 0, $"intent '{LineParser.Shorten(name)}' is listed twice");
                    result.Add((domain.Name, name));
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Reads {"split": [[text, intent], ...], ...} with a forward-only reader, so that an unknown intent or a bad item
    /// is reported with its line. The file is one JSON document, so its bytes are read whole (2.5 MB).
    /// </summary>
    private static Dictionary<string, List<(string Text, int Label)>> ReadClincSplits(
        string path, Dictionary<string, int> idOf, bool includeOutOfScope, TrainingMonitor? monitor)
    {
        byte[] bytes;
        using (var stream = InputFile.OpenRead(path, monitor))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        long LineAt(long offset) => 1 + bytes.AsSpan(0, (int)Math.Min(offset, bytes.Length)).Count((byte)'\n');
        var splits = new Dictionary<string, List<(string, int)>>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            void Expect(ref Utf8JsonReader r, JsonTokenType type, string what)
            {
                if (!r.Read() || r.TokenType != type)
                    throw new DataFormatException(path, LineAt(r.TokenStartIndex), $"expected {what}, found {r.TokenType}");
            }
            Expect(ref reader, JsonTokenType.StartObject, "an object of splits");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var split = reader.GetString()!;
                bool oosSplit = split.StartsWith("oos_", StringComparison.Ordinal);
                var items = new List<(string, int)>();
                Expect(ref reader, JsonTokenType.StartArray, $"a list of [text, intent] items for '{split}'");
                while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                {
                    long itemStart = reader.TokenStartIndex; // its line is counted only if it is reported
                    Expect(ref reader, JsonTokenType.String, "the query text");
                    var text = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.String, "the intent");
                    var intent = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.EndArray, "the end of a [text, intent] item");
                    if (oosSplit && !includeOutOfScope) continue;
                    if (!idOf.TryGetValue(intent, out int label))
                        throw new DataFormatException(path, LineAt(itemStart), $"intent '{intent}' is not in domains.json{(includeOutOfScope ? "" : " (out-of-scope queries are left out unless asked for)")}");
                    items.Add((text, label));
                }
                if (reader.TokenType != JsonTokenType.EndArray)
                    throw new DataFormatException(path, LineAt(reader.TokenStartIndex), $"expected a [text, intent] item in '{split}', found {reader.TokenType}");
                splits[split] = items;
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"malformed JSON: {e.Message}", e);
        }
        return splits;
    }
}
