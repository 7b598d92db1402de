using XcNotebooks.Core;
namespace XcNotebooks.Data;

/// <summary>
/// The figures XC papers report about a data set split (what `xcn info` prints): sizes, density, labels per point,
/// points per label and the quantiles of label frequency, the kind of task and what text it carries.
/// </summary>
public sealed record DatasetStatistics
{
    /// <summary>The quantiles of points-per-label that <see cref="Of"/> reports.</summary>
    public static IReadOnlyList<double> ReportedQuantiles { get; } = [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1];

    /// <summary>The data set's name.</summary>
    public required string Name { get; init; }

    /// <summary>Number of points.</summary>
    public int Points { get; init; }

    /// <summary>Feature dimension.</summary>
    public int Features { get; init; }

    /// <summary>Number of labels.</summary>
    public int Labels { get; init; }

    /// <summary>Stored feature values.</summary>
    public long FeatureNonZeros { get; init; }

    /// <summary>Mean stored feature values per point.</summary>
    public double NonZerosPerPoint { get; init; }

    /// <summary>Mean labels per point.</summary>
    public double LabelsPerPoint { get; init; }

    /// <summary>Largest number of labels of one point.</summary>
    public int MaxLabelsPerPoint { get; init; }

    /// <summary>Mean points per label (over all labels, including those without points).</summary>
    public double PointsPerLabel { get; init; }

    /// <summary>Points with no label.</summary>
    public int PointsWithoutLabels { get; init; }

    /// <summary>Labels that no point of this split carries.</summary>
    public int LabelsWithoutPoints { get; init; }

    /// <summary>Quantiles of points per label (linear interpolation, numpy's default), for <see cref="ReportedQuantiles"/>.</summary>
    public IReadOnlyList<double> LabelFrequencyQuantiles { get; init; } = [];

    /// <summary>True when every point has exactly one label.</summary>
    public bool IsMultiClass { get; init; }

    /// <summary>True when the points carry raw texts.</summary>
    public bool HasTexts { get; init; }

    /// <summary>True when labels have names.</summary>
    public bool HasLabelNames { get; init; }

    /// <summary>True when labels have texts.</summary>
    public bool HasLabelTexts { get; init; }

    /// <summary>Edges of the label hierarchy (0 without one).</summary>
    public int HierarchyEdges { get; init; }

    /// <summary>"multi-class" or "multi-label".</summary>
    public string Task => IsMultiClass ? "multi-class" : "multi-label";

    /// <summary>Computes the statistics of one split.</summary>
    public static DatasetStatistics Of(Dataset data)
    {
        var counts = data.Labels.LabelCounts();
        int maxLabels = 0, withoutLabels = 0;
        for (int i = 0; i < data.NumPoints; i++)
        {
            int n = data.Labels.Matrix.RowLength(i);
            maxLabels = Math.Max(maxLabels, n);
            if (n == 0) withoutLabels++;
        }
        var sorted = counts.Select(c => (double)c).Order().ToArray();
        return new DatasetStatistics
        {
            Name = data.Name,
            Points = data.NumPoints,
            Features = data.NumFeatures,
            Labels = data.NumLabels,
            FeatureNonZeros = data.Features.NonZeros,
            NonZerosPerPoint = data.NumPoints == 0 ? 0 : (double)data.Features.NonZeros / data.NumPoints,
            LabelsPerPoint = data.Labels.LabelsPerPoint,
            MaxLabelsPerPoint = maxLabels,
            PointsPerLabel = data.NumLabels == 0 ? 0 : (double)data.Labels.Matrix.NonZeros / data.NumLabels,
            PointsWithoutLabels = withoutLabels,
            LabelsWithoutPoints = counts.Count(c => c == 0),
            LabelFrequencyQuantiles = ReportedQuantiles.Select(q => Quantile(sorted, q)).ToArray(),
            IsMultiClass = data.NumPoints > 0 && data.Labels.IsMultiClass,
            HasTexts = data.Texts is not null,
            HasLabelNames = data.LabelNames is not null,
            HasLabelTexts = data.LabelTexts is not null,
            HierarchyEdges = data.LabelHierarchyEdges?.Count ?? 0,
        };
    }

    /// <summary>The q-quantile of ascending values with linear interpolation between order statistics (NaN when empty).</summary>
    public static double Quantile(IReadOnlyList<double> ascending, double q)
    {
        if (ascending.Count == 0) return double.NaN;
        double position = q * (ascending.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, ascending.Count - 1);
        return ascending[below] + (position - below) * (ascending[above] - ascending[below]);
    }
}
