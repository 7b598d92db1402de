namespace XcNotebooks.Core;

/// <summary>
/// A split of an XC data set: sparse features and labels, with optional raw texts (for text encoders),
/// label names and label texts. Readers fill what their format has.
/// </summary>
public sealed record Dataset(CsrMatrix Features, LabelMatrix Labels)
{
    /// <summary>A short name for reports and plots ("sector.train").</summary>
    public string Name { get; init; } = "dataset";

    /// <summary>Raw text of each point, for text encoders (null when the format has none).</summary>
    public IReadOnlyList<string>? Texts { get; init; }

    /// <summary>Name of each label (null when the format has none).</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>Text describing each label (title, description), for methods that encode labels.</summary>
    public IReadOnlyList<string>? LabelTexts { get; init; }

    /// <summary>
    /// Edges of a label hierarchy (tree or DAG) as (parent, child) label ids; Parent = -1 marks a child of the
    /// implicit root. Null when the format has no hierarchy (Clus-HMC ARFF and nested Mulan label XML have one).
    /// </summary>
    public IReadOnlyList<(int Parent, int Child)>? LabelHierarchyEdges { get; init; }

    /// <summary>Number of points.</summary>
    public int NumPoints => Labels.Rows;

    /// <summary>Feature dimension.</summary>
    public int NumFeatures => Features.Cols;

    /// <summary>Number of labels.</summary>
    public int NumLabels => Labels.NumLabels;

    /// <summary>The name of label <paramref name="label"/> for display: its <see cref="LabelNames"/> entry, else the id.</summary>
    public string LabelName(int label) =>
        LabelNames is { } names && label >= 0 && label < names.Count ? names[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The points listed, in order, with their texts.</summary>
    public Dataset SelectRows(IReadOnlyList<int> rows) => this with
    {
        Features = Features.SelectRows(rows),
        Labels = Labels.SelectRows(rows),
        Texts = Texts is null ? null : rows.Select(r => Texts[r]).ToArray(),
    };

    /// <summary>Checks that features, labels and texts agree on the number of points, and hierarchy edges on label ids.</summary>
    public Dataset Validate()
    {
        if (Features.Rows != Labels.Rows)
            throw new ArgumentException($"{Name}: {Features.Rows} feature rows but {Labels.Rows} label rows");
        if (Texts is not null && Texts.Count != Labels.Rows)
            throw new ArgumentException($"{Name}: {Texts.Count} texts but {Labels.Rows} points");
        if (LabelNames is not null && LabelNames.Count != NumLabels)
            throw new ArgumentException($"{Name}: {LabelNames.Count} label names but {NumLabels} labels");
        if (LabelTexts is not null && LabelTexts.Count != NumLabels)
            throw new ArgumentException($"{Name}: {LabelTexts.Count} label texts but {NumLabels} labels");
        if (LabelHierarchyEdges is not null)
            foreach (var (parent, child) in LabelHierarchyEdges)
                if (parent < -1 || parent >= NumLabels || child < 0 || child >= NumLabels || parent == child)
                    throw new ArgumentException($"{Name}: hierarchy edge ({parent}, {child}) is not a valid (parent, child) pair of label ids 0..{NumLabels - 1} (parent -1 = root)");
        return this;
    }

    /// <summary>One-line summary.</summary>
    public override string ToString() =>
        $"{Name}: {NumPoints:N0} points, {NumFeatures:N0} features ({(NumPoints == 0 ? 0 : (double)Features.NonZeros / NumPoints):F1} non-zeros per point), " +
        $"{NumLabels:N0} labels ({Labels.LabelsPerPoint:F2} per point)";
}
