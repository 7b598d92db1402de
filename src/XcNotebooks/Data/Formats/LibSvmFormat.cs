using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>How to read LIBSVM/SVMlight files.</summary>
public sealed record LibSvmOptions
{
    /// <summary>Index of the first feature in the file (1 in LIBSVM files, 0 in some exports).</summary>
    public int FeatureBase { get; init; } = 1;

    /// <summary>Feature dimension; null infers it from the largest index seen.</summary>
    public int? NumFeatures { get; init; }

    /// <summary>
    /// The raw label values in label-id order; null builds the vocabulary from the sorted distinct labels read.
    /// A label not in a given vocabulary is an error.
    /// </summary>
    public IReadOnlyList<long>? LabelVocabulary { get; init; }
}

/// <summary>
/// LIBSVM/SVMlight text: "label[,label...] index:value ..." per line, multi-class or comma-separated multi-label,
/// "#" comments allowed. PD-Sparse splits (.train/.heldout/.test) are LIBSVM files read with one vocabulary.
/// </summary>
public static class LibSvmFormat
{
    /// <summary>Reads one file; labels become ids 0..L-1 in the order of the vocabulary (sorted raw values).</summary>
    public static Dataset Read(string path, LibSvmOptions? options = null) => ReadSplits([path], options)[0];

    /// <summary>
    /// Reads several files that share one label vocabulary and feature dimension (the union over all files unless
    /// the options fix them).
    /// </summary>
    public static IReadOnlyList<Dataset> ReadSplits(IReadOnlyList<string> paths, LibSvmOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new LibSvmOptions();
        var raw = paths.Select(p => ReadRaw(p, options, monitor)).ToList();
        var vocabulary = options.LabelVocabulary ?? raw.SelectMany(r => r.Labels.SelectMany(l => l)).Distinct().Order().ToArray();
        var labelId = new Dictionary<long, int>();
        for (int i = 0; i < vocabulary.Count; i++) labelId[vocabulary[i]] = i;
        int dim = options.NumFeatures ?? raw.Select(r => r.Features.Cols).DefaultIfEmpty(0).Max();
        var names = vocabulary.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        var result = new List<Dataset>();
        foreach (var r in raw)
        {
            var labels = new CsrBuilder(vocabulary.Count);
            for (int i = 0; i < r.Labels.Count; i++)
            {
                foreach (var l in r.Labels[i])
                {
                    if (!labelId.TryGetValue(l, out int id))
                        throw new DataFormatException(r.Path, r.LineOfRow[i], $"label {l} is not in the label vocabulary ({vocabulary.Count} labels)");
                    labels.Add(id, 1f);
                }
                labels.EndRow();
            }
            result.Add(new Dataset(r.Features.WithColumns(dim), new LabelMatrix(labels.Build()))
            {
                Name = XmlRepositoryFormat.DatasetName(r.Path),
                LabelNames = names,
            });
        }
        return result;
    }

    /// <summary>
    /// Reads PD-Sparse splits: <paramref name="prefix"/>.train, .heldout (optional) and .test, each plain or .bz2/.gz
    /// (e.g. "../shared/data/sector/sector").
    /// </summary>
    public static DataSplits ReadPdSparse(string prefix, LibSvmOptions? options = null, TrainingMonitor? monitor = null)
    {
        string? Find(string ext) => new[] { "", ".bz2", ".gz" }.Select(c => prefix + ext + c).FirstOrDefault(File.Exists);
        var train = Find(".train") ?? throw new FileNotFoundException($"{prefix}.train(.bz2|.gz): no such file");
        var test = Find(".test") ?? throw new FileNotFoundException($"{prefix}.test(.bz2|.gz): no such file");
        var heldout = Find(".heldout");
        var files = heldout is null ? new[] { train, test } : [train, heldout, test];
        var sets = ReadSplits(files, options, monitor);
        return heldout is null ? new DataSplits(sets[0], null, sets[1]) : new DataSplits(sets[0], sets[1], sets[2]);
    }

    /// <summary>Writes LIBSVM text with 1-based features; labels are written as their names when numeric, else ids.</summary>
    public static void Write(string path, Dataset data, int featureBase = 1) =>
        InputFile.WriteTextAtomic(path, w =>
        {
            var raw = RawLabelValues(data);
            for (int i = 0; i < data.NumPoints; i++)
            {
                w.Write(string.Join(',', data.Labels.LabelArray(i).Select(l => raw[l].ToString(CultureInfo.InvariantCulture))));
                XmlRepositoryFormat.WritePairs(w, data.Features, i, featureBase);
                w.Write('\n');
            }
        });

    private static long[] RawLabelValues(Dataset data)
    {
        var names = data.LabelNames;
        if (names is not null && names.All(n => long.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            return names.Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(0, data.NumLabels).Select(l => (long)l).ToArray();
    }

    private sealed record RawFile(string Path, CsrMatrix Features, List<long[]> Labels, List<long> LineOfRow);

    private static RawFile ReadRaw(string path, LibSvmOptions options, TrainingMonitor? monitor)
    {
        var features = new CsrBuilder(options.NumFeatures ?? 0);
        var labels = new List<long[]>();
        var lines = new List<long>();
        var current = new List<long>();
        using var reader = InputFile.OpenText(path, monitor);
        long lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var span = line.AsSpan();
            int hash = span.IndexOf('#');
            if (hash >= 0) span = span[..hash];
            span = span.Trim();
            if (span.IsEmpty) continue;
            var p = new LineParser(path, lineNo);
            current.Clear();
            bool first = true;
            foreach (var token in LineParser.Tokens(span))
            {
                if (first && token.IndexOf(':') < 0)
                {
                    foreach (var range in token.Split(','))
                    {
                        var label = token[range];
                        if (label.IsEmpty) continue; // "1,2," or an empty label list
                        current.Add(p.IntegerLabel(label));
                    }
                }
                else if (token.StartsWith("qid:")) { }
                else
                {
                    var (index, value) = p.Pair(token, options.FeatureBase, options.NumFeatures ?? -1, "feature");
                    if (index >= features.Cols) features.GrowColumns(index + 1);
                    features.Add(index, value);
                }
                first = false;
            }
            features.EndRow();
            labels.Add([.. current]);
            lines.Add(lineNo);
        }
        return new RawFile(path, features.Build(), labels, lines);
    }
}
