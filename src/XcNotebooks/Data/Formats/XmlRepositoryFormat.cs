using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>
/// The Extreme Classification Repository's text format: header "N D L", then per point
/// "l1,l2,... f:v f:v ..." with 0-based ids (a point without labels starts with a space).
/// </summary>
public static class XmlRepositoryFormat
{
    /// <summary>Reads a file (plain, .gz or .bz2).</summary>
    public static Dataset Read(string path) => Read(path, null);

    /// <summary>Reads a file (plain, .gz or .bz2), reporting progress to <paramref name="monitor"/>.</summary>
    public static Dataset Read(string path, TrainingMonitor? monitor)
    {
        using var reader = InputFile.OpenText(path, monitor);
        var header = reader.ReadLine() ?? throw new DataFormatException(path, 1, "empty file: expected header 'points features labels'");
        var parts = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var hp = new LineParser(path, 1);
        if (parts.Length != 3) throw hp.Error($"header must be 'points features labels', got '{LineParser.Shorten(header)}'");
        int n = hp.Int(parts[0], "point count"), d = hp.Int(parts[1], "feature count"), l = hp.Int(parts[2], "label count");
        if (n < 0 || d < 0 || l < 0) throw hp.Error($"negative count in header '{LineParser.Shorten(header)}'");
        var features = new CsrBuilder(d);
        var labels = new CsrBuilder(l);
        long lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (features.Rows == n)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                throw new DataFormatException(path, lineNo, $"more points than the header's {n}");
            }
            ParsePoint(line, new LineParser(path, lineNo), features, labels, d, l);
        }
        if (features.Rows != n)
            throw new DataFormatException(path, lineNo, $"file ends after {features.Rows} points but the header says {n} (truncated?)");
        return new Dataset(features.Build(), new LabelMatrix(labels.Build())) { Name = DatasetName(path) };
    }

    internal static void ParsePoint(string line, LineParser p, CsrBuilder features, CsrBuilder labels, int d, int l)
    {
        var span = line.AsSpan().TrimEnd();
        bool first = true;
        foreach (var token in LineParser.Tokens(span))
        {
            // The first token is the label list unless the line starts with whitespace (no labels) or it is a pair.
            if (first && !char.IsWhiteSpace(span[0]) && token.IndexOf(':') < 0)
            {
                foreach (var range in token.Split(','))
                {
                    var label = token[range];
                    if (label.IsEmpty) throw p.Error($"empty label in '{LineParser.Shorten(token)}'");
                    int id = p.Int(label, "label");
                    if (id < 0 || id >= l) throw p.Error($"label id {id} is outside 0..{l - 1}");
                    labels.Add(id, 1f);
                }
            }
            else
            {
                var (index, value) = p.Pair(token, 0, d, "feature");
                features.Add(index, value);
            }
            first = false;
        }
        features.EndRow();
        labels.EndRow();
    }

    /// <summary>Writes a data set in this format (compressed by extension).</summary>
    public static void Write(string path, Dataset data) =>
        InputFile.WriteTextAtomic(path, w =>
        {
            w.Write($"{data.NumPoints} {data.NumFeatures} {data.NumLabels}\n");
            for (int i = 0; i < data.NumPoints; i++)
            {
                w.Write(string.Join(',', data.Labels.LabelArray(i)));
                WritePairs(w, data.Features, i, 0);
                w.Write('\n');
            }
        });

    /// <summary>Writes " j:v" for each entry of a row with indices shifted by <paramref name="indexBase"/>.</summary>
    internal static void WritePairs(TextWriter w, CsrMatrix m, int row, int indexBase)
    {
        var idx = m.RowIndices(row);
        var val = m.RowValues(row);
        for (int j = 0; j < idx.Length; j++)
        {
            w.Write(' ');
            w.Write((idx[j] + indexBase).ToString(CultureInfo.InvariantCulture));
            w.Write(':');
            w.Write(val[j].ToString("R", CultureInfo.InvariantCulture));
        }
    }

    internal static string DatasetName(string path) => Path.GetFileName(InputFile.StripCompression(path));
}
