using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Learners;

/// <summary>
/// The one entry point that trains many independent binary linear learners over the same sparse points, whatever the
/// learner: the online ones (AROW, perceptron) in banks by epochs of shuffled passes, the dual coordinate descent
/// ones per learner to their stopping tolerance, in parallel over learners. Then DiSMEC's pruning when asked.
/// </summary>
public static class LinearLearners
{
    /// <summary>
    /// Trains <paramref name="learners"/> learners; <paramref name="labelsOf"/> gives each point's ±1 labels for a
    /// range of learners. Returns the D x L weights (column l: learner l). <paramref name="epochs"/> applies to the
    /// online learners only; <paramref name="seed"/> seeds the per-epoch shuffles (online) or each learner's
    /// per-pass permutations (dual coordinate descent).
    /// </summary>
    internal static RowMajorMatrix TrainWeights(BinaryLearnerOptions learner, CsrMatrix features, int learners, PointLabels labelsOf,
        int epochs, int seed, TrainingMonitor? monitor = null, string stage = "Linear learners")
    {
        ArgumentNullException.ThrowIfNull(features);
        learner = (learner ?? throw new ArgumentNullException(nameof(learner))).Validate();
        if (epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {epochs}");
        monitor ??= TrainingMonitor.Silent;
        RowMajorMatrix weights;
        if (learner.IsOnline)
        {
            var banks = OnlineLinearTraining.CreateBanks(learner, features.Cols, learners);
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var order = Seeds.Permutation(features.Rows, SeedStreams.OnlineLearners.EpochOrder.Of(seed, epoch));
                OnlineLinearTraining.RunEpoch(banks, features, order, 0, labelsOf, margins: null, monitor, stage, $"epoch {epoch + 1}/{epochs}");
                monitor.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{stage} epoch {epoch + 1}/{epochs}: {learners:N0} {learner.DisplayName} learners in {clock.Elapsed.TotalSeconds:F2}s"));
            }
            weights = OnlineLinearTraining.StackWeights(banks);
        }
        else weights = DualCoordinateDescent.TrainMany(features, learners, labelsOf, learner, seed, monitor, stage);
        if (learner.PruneBelow > 0) Prune(weights, (float)learner.PruneBelow);
        return weights;
    }

    /// <summary>
    /// Trains only the learners numbered <paramref name="learnerIds"/> of a larger set (a label shard), each exactly
    /// as <see cref="TrainWeights(BinaryLearnerOptions, CsrMatrix, int, PointLabels, int, int, TrainingMonitor?, string)"/>
    /// trains it (same targets, same seed, same pruning): column c holds learner learnerIds[c]. Dual coordinate
    /// descent learners only, since the online ones share one shuffled pass over all learners.
    /// </summary>
    internal static RowMajorMatrix TrainWeights(BinaryLearnerOptions learner, CsrMatrix features, IReadOnlyList<int> learnerIds, PointLabels labelsOf,
        int seed, TrainingMonitor? monitor = null, string stage = "Linear learners")
    {
        learner = (learner ?? throw new ArgumentNullException(nameof(learner))).Validate();
        if (learner.IsOnline)
            throw new ArgumentException($"a shard of learners needs a dual coordinate descent learner (svm, l1svm or logistic), not {learner.DisplayName}");
        var weights = DualCoordinateDescent.TrainMany(features, learnerIds, labelsOf, learner, seed, monitor, stage);
        if (learner.PruneBelow > 0) Prune(weights, (float)learner.PruneBelow);
        return weights;
    }

    /// <summary>
    /// As <see cref="TrainWeights(BinaryLearnerOptions, CsrMatrix, int, PointLabels, int, int, TrainingMonitor?, string)"/>
    /// for features whose last column is a constant (the bias feature): returns the weights of the other D - 1 features
    /// as a (D - 1) x L matrix and the last feature's weights apart, the same values (pruning included). The dual
    /// coordinate descent learners write straight into them, so no D x L matrix is formed beside the result;
    /// <paramref name="positivesOf"/>, when given, lists each learner's +1 points (the targets
    /// <paramref name="labelsOf"/> gives, filled faster).
    /// </summary>
    internal static (RowMajorMatrix Weights, float[] LastRow) TrainWeightsWithLastRow(BinaryLearnerOptions learner, CsrMatrix features, int learners,
        PointLabels labelsOf, int epochs, int seed, TrainingMonitor? monitor = null, string stage = "Linear learners",
        int[][]? positivesOf = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        learner = (learner ?? throw new ArgumentNullException(nameof(learner))).Validate();
        if (features.Cols < 1) throw new ArgumentException("the features need a last (bias) column");
        int d = features.Cols - 1;
        RowMajorMatrix weights;
        float[] lastRow;
        if (learner.IsOnline)
        {
            var stacked = TrainWeights(learner, features, learners, labelsOf, epochs, seed, monitor, stage);
            weights = new RowMajorMatrix(d, learners, stacked.Data[..(d * learners)]);
            return (weights, stacked.Row(d).ToArray());
        }
        if (learners < 1) throw new ArgumentException($"need at least one learner, got {learners}");
        weights = new RowMajorMatrix(d, learners);
        lastRow = new float[learners];
        DualCoordinateDescent.TrainInto(features, Enumerable.Range(0, learners).ToArray(), new DualCoordinateDescent.LearnerTargets(labelsOf, positivesOf),
            learner, seed, (first, count, block) =>
            {
                DualCoordinateDescent.CopyBlockRows(block, count, d, weights, first);
                block.Slice(d * count, count).CopyTo(lastRow.AsSpan(first, count));
            }, monitor, stage);
        if (learner.PruneBelow > 0)
        {
            Prune(weights, (float)learner.PruneBelow);
            Prune(lastRow, (float)learner.PruneBelow);
        }
        return (weights, lastRow);
    }

    /// <summary>DiSMEC's pruning: sets every weight with |w| &lt; <paramref name="threshold"/> to 0; returns the weights kept.</summary>
    public static long Prune(RowMajorMatrix weights, float threshold)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Prune(weights.Data, threshold);
    }

    private static long Prune(Span<float> data, float threshold)
    {
        long kept = 0;
        for (int j = 0; j < data.Length; j++)
        {
            if (Math.Abs(data[j]) < threshold) data[j] = 0;
            else kept++;
        }
        return kept;
    }

    /// <summary>Number of non-zero weights.</summary>
    public static long NonZeros(RowMajorMatrix weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        long count = 0;
        foreach (float v in weights.Data) if (v != 0) count++;
        return count;
    }

    /// <summary>
    /// Bytes of the weights stored sparsely (a 4-byte index and a 4-byte value per non-zero, the form a pruned
    /// DiSMEC model is kept in), or densely (4 bytes per weight) when that is smaller.
    /// </summary>
    public static long StoredBytes(RowMajorMatrix weights) => StoredBytes(NonZeros(weights), (long)weights.Rows * weights.Cols);

    /// <summary>As <see cref="StoredBytes(RowMajorMatrix)"/> from the counts of non-zero and of all weights (e.g. summed over label shards).</summary>
    internal static long StoredBytes(long nonZeros, long weights) => Math.Min(8 * nonZeros, 4 * weights);
}
