using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>Which text of a record becomes the point's (or label's) text.</summary>
public enum TextFields
{
    /// <summary>The loader's rule (for LF-* sets: title only when the data set's name contains "title", as in DEXA).</summary>
    Auto,
    /// <summary>Title and content (body) together.</summary>
    TitleAndContent,
    /// <summary>The title only.</summary>
    Title,
}

/// <summary>How to read LF-* text data sets.</summary>
public sealed record LfTextOptions
{
    /// <summary>Title only, or title + " " + content (Auto: title only for "*Title*" data sets).</summary>
    public TextFields Fields { get; init; } = TextFields.Auto;
}

/// <summary>The (point, label) pairs to drop from train and test predictions (empty when a data set has none).</summary>
public sealed record LabelFilters(LabelFilter Train, LabelFilter Test)
{
    /// <summary>No filtering.</summary>
    public static LabelFilters None { get; } = new(new LabelFilter([]), new LabelFilter([]));
}

/// <summary>
/// The Extreme Classification Repository's LF-* raw-text layout: trn.json.gz, tst.json.gz (one JSON object per line:
/// uid, title, content, target_ind, target_rel) and lbl.json.gz (uid, title, content; the line number is the label
/// id), plus filter_labels_train.txt / filter_labels_test.txt. Texts follow DEXA's rule: the title, or
/// title + " " + content, stripped. Relevances come from target_rel (1 when absent). Features are empty (0 columns).
/// </summary>
public static class LfTextFormat
{
    /// <summary>Reads the train and test splits of an LF-* directory (files may also be uncompressed .json).</summary>
    public static DataSplits Read(string dir, LfTextOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new LfTextOptions();
        var fields = options.Fields != TextFields.Auto ? options.Fields
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))).Contains("title", StringComparison.OrdinalIgnoreCase)
                ? TextFields.Title : TextFields.TitleAndContent;
        var (uids, labelTexts) = ReadLabels(Find(dir, "lbl"), fields, monitor);
        Dataset Split(string name) => ReadPoints(Find(dir, name), labelTexts.Count, fields, monitor) with { LabelNames = uids, LabelTexts = labelTexts };
        return new DataSplits(Split("trn"), null, Split("tst"));
    }

    /// <summary>The filter files of an LF-* directory; a missing file filters nothing.</summary>
    public static LabelFilters ReadFilters(string dir)
    {
        LabelFilter Read(string name)
        {
            var path = Path.Combine(dir, name);
            return File.Exists(path) ? LabelFilter.Read(path) : new LabelFilter([]);
        }
        return new LabelFilters(Read("filter_labels_train.txt"), Read("filter_labels_test.txt"));
    }

    /// <summary>
    /// Writes trn.json.gz, tst.json.gz and lbl.json.gz: texts go to "title" (content empty), label texts to the
    /// labels' titles and label names to their uids. The layout has no heldout split.
    /// </summary>
    public static void Write(string dir, DataSplits data)
    {
        if (data.Heldout is not null) throw new ArgumentException("the LF layout has no heldout split: write splits without one");
        Directory.CreateDirectory(dir);
        var train = data.Train;
        var names = train.LabelNames;
        var texts = train.LabelTexts ?? names;
        JsonLines.Write(Path.Combine(dir, "lbl.json.gz"), train.NumLabels, (w, l) =>
        {
            w.WriteString("uid", names?[l] ?? l.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("title", texts?[l] ?? "");
            w.WriteString("content", "");
        });
        foreach (var (file, split) in new[] { ("trn.json.gz", train), ("tst.json.gz", data.Test) })
            JsonLines.Write(Path.Combine(dir, file), split.NumPoints, (w, i) =>
            {
                w.WriteString("uid", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("title", split.Texts?[i] ?? "");
                w.WriteString("content", "");
                w.WriteStartArray("target_ind");
                foreach (var l in split.Labels.LabelsOf(i)) w.WriteNumberValue(l);
                w.WriteEndArray();
                w.WriteStartArray("target_rel");
                foreach (var v in split.Labels.Matrix.RowValues(i)) w.WriteNumberValue(v);
                w.WriteEndArray();
            });
    }

    private static string Find(string dir, string name)
    {
        foreach (var candidate in new[] { name + ".json.gz", name + ".json", name + ".jsonl.gz", name + ".jsonl" })
        {
            var path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{Path.Combine(dir, name + ".json.gz")}: no such file");
    }

    private static string Text(JsonElement obj, TextFields fields, LineParser p)
    {
        var title = JsonLines.String(obj, "title", p, required: false);
        if (fields == TextFields.Title) return title.Trim();
        return (title + " " + JsonLines.String(obj, "content", p, required: false)).Trim();
    }

    private static (IReadOnlyList<string> Uids, IReadOnlyList<string> Texts) ReadLabels(string path, TextFields fields, TrainingMonitor? monitor)
    {
        var uids = new List<string>();
        var texts = new List<string>();
        JsonLines.ForEach(path, monitor, (obj, p) =>
        {
            uids.Add(JsonLines.String(obj, "uid", p, required: false));
            texts.Add(Text(obj, fields, p));
        });
        return (uids, texts);
    }

    private static Dataset ReadPoints(string path, int numLabels, TextFields fields, TrainingMonitor? monitor)
    {
        var labels = new CsrBuilder(numLabels);
        var texts = new List<string>();
        JsonLines.ForEach(path, monitor, (obj, p) =>
        {
            texts.Add(Text(obj, fields, p));
            if (!obj.TryGetProperty("target_ind", out var ind) || ind.ValueKind != JsonValueKind.Array) throw p.Error("no 'target_ind' list");
            JsonElement? rel = obj.TryGetProperty("target_rel", out var r) && r.ValueKind == JsonValueKind.Array ? r : null;
            if (rel is { } rl && rl.GetArrayLength() != ind.GetArrayLength())
                throw p.Error($"target_rel has {rl.GetArrayLength()} values but target_ind has {ind.GetArrayLength()}");
            int k = 0;
            foreach (var item in ind.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id))
                    throw p.Error($"label id {item.GetRawText()} is not an integer");
                if (id < 0 || id >= numLabels) throw p.Error($"label id {id} is outside 0..{numLabels - 1} (lbl.json.gz has {numLabels} labels)");
                float value = 1f;
                if (rel is { } rv)
                {
                    var v = rv[k];
                    if (v.ValueKind != JsonValueKind.Number || !v.TryGetSingle(out value) || !float.IsFinite(value))
                        throw p.Error($"relevance {v.GetRawText()} is not a finite number");
                }
                labels.Add(id, value);
                k++;
            }
            SparseTextFormat.EndRowRejectingDuplicates(labels, p);
        });
        return new Dataset(CsrMatrix.Empty(texts.Count, 0), new LabelMatrix(labels.Build()))
        {
            Name = XmlRepositoryFormat.DatasetName(path),
            Texts = texts,
        };
    }
}
