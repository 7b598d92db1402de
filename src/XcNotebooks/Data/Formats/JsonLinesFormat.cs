using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>How to read plain JSON-lines text data sets.</summary>
public sealed record JsonLinesOptions
{
    /// <summary>The field holding the point's text.</summary>
    public string TextField { get; init; } = "text";

    /// <summary>An optional title field put before the text (on its own line) when present.</summary>
    public string? TitleField { get; init; }

    /// <summary>The field holding the label list: names (strings) or 0-based ids (integers).</summary>
    public string LabelsField { get; init; } = "labels";

    /// <summary>
    /// Label names in label-id order. Null builds it from the names read (sorted, ordinal), or for integer labels
    /// takes ids as they are. A name outside a given vocabulary is an error.
    /// </summary>
    public IReadOnlyList<string>? LabelVocabulary { get; init; }
}

/// <summary>
/// Plain JSON lines: one object per line with a text field and a label list, e.g.
/// {"text": "...", "labels": ["earn", "acq"]}. Features are empty (0 columns) until a vectoriser fills them.
/// </summary>
public static class JsonLinesFormat
{
    /// <summary>Reads one file.</summary>
    public static Dataset Read(string path, JsonLinesOptions? options = null, TrainingMonitor? monitor = null) =>
        ReadSplits([path], options, monitor)[0];

    /// <summary>Reads several files that share one label vocabulary.</summary>
    public static IReadOnlyList<Dataset> ReadSplits(IReadOnlyList<string> paths, JsonLinesOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new JsonLinesOptions();
        var raw = paths.Select(p => ReadRaw(p, options, monitor)).ToList();
        bool numeric = raw.Any(r => r.Numeric);
        if (numeric && raw.Any(r => r.Names.Count > 0 && !r.Numeric))
            throw new DataFormatException(paths[0], 0, "some files give labels as names and others as integer ids");
        IReadOnlyList<string> vocabulary = options.LabelVocabulary
            ?? (numeric
                ? Enumerable.Range(0, raw.Max(r => r.Ids.SelectMany(x => x).DefaultIfEmpty(-1).Max()) + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
                : raw.SelectMany(r => r.Names.SelectMany(x => x)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());
        var idOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++)
            if (!idOf.TryAdd(vocabulary[i], i)) throw new ArgumentException($"label '{vocabulary[i]}' appears twice in the vocabulary");
        var result = new List<Dataset>();
        foreach (var r in raw)
        {
            var labels = new CsrBuilder(vocabulary.Count);
            for (int i = 0; i < r.Texts.Count; i++)
            {
                if (r.Numeric)
                    foreach (var id in r.Ids[i])
                    {
                        if (id >= vocabulary.Count) throw new DataFormatException(r.Path, r.Lines[i], $"label id {id} is outside 0..{vocabulary.Count - 1}");
                        labels.Add(id, 1f);
                    }
                else
                    foreach (var name in r.Names[i])
                    {
                        if (!idOf.TryGetValue(name, out int id))
                            throw new DataFormatException(r.Path, r.Lines[i], $"label '{LineParser.Shorten(name)}' is not in the label vocabulary ({vocabulary.Count} labels)");
                        labels.Add(id, 1f);
                    }
                labels.EndRow();
            }
            var labelMatrix = labels.Build();
            result.Add(new Dataset(CsrMatrix.Empty(r.Texts.Count, 0), new LabelMatrix(Binarize(labelMatrix)))
            {
                Name = XmlRepositoryFormat.DatasetName(r.Path),
                Texts = r.Texts,
                LabelNames = vocabulary,
            });
        }
        return result;
    }

    /// <summary>Writes {"text": ..., "labels": [names]} lines (label ids when the data set has no names).</summary>
    public static void Write(string path, Dataset data) =>
        JsonLines.Write(path, data.NumPoints, (w, i) =>
        {
            w.WriteString("text", data.Texts?[i] ?? "");
            w.WriteStartArray("labels");
            foreach (var l in data.Labels.LabelsOf(i))
                if (data.LabelNames is null) w.WriteNumberValue(l);
                else w.WriteStringValue(data.LabelNames[l]);
            w.WriteEndArray();
        });

    /// <summary>A JSON list may name a label twice (CsrBuilder summed it): every label counts once, with relevance 1.</summary>
    private static CsrMatrix Binarize(CsrMatrix m)
    {
        var values = m.Values;
        for (int k = 0; k < values.Length; k++) values[k] = 1f;
        return m;
    }

    private sealed record RawFile(string Path, List<string> Texts, List<string[]> Names, List<int[]> Ids, List<long> Lines, bool Numeric);

    private static RawFile ReadRaw(string path, JsonLinesOptions options, TrainingMonitor? monitor)
    {
        var texts = new List<string>();
        var names = new List<string[]>();
        var ids = new List<int[]>();
        var lines = new List<long>();
        bool? numeric = null;
        JsonLines.ForEach(path, monitor, (root, p) =>
        {
            var text = JsonLines.String(root, options.TextField, p, required: true);
            if (options.TitleField is not null && JsonLines.String(root, options.TitleField, p, required: false) is { Length: > 0 } title)
                text = text.Length == 0 ? title : title + "\n" + text;
            if (!root.TryGetProperty(options.LabelsField, out var list) || list.ValueKind != JsonValueKind.Array)
                throw p.Error($"no '{options.LabelsField}' list");
            var rowNames = new List<string>();
            var rowIds = new List<int>();
            foreach (var item in list.EnumerateArray())
            {
                bool isNumber = item.ValueKind == JsonValueKind.Number;
                if (!isNumber && item.ValueKind != JsonValueKind.String) throw p.Error($"label {item.GetRawText()} is neither a name nor an id");
                if (numeric is { } n && n != isNumber) throw p.Error("labels mix names and integer ids");
                numeric = isNumber;
                if (isNumber)
                {
                    if (!item.TryGetInt32(out int id) || id < 0) throw p.Error($"label id {item.GetRawText()} is not a non-negative integer");
                    rowIds.Add(id);
                }
                else rowNames.Add(item.GetString()!);
            }
            texts.Add(text);
            names.Add([.. rowNames]);
            ids.Add([.. rowIds]);
            lines.Add(p.LineNumber);
        });
        return new RawFile(path, texts, names, ids, lines, numeric ?? false);
    }
}

/// <summary>Line-by-line JSON reading with file and line in every error.</summary>
internal static class JsonLines
{
    /// <summary>Calls <paramref name="onObject"/> for the JSON object on each non-blank line.</summary>
    public static void ForEach(string path, TrainingMonitor? monitor, Action<JsonElement, LineParser> onObject)
    {
        using var reader = InputFile.OpenText(path, monitor);
        long lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var p = new LineParser(path, lineNo);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(path, lineNo, $"malformed JSON: {e.Message}", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw p.Error("expected a JSON object on the line");
                onObject(doc.RootElement, p);
            }
        }
    }

    /// <summary>Writes one JSON object per line, its fields written by <paramref name="fields"/>.</summary>
    public static void Write(string path, int count, Action<Utf8JsonWriter, int> fields) =>
        InputFile.WriteAtomic(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            for (int i = 0; i < count; i++)
            {
                w.WriteStartObject();
                fields(w, i);
                w.WriteEndObject();
                w.Flush();
                stream.WriteByte((byte)'\n');
                w.Reset();
            }
        });

    /// <summary>A string field (a number is taken as its text); "" or an error when absent.</summary>
    public static string String(JsonElement obj, string field, LineParser p, bool required)
    {
        if (!obj.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw p.Error($"no '{LineParser.Shorten(field)}' field") : "";
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw p.Error($"'{LineParser.Shorten(field)}' is {value.ValueKind.ToString().ToLowerInvariant()}, expected a string"),
        };
    }
}
