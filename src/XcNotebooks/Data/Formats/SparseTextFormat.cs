using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>How to read pyxclib sparse text matrices.</summary>
public sealed record SparseTextOptions
{
    /// <summary>
    /// pyxclib's lenient rule: a file with fewer rows than its header says has empty trailing rows. Off by default,
    /// because the writers always write every row, so a short file is almost always a truncated one.
    /// </summary>
    public bool AllowMissingTrailingRows { get; init; }
}

/// <summary>
/// pyxclib's sparse text matrix ("XMLRepository X/Y variant"): header "rows cols", then one line per row of
/// "j:v j:v ..." with 0-based column ids; an empty line is an empty row, text after '#' is ignored and a leading
/// "qid:n" token is allowed. Features (trn_X_Xf.txt), labels (trn_X_Y.txt) and prediction score files use it.
/// </summary>
public static class SparseTextFormat
{
    /// <summary>Reads a matrix (plain, .gz or .bz2). Columns within a row may come in any order but not repeat.</summary>
    public static CsrMatrix ReadMatrix(string path, SparseTextOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new SparseTextOptions();
        using var reader = InputFile.OpenText(path, monitor);
        var header = reader.ReadLine() ?? throw new DataFormatException(path, 1, "empty file: expected header 'rows cols'");
        var (rows, cols) = ParseHeader(path, header);
        var builder = new CsrBuilder(cols);
        long lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var p = new LineParser(path, lineNo);
            var span = line.AsSpan();
            int hash = span.IndexOf('#');
            if (hash >= 0) span = span[..hash];
            if (builder.Rows == rows)
            {
                if (span.IsWhiteSpace()) continue;
                throw p.Error($"more rows than the header's {rows}");
            }
            bool first = true;
            foreach (var token in LineParser.Tokens(span))
            {
                if (!(first && token.StartsWith("qid:")))
                {
                    var (index, value) = p.Pair(token, 0, cols, "column");
                    builder.Add(index, value);
                }
                first = false;
            }
            EndRowRejectingDuplicates(builder, p);
        }
        if (builder.Rows < rows)
        {
            if (!options.AllowMissingTrailingRows)
                throw new DataFormatException(path, lineNo, $"file ends after {builder.Rows} rows but the header says {rows} (truncated?)");
            while (builder.Rows < rows) builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>Writes a matrix: header "rows cols", then one line of "j:v" pairs per row (compressed by extension).</summary>
    public static void WriteMatrix(string path, CsrMatrix matrix) =>
        InputFile.WriteTextAtomic(path, w =>
        {
            w.Write($"{matrix.Rows} {matrix.Cols}\n");
            for (int i = 0; i < matrix.Rows; i++)
            {
                var idx = matrix.RowIndices(i);
                var val = matrix.RowValues(i);
                for (int j = 0; j < idx.Length; j++)
                {
                    if (j > 0) w.Write(' ');
                    w.Write(idx[j].ToString(CultureInfo.InvariantCulture));
                    w.Write(':');
                    w.Write(val[j].ToString("R", CultureInfo.InvariantCulture));
                }
                w.Write('\n');
            }
        });

    /// <summary>
    /// Reads a data set from a features file and a labels file (e.g. trn_X_Xf.txt and trn_X_Y.txt); label values
    /// are kept as relevances.
    /// </summary>
    public static Dataset ReadDataset(string featuresPath, string labelsPath, SparseTextOptions? options = null, TrainingMonitor? monitor = null)
    {
        var features = ReadMatrix(featuresPath, options, monitor);
        var labels = ReadMatrix(labelsPath, options, monitor);
        return PairedMatrices.Combine(featuresPath, features, labelsPath, labels);
    }

    /// <summary>Writes features and labels as two files (the pyxclib layout).</summary>
    public static void WriteDataset(string featuresPath, string labelsPath, Dataset data)
    {
        WriteMatrix(featuresPath, data.Features);
        WriteMatrix(labelsPath, data.Labels.Matrix);
    }

    private static (int Rows, int Cols) ParseHeader(string path, string header)
    {
        var p = new LineParser(path, 1);
        var parts = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2) throw p.Error($"header must be 'rows cols', got '{LineParser.Shorten(header)}'");
        int rows = p.Int(parts[0], "row count"), cols = p.Int(parts[1], "column count");
        if (rows < 0 || cols < 0) throw p.Error($"negative count in header '{LineParser.Shorten(header)}'");
        return (rows, cols);
    }

    /// <summary>Closes a row, refusing a column given twice (pyxclib's safe mode does too): summing would hide a bug.</summary>
    internal static void EndRowRejectingDuplicates(CsrBuilder builder, LineParser p)
    {
        long before = builder.PendingEntries;
        builder.EndRow();
        if (builder.LastRowLength != before)
            throw p.Error("a column id appears twice in the row");
    }
}

/// <summary>Joins a features matrix and a labels matrix read from two files into a data set.</summary>
internal static class PairedMatrices
{
    public static Dataset Combine(string featuresPath, CsrMatrix features, string labelsPath, CsrMatrix labels)
    {
        if (features.Rows != labels.Rows)
            throw new DataFormatException(labelsPath, 1, $"{labels.Rows} rows, but the features file {featuresPath} has {features.Rows}");
        return new Dataset(features, new LabelMatrix(labels)) { Name = XmlRepositoryFormat.DatasetName(featuresPath) };
    }
}
