using XcNotebooks.Data;
using XcNotebooks.Training;

namespace XcNotebooks.Learners;

/// <summary>
/// Runs many independent online binary learners over the same sparse data: each learner makes its own pass over the
/// points in a given order, in parallel over learners. Because a learner's margin on a point depends only on its own
/// earlier updates, this gives exactly what the sequential point-by-point loop gives.
/// </summary>
public static class OnlineLinearTraining
{
    /// <summary>
    /// One pass of every learner over the points <c>order[start..]</c> of <paramref name="features"/>.
    /// <paramref name="fillTargets"/>(l, targets) writes learner l's label (±1) for each position of
    /// <paramref name="order"/>. When <paramref name="margins"/> is given (learners x order.Length, learner-major)
    /// each learner's pre-update margin at each position is recorded there (for online predictions).
    /// Progress is reported per finished learner under <paramref name="stage"/>.
    /// </summary>
    public static void RunEpoch(IReadOnlyList<IBinaryLinearLearner> learners, CsrMatrix features, int[] order, int start,
        Action<int, Span<sbyte>> fillTargets, float[]? margins, TrainingMonitor? monitor = null, string stage = "training")
    {
        int n = order.Length, count = learners.Count;
        if (margins is not null && margins.LongLength != (long)count * n)
            throw new ArgumentException($"margins hold {margins.LongLength} values, expected {count} x {n}");
        if (start < 0 || start > n) throw new ArgumentOutOfRangeException(nameof(start), $"start {start} outside 0..{n}");
        monitor ??= TrainingMonitor.Silent;
        int finished = 0;
        monitor.Report(stage, 0, count);
        Parallel.For(0, count, () => new sbyte[n], (l, _, targets) =>
        {
            fillTargets(l, targets);
            var learner = learners[l];
            var recorded = margins is null ? Span<float>.Empty : margins.AsSpan(l * n, n);
            for (int t = start; t < n; t++)
            {
                int i = order[t];
                var idx = features.RowIndices(i);
                var val = features.RowValues(i);
                float m = learner.Learn(idx, val, targets[t]);
                if (!recorded.IsEmpty) recorded[t] = m;
            }
            monitor.Report(stage, Interlocked.Increment(ref finished), count);
            return targets;
        }, _ => { });
    }

    /// <summary>
    /// The learners' evaluation weights stacked as the columns of a D x L row-major matrix (responses = x^T W),
    /// parallel over blocks of features.
    /// </summary>
    public static RowMajorMatrix StackWeights(IReadOnlyList<IBinaryLinearLearner> learners, int dimension)
    {
        int count = learners.Count;
        var columns = new float[count][];
        Parallel.For(0, count, l =>
        {
            if (learners[l].Dimension != dimension)
                throw new ArgumentException($"learner {l} has dimension {learners[l].Dimension}, expected {dimension}");
            columns[l] = new float[dimension];
            learners[l].CopyWeightsTo(columns[l]);
        });
        var stacked = new RowMajorMatrix(dimension, count);
        const int block = 1024;
        Parallel.For(0, (dimension + block - 1) / block, b =>
        {
            int end = Math.Min(dimension, (b + 1) * block);
            for (int j = b * block; j < end; j++)
            {
                var row = stacked.Row(j);
                for (int l = 0; l < count; l++) row[l] = columns[l][j];
            }
        });
        return stacked;
    }
}
