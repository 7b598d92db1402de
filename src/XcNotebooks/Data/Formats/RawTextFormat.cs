using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>
/// DEXML's raw-text layout: raw/trn_X.txt and raw/tst_X.txt (one point text per line), raw/Y.txt (one label text per
/// line; the line number is the label id) and the label matrices Y.trn.npz / Y.tst.npz (scipy CSR). The text files
/// may also sit beside the .npz files instead of in raw/. Features are empty (0 columns).
/// </summary>
public static class RawTextFormat
{
    /// <summary>Reads the train and test splits.</summary>
    public static DataSplits Read(string dir, TrainingMonitor? monitor = null)
    {
        var labelTexts = ReadLines(Find(dir, "Y.txt"), monitor);
        Dataset Split(string x, string y)
        {
            var textsPath = Find(dir, x);
            var labelsPath = Path.Combine(dir, y);
            var texts = ReadLines(textsPath, monitor);
            var labels = NpzFormat.ReadMatrix(labelsPath);
            if (labels.Rows != texts.Count)
                throw new DataFormatException(labelsPath, 0, $"{labels.Rows} rows, but {textsPath} has {texts.Count} texts");
            if (labels.Cols != labelTexts.Count)
                throw new DataFormatException(labelsPath, 0, $"{labels.Cols} label columns, but Y.txt has {labelTexts.Count} label texts");
            return new Dataset(CsrMatrix.Empty(texts.Count, 0), new LabelMatrix(labels))
            {
                Name = Path.GetFileNameWithoutExtension(x),
                Texts = texts,
                LabelTexts = labelTexts,
            };
        }
        return new DataSplits(Split("trn_X.txt", "Y.trn.npz"), null, Split("tst_X.txt", "Y.tst.npz"));
    }

    /// <summary>
    /// Writes raw/trn_X.txt, raw/tst_X.txt, raw/Y.txt and Y.trn.npz / Y.tst.npz. Line breaks inside a text become
    /// spaces (one text per line). Label texts fall back to label names, then to ids. The layout has no heldout split.
    /// </summary>
    public static void Write(string dir, DataSplits data)
    {
        if (data.Heldout is not null) throw new ArgumentException("the raw-text layout has no heldout split: write splits without one");
        var raw = Path.Combine(dir, "raw");
        var train = data.Train;
        var labelTexts = train.LabelTexts ?? train.LabelNames ?? Enumerable.Range(0, train.NumLabels).Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        WriteLines(Path.Combine(raw, "Y.txt"), labelTexts);
        foreach (var (x, y, split) in new[] { ("trn_X.txt", "Y.trn.npz", train), ("tst_X.txt", "Y.tst.npz", data.Test) })
        {
            WriteLines(Path.Combine(raw, x), split.Texts ?? Enumerable.Repeat("", split.NumPoints).ToArray());
            NpzFormat.WriteMatrix(Path.Combine(dir, y), split.Labels.Matrix);
        }
    }

    /// <summary>Reads one text per line.</summary>
    internal static List<string> ReadLines(string path, TrainingMonitor? monitor)
    {
        var lines = new List<string>();
        using var reader = InputFile.OpenText(path, monitor);
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    private static void WriteLines(string path, IReadOnlyList<string> lines) =>
        InputFile.WriteTextAtomic(path, w =>
        {
            foreach (var line in lines)
            {
                w.Write(line.ReplaceLineEndings(" "));
                w.Write('\n');
            }
        });

    private static string Find(string dir, string name)
    {
        foreach (var path in new[] { Path.Combine(dir, "raw", name), Path.Combine(dir, name) })
            if (File.Exists(path)) return path;
        throw new FileNotFoundException($"{Path.Combine(dir, "raw", name)}: no such file (nor {Path.Combine(dir, name)})");
    }
}
