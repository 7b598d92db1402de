using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexml;

/// <summary>One step's label pool, and each query's positives and targets as columns of the pool.</summary>
/// <param name="Pool">Label ids scored this step.</param>
/// <param name="Positives">Per query, the pool columns that are its labels.</param>
/// <param name="Targets">Per query, the positives that are the loss's targets this step.</param>
public sealed record DexmlStepTargets(int[] Pool, int[][] Positives, int[][] Targets);

/// <summary>
/// Builds each step's label pool (<see cref="DexmlNegatives"/>) and samples the targets as DEXML's collator and
/// <c>SimLoss</c> do: a positive is drawn with probability proportional to its relevance; SoftTop-k draws min(K, |P|)
/// positives without replacement, the softmax losses one. In-batch and hard-mined pools hold the batch's sampled
/// positives (plus shortlist draws); a query's positives are its labels that are in the pool, whoever brought them.
/// </summary>
public sealed class LabelPools
{
    private readonly LabelMatrix _labels;
    private readonly DexmlOptions _options;
    private readonly int[] _all;
    private readonly DexmlNegatives _negatives;

    /// <summary>Pools over <paramref name="numLabels"/> labels for the points of <paramref name="labels"/>.</summary>
    public LabelPools(LabelMatrix labels, int numLabels, DexmlOptions options)
    {
        _labels = labels ?? throw new ArgumentNullException(nameof(labels));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (numLabels != labels.NumLabels) throw new ArgumentException($"{numLabels} label texts for {labels.NumLabels} labels");
        _all = Enumerable.Range(0, numLabels).ToArray();
        _negatives = options.NegativesFor(numLabels);
    }

    /// <summary>The pool kind in use (<see cref="DexmlNegatives.Auto"/> resolved for the label count).</summary>
    public DexmlNegatives Negatives => _negatives;

    /// <summary>Each training point's nearest wrong labels (hard-mined pools; null until the first refresh).</summary>
    public IReadOnlyList<int[]>? Shortlists { get; set; }

    /// <summary>The pool, positives and targets of a batch of training points, drawing with <paramref name="rng"/>.</summary>
    public DexmlStepTargets Step(IReadOnlyList<int> rows, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rng);
        int[] pool;
        if (_negatives == DexmlNegatives.AllLabels) pool = _all;
        else
        {
            var members = new SortedSet<int>();
            foreach (int row in rows)
            {
                var (ids, weights) = Relevance(row, null);
                if (ids.Length > 0) members.Add(ids[Draw(weights, rng)]);
                if (_negatives == DexmlNegatives.HardMined && Shortlists is { } lists && lists[row].Length > 0)
                    for (int n = 0; n < _options.HardNegativesPerPoint; n++) members.Add(lists[row][rng.Next(lists[row].Length)]);
            }
            pool = [.. members];
        }
        Dictionary<int, int>? column = null;
        if (!ReferenceEquals(pool, _all))
        {
            column = new Dictionary<int, int>(pool.Length);
            for (int c = 0; c < pool.Length; c++) column[pool[c]] = c;
        }
        var positives = new int[rows.Count][];
        var targets = new int[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            var (ids, weights) = Relevance(rows[i], column);
            positives[i] = ids;
            int wanted = !_options.SamplePositives ? ids.Length
                : _options.Loss == DexmlLoss.SoftTopk ? Math.Min(_options.SoftTopk.K, ids.Length) : Math.Min(1, ids.Length);
            targets[i] = wanted == ids.Length ? ids : SampleWithoutReplacement(ids, weights, wanted, rng);
        }
        return new DexmlStepTargets(pool, positives, targets);
    }

    /// <summary>A row's labels with positive relevance, as pool columns (labels outside the pool dropped).</summary>
    private (int[] Columns, double[] Weights) Relevance(int row, Dictionary<int, int>? column)
    {
        var ids = _labels.LabelsOf(row);
        var values = _labels.Matrix.RowValues(row);
        var columns = new List<int>(ids.Length);
        var weights = new List<double>(ids.Length);
        for (int j = 0; j < ids.Length; j++)
        {
            if (!(values[j] > 0)) continue;
            int c = ids[j];
            if (column is not null && !column.TryGetValue(ids[j], out c)) continue;
            columns.Add(c);
            weights.Add(values[j]);
        }
        return ([.. columns], [.. weights]);
    }

    private static int Draw(IReadOnlyList<double> weights, Random rng)
    {
        double total = weights.Sum(), u = rng.NextDouble() * total;
        for (int j = 0; j < weights.Count; j++)
        {
            u -= weights[j];
            if (u < 0) return j;
        }
        return weights.Count - 1;
    }

    private static int[] SampleWithoutReplacement(int[] ids, double[] weights, int count, Random rng)
    {
        var left = ids.ToList();
        var w = weights.ToList();
        var result = new int[count];
        for (int n = 0; n < count; n++)
        {
            int j = Draw(w, rng);
            result[n] = left[j];
            left.RemoveAt(j);
            w.RemoveAt(j);
        }
        return result;
    }
}
