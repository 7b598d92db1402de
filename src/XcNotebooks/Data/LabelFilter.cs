using XcNotebooks.Core;

namespace XcNotebooks.Data;

/// <summary>
/// (point, label) pairs that must never count as predictions (LF-* filter_labels_test.txt): a point and its own
/// title as a label. Applied to predictions only; the ground truth stays as it is.
/// </summary>
public sealed class LabelFilter
{
    private readonly HashSet<long> _pairs;

    /// <summary>A filter over the listed pairs.</summary>
    public LabelFilter(IEnumerable<(int Point, int Label)> pairs) =>
        _pairs = pairs.Select(p => Key(p.Point, p.Label)).ToHashSet();

    /// <summary>Number of pairs.</summary>
    public int Count => _pairs.Count;

    /// <summary>True when (point, label) is filtered.</summary>
    public bool Contains(int point, int label) => _pairs.Contains(Key(point, label));

    /// <summary>Reads whitespace-separated "point label" pairs, one per line (an empty file filters nothing).</summary>
    public static LabelFilter Read(string path)
    {
        var pairs = new List<(int, int)>();
        using var reader = InputFile.OpenText(path);
        long lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length != 2 || !int.TryParse(parts[0], out int r) || !int.TryParse(parts[1], out int c) || r < 0 || c < 0)
                throw new DataFormatException(path, lineNo, $"expected two non-negative integers 'point label', got '{line}'");
            pairs.Add((r, c));
        }
        return new LabelFilter(pairs);
    }

    /// <summary>
    /// Removes filtered pairs from the predictions; later predictions move up and the freed slots at the end become
    /// padding (rows are not back-filled, as in DEXA/DEXML).
    /// </summary>
    public TopKPredictions Apply(TopKPredictions predictions)
    {
        var result = TopKPredictions.Empty(predictions.Rows, predictions.K);
        for (int i = 0; i < predictions.Rows; i++)
        {
            var labels = predictions.LabelsOf(i);
            var scores = predictions.ScoresOf(i);
            int w = 0;
            for (int r = 0; r < labels.Length; r++)
            {
                if (labels[r] < 0 || Contains(i, labels[r])) continue;
                result.Labels[i * predictions.K + w] = labels[r];
                result.Scores[i * predictions.K + w] = scores[r];
                w++;
            }
        }
        return result;
    }

    /// <summary>
    /// Removes filtered pairs from a sparse score matrix before ranking (DEXA's filter_predictions: score set to 0,
    /// then explicit zeros dropped), so the pair leaves the ranking and lower stored entries can move into the top k.
    /// </summary>
    public CsrMatrix Apply(CsrMatrix scores)
    {
        var builder = new CsrBuilder(scores.Cols);
        for (int i = 0; i < scores.Rows; i++)
        {
            var idx = scores.RowIndices(i);
            var val = scores.RowValues(i);
            for (int j = 0; j < idx.Length; j++)
                if (!Contains(i, idx[j])) builder.Add(idx[j], val[j]);
            builder.EndRow();
        }
        return builder.Build();
    }

    private static long Key(int point, int label) => ((long)point << 32) | (uint)label;
}
