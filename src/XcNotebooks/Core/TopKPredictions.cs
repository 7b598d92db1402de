using System.Globalization;

namespace XcNotebooks.Core;

/// <summary>
/// The k best labels of every point with their scores, best first: what every model's TopK returns and every
/// metric reads. Rows with fewer than k predictions are padded with label -1 (never relevant).
/// </summary>
public sealed class TopKPredictions
{
    /// <summary>Wraps row-major arrays of rows * k labels and scores.</summary>
    public TopKPredictions(int rows, int k, int[] labels, float[] scores)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        if (labels.Length != (long)rows * k || scores.Length != labels.Length)
            throw new ArgumentException($"expected {rows} x {k} labels and scores, got {labels.Length} and {scores.Length}");
        Rows = rows;
        K = k;
        Labels = labels;
        Scores = scores;
    }

    /// <summary>Number of points.</summary>
    public int Rows { get; }

    /// <summary>Predictions kept per point.</summary>
    public int K { get; }

    /// <summary>Label ids, row-major (-1 = padding).</summary>
    public int[] Labels { get; }

    /// <summary>Scores, row-major, aligned with <see cref="Labels"/>.</summary>
    public float[] Scores { get; }

    /// <summary>Labels of point <paramref name="row"/>, best first.</summary>
    public ReadOnlySpan<int> LabelsOf(int row) => Labels.AsSpan(row * K, K);

    /// <summary>Scores of point <paramref name="row"/>, best first.</summary>
    public ReadOnlySpan<float> ScoresOf(int row) => Scores.AsSpan(row * K, K);

    /// <summary>Labels of point <paramref name="row"/> as an array without padding (F#-friendly).</summary>
    public int[] LabelArray(int row) => LabelsOf(row).ToArray().Where(l => l >= 0).ToArray();

    /// <summary>The best label of each point (-1 where none): the multi-class prediction.</summary>
    public int[] Top1()
    {
        var result = new int[Rows];
        for (int i = 0; i < Rows; i++) result[i] = Labels[i * K];
        return result;
    }

    /// <summary>An empty (all padding) prediction set.</summary>
    public static TopKPredictions Empty(int rows, int k)
    {
        var labels = new int[rows * k];
        Array.Fill(labels, -1);
        var scores = new float[rows * k];
        Array.Fill(scores, float.NegativeInfinity);
        return new TopKPredictions(rows, k, labels, scores);
    }

    /// <summary>Multi-class predictions (one label per point, score 1).</summary>
    public static TopKPredictions FromClasses(IReadOnlyList<int> classes)
    {
        var scores = new float[classes.Count];
        Array.Fill(scores, 1f);
        return new TopKPredictions(classes.Count, 1, classes.ToArray(), scores);
    }

    /// <summary>The k highest-scoring columns of each row of a dense score matrix (parallel over rows).</summary>
    public static TopKPredictions FromScores(RowMajorMatrix scores, int k)
    {
        var result = Empty(scores.Rows, k);
        Parallel.For(0, scores.Rows, i =>
            TopKSelector.Select(scores.Row(i), result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k)));
        return result;
    }

    /// <summary>
    /// The k highest stored entries of each row of a sparse score matrix: only stored entries are ranked
    /// (pyxclib's rule), so a row with fewer entries is padded.
    /// </summary>
    public static TopKPredictions FromSparseScores(CsrMatrix scores, int k)
    {
        var result = Empty(scores.Rows, k);
        Parallel.For(0, scores.Rows, i =>
        {
            var idx = scores.RowIndices(i);
            var val = scores.RowValues(i);
            var labels = result.Labels.AsSpan(i * k, k);
            var best = result.Scores.AsSpan(i * k, k);
            for (int j = 0; j < idx.Length; j++) TopKSelector.Offer(idx[j], val[j], labels, best);
        });
        return result;
    }

    /// <summary>Rows in the order listed.</summary>
    public TopKPredictions SelectRows(IReadOnlyList<int> rows)
    {
        var labels = new int[rows.Count * K];
        var scores = new float[rows.Count * K];
        for (int r = 0; r < rows.Count; r++)
        {
            LabelsOf(rows[r]).CopyTo(labels.AsSpan(r * K, K));
            ScoresOf(rows[r]).CopyTo(scores.AsSpan(r * K, K));
        }
        return new TopKPredictions(rows.Count, K, labels, scores);
    }

    /// <summary>
    /// Writes the predictions as pyxclib sparse score text (what <c>xcn eval --pred</c> reads), atomically: header
    /// "rows labels", then one line of "label:score" pairs per point, best first, padding left out. Scores are
    /// written round-trip exact. <paramref name="numLabels"/> is the header's column count (default: the largest
    /// label + 1).
    /// </summary>
    public void Save(string path, int numLabels = 0)
    {
        int cols = Math.Max(numLabels, Labels.Length == 0 ? 0 : Labels.Max() + 1);
        InputFile.WriteTextAtomic(path, w =>
        {
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{Rows} {cols}\n"));
            for (int i = 0; i < Rows; i++)
            {
                bool first = true;
                for (int r = i * K; r < (i + 1) * K; r++)
                {
                    if (Labels[r] < 0) continue;
                    if (!first) w.Write(' ');
                    w.Write(Labels[r].ToString(CultureInfo.InvariantCulture));
                    w.Write(':');
                    w.Write(Scores[r].ToString("R", CultureInfo.InvariantCulture));
                    first = false;
                }
                w.Write('\n');
            }
        });
    }

    /// <summary>
    /// Reads predictions written by <see cref="Save"/> (or any pyxclib sparse score text): each line's pairs are
    /// ranked by score, equal scores keeping the file's order, so a saved ranking comes back exactly. K is the
    /// longest row (at least 1). Errors name the file and line.
    /// </summary>
    public static TopKPredictions Load(string path) => Load(path, 0);

    /// <summary>As <see cref="Load(string)"/>, keeping the best <paramref name="k"/> of each row (0: the longest row).</summary>
    public static TopKPredictions Load(string path, int k)
    {
        if (k < 0) throw new ArgumentException($"k must be at least 0 (0: keep every stored entry), got {k}");
        using var reader = InputFile.OpenText(path);
        var header = reader.ReadLine() ?? throw new DataFormatException(path, 1, "empty file: expected header 'rows labels'");
        var headerParser = new LineParser(path, 1);
        var sizes = new List<int>();
        foreach (var token in LineParser.Tokens(header)) sizes.Add(headerParser.Int(token, "size"));
        if (sizes.Count != 2 || sizes[0] < 0 || sizes[1] < 0) throw headerParser.Error($"expected header 'rows labels', got '{LineParser.Shorten(header)}'");
        int rows = sizes[0], cols = sizes[1];
        var rowLabels = new List<int[]>(rows);
        var rowScores = new List<float[]>(rows);
        var labels = new List<int>();
        var scores = new List<float>();
        long lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var p = new LineParser(path, lineNo);
            if (rowLabels.Count == rows)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                throw p.Error($"more rows than the header's {rows}");
            }
            labels.Clear();
            scores.Clear();
            foreach (var token in LineParser.Tokens(line))
            {
                var (label, score) = p.Pair(token, 0, cols, "label");
                if (labels.Contains(label)) throw p.Error($"label {label} appears twice");
                labels.Add(label);
                scores.Add(score);
            }
            rowLabels.Add([.. labels]);
            rowScores.Add([.. scores]);
        }
        if (rowLabels.Count < rows) throw new DataFormatException(path, lineNo, $"file ends after {rowLabels.Count} rows but the header says {rows} (truncated?)");
        if (k == 0) k = Math.Max(1, rowLabels.Count == 0 ? 1 : rowLabels.Max(l => l.Length));
        var result = Empty(rows, k);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < rowLabels[i].Length; j++)
                TopKSelector.Offer(rowLabels[i][j], rowScores[i][j], result.Labels.AsSpan(i * k, k), result.Scores.AsSpan(i * k, k));
        return result;
    }

    /// <summary>Shape.</summary>
    public override string ToString() => $"TopKPredictions {Rows} points x top {K}";
}

/// <summary>Keeps the k best (label, score) pairs in descending order by insertion: fast for the small k of XC.</summary>
internal static class TopKSelector
{
    /// <summary>Fills <paramref name="labels"/> and <paramref name="best"/> with the top entries of <paramref name="scores"/>.</summary>
    public static void Select(ReadOnlySpan<float> scores, Span<int> labels, Span<float> best)
    {
        labels.Fill(-1);
        best.Fill(float.NegativeInfinity);
        for (int j = 0; j < scores.Length; j++)
            if (scores[j] > best[^1] || labels[^1] < 0) Offer(j, scores[j], labels, best);
    }

    /// <summary>Inserts (label, score) if it beats the current k-th; ties keep the earlier label first.</summary>
    public static void Offer(int label, float score, Span<int> labels, Span<float> best)
    {
        int k = labels.Length;
        if (labels[k - 1] >= 0 && !(score > best[k - 1])) return;
        if (float.IsNaN(score)) return;
        int pos = k - 1;
        while (pos > 0 && (labels[pos - 1] < 0 || score > best[pos - 1]))
        {
            labels[pos] = labels[pos - 1];
            best[pos] = best[pos - 1];
            pos--;
        }
        labels[pos] = label;
        best[pos] = score;
    }
}
