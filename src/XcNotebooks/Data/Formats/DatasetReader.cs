namespace XcNotebooks.Data.Formats;

/// <summary>The on-disk formats <see cref="DatasetReader"/> understands.</summary>
public enum DataFormat
{
    /// <summary>Guess from the file name and first line.</summary>
    Auto,
    /// <summary>XMLRepository text: header "N D L", then "labels f:v ...".</summary>
    XmlRepository,
    /// <summary>LIBSVM/SVMlight text (PD-Sparse splits too).</summary>
    LibSvm,
}

/// <summary>
/// One entry point for reading data sets whatever their format: detects the format from the name and first line,
/// and reads train/heldout/test so that they share feature and label spaces.
/// </summary>
public static class DatasetReader
{
    /// <summary>Reads one file.</summary>
    public static Dataset Read(string path, DataFormat format = DataFormat.Auto) =>
        ReadSplits(path, null, null, format).Train;

    /// <summary>
    /// Reads a training file and optional heldout and test files into splits with one feature dimension and one
    /// label space. When <paramref name="test"/> is null the test split is the training file's.
    /// </summary>
    public static DataSplits ReadSplits(string train, string? heldout, string? test, DataFormat format = DataFormat.Auto)
    {
        if (format == DataFormat.Auto) format = Detect(train);
        var files = new[] { train, heldout, test }.Where(f => f is not null).Select(f => f!).ToArray();
        IReadOnlyList<Dataset> sets = format switch
        {
            DataFormat.LibSvm => LibSvmFormat.ReadSplits(files),
            DataFormat.XmlRepository => Align(files.Select(XmlRepositoryFormat.Read).ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        int at = 1;
        var heldoutSet = heldout is null ? null : sets[at++];
        var testSet = test is null ? sets[0] : sets[at];
        return new DataSplits(sets[0], heldoutSet, testSet);
    }

    /// <summary>Guesses the format of <paramref name="path"/>.</summary>
    public static DataFormat Detect(string path)
    {
        var name = InputFile.StripCompression(path).ToLowerInvariant();
        if (name.EndsWith(".train") || name.EndsWith(".heldout") || name.EndsWith(".test") || name.EndsWith(".svm") ||
            name.EndsWith(".libsvm") || name.EndsWith(".scale") || name.EndsWith(".t"))
            return DataFormat.LibSvm;
        using var reader = InputFile.OpenText(path);
        var first = reader.ReadLine() ?? "";
        var parts = first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out _))) return DataFormat.XmlRepository;
        return DataFormat.LibSvm;
    }

    /// <summary>Splits read separately must agree on labels; features are widened to the largest dimension.</summary>
    private static Dataset[] Align(Dataset[] sets)
    {
        int d = sets.Max(s => s.NumFeatures), l = sets.Max(s => s.NumLabels);
        foreach (var s in sets)
            if (s.NumLabels != l) throw new DataFormatException(s.Name, 1, $"{s.NumLabels} labels, but another split has {l}");
        return sets.Select(s => s with { Features = s.Features.WithColumns(d) }).ToArray();
    }
}
