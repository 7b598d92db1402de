using XcNotebooks.Core;

namespace XcNotebooks.Methods.Baselines;

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

    /// <summary>All labels, most frequent first (ties: lower id first).</summary>
    public IReadOnlyList<int> Ranking => _ranking;

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
    public static LabelPopularity Load(string path) =>
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
