using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Baselines;

/// <summary>Settings of the popularity baseline: there are none (the record keeps the common method shape).</summary>
public sealed record LabelPopularityOptions
{
    /// <summary>Nothing to check.</summary>
    public LabelPopularityOptions Validate() => this;
}

/// <summary>
/// The popularity baseline: every point gets the same ranking, the labels by the number of training points that carry
/// them (ties: lower label id first), scored by that share of the training points. What a method must beat to show it
/// learnt anything from the features.
/// </summary>
public sealed class LabelPopularity : IXcModel
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 1;

    /// <summary>Model-file, CLI and report name.</summary>
    public const string MethodName = "popularity";

    private readonly int[] _counts;
    private readonly int[] _ranking;

    /// <summary>A model from the training count of each label and the number of training points.</summary>
    public LabelPopularity(IReadOnlyList<int> counts, int trainingPoints)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (trainingPoints < 0) throw new ArgumentException($"negative number of training points {trainingPoints}");
        if (counts.Any(c => c < 0 || c > trainingPoints))
            throw new ArgumentException($"label counts must lie in 0..{trainingPoints} (the number of training points)");
        _counts = counts.ToArray();
        TrainingPoints = trainingPoints;
        _ranking = Enumerable.Range(0, _counts.Length).OrderByDescending(l => _counts[l]).ThenBy(l => l).ToArray();
    }

    /// <inheritdoc/>
    public string Method => MethodName;

    /// <summary>Training points carrying each label.</summary>
    public IReadOnlyList<int> Counts => _counts;

    /// <summary>Number of training points.</summary>
    public int TrainingPoints { get; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => _counts.Length;

    /// <summary>Bytes of the model (one count per label).</summary>
    public long ModelBytes => 4L * (NumLabels + 1);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>All labels, most frequent first (ties: lower id first).</summary>
    public IReadOnlyList<int> Ranking => _ranking;

    /// <summary>
    /// The common training shape: counts the labels of <paramref name="train"/> (<paramref name="heldout"/> and
    /// <paramref name="monitor"/> have nothing to do: counting is one pass).
    /// </summary>
    public static LabelPopularity Train(Dataset train, Dataset? heldout, LabelPopularityOptions options, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Train(train);
    }

    /// <summary>Counts the labels of <paramref name="train"/>.</summary>
    public static LabelPopularity Train(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return new LabelPopularity(train.Labels.LabelCounts(), train.NumPoints);
    }

    /// <summary>The same k most popular labels for each of <paramref name="rows"/> points.</summary>
    public TopKPredictions TopK(int rows, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var result = TopKPredictions.Empty(rows, k);
        int kept = Math.Min(k, _ranking.Length);
        for (int i = 0; i < rows; i++)
            for (int r = 0; r < kept; r++)
            {
                result.Labels[i * k + r] = _ranking[r];
                result.Scores[i * k + r] = TrainingPoints == 0 ? 0f : (float)_counts[_ranking[r]] / TrainingPoints;
            }
        return result;
    }

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.NumLabels != NumLabels) throw new ArgumentException($"{data.Name} has {data.NumLabels} labels, the model {NumLabels}");
        return TopK(data.NumPoints, k);
    }

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, MethodName, FormatVersion, w =>
        {
            w.Write(TrainingPoints);
            w.WriteArray(_counts);
        });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static LabelPopularity Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, MethodName, FormatVersion, r =>
        {
            int points = r.ReadInt32();
            var counts = r.ReadIntArray();
            if (points < 0 || counts.Any(c => c < 0 || c > points))
                throw new DataFormatException(path, 0, $"label counts outside 0..{points} (the number of training points)");
            return new LabelPopularity(counts, points);
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() => $"LabelPopularity {NumLabels:N0} labels from {TrainingPoints:N0} points";
}
