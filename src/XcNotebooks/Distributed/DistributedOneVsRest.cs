using System.Runtime.InteropServices;
using XcNotebooks.Core;
using XcNotebooks.Learners;

namespace XcNotebooks.Distributed;

/// <summary>
/// Label-sharded one-vs-rest (DiSMEC's scheme, as PECOS runs it over MPI): every rank holds the training points,
/// trains only its shard of the labels (<see cref="LabelShards.BalancedByFrequency"/>) with no communication during
/// training, and the shards are gathered on rank 0, which merges them into the model one process trains: each
/// label's learner sees the same targets and seed whatever rank trains it, so the merged model (and its saved file)
/// is the same, byte for byte. Dual coordinate descent learners only (the default SVM, l1svm, logistic).
/// </summary>
public static class DistributedOneVsRest
{
    /// <summary>
    /// Trains on every rank of <paramref name="collective"/> (all ranks call it with the same data and options).
    /// Returns the merged model on rank 0 and null on the other ranks, which only ever hold their shard's weights.
    /// <paramref name="monitor"/> is used on rank 0 only.
    /// </summary>
    public static OneVsRestLinear? Train(Dataset train, OneVsRestOptions options, ICollective collective, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate().ForLabels(train.NumLabels);
        var (shard, weights) = TrainShard(train, options, collective, monitor);
        // The label ids first (small), then the weights straight from the array they were trained in.
        var ids = new int[collective.Size][];
        collective.Gather(MemoryMarshal.AsBytes(shard.AsSpan()).ToArray(), 0, (rank, bytes) => ids[rank] = MemoryMarshal.Cast<byte, int>(bytes).ToArray());
        if (!collective.IsRoot())
        {
            collective.Gather(weights, 0, (_, _) => { });
            return null;
        }
        var merge = new ShardMerge(train.NumFeatures, train.NumLabels, options);
        collective.Gather(weights, 0, (rank, values) => merge.Add(rank, ids[rank], values));
        return merge.Model();
    }

    /// <summary>
    /// Trains this rank's shard of the labels (<see cref="LabelShards.BalancedByFrequency"/>) after checking that
    /// every rank holds the same training set: the shard's label ids, in increasing order, and its weights, a
    /// (D [+1]) x count row-major block (column c: label ids[c]; the bias weights last when the options have a bias),
    /// each label's column the one a single process trains.
    /// </summary>
    internal static (int[] Labels, float[] Weights) TrainShard(Dataset train, OneVsRestOptions options, ICollective collective, TrainingMonitor? monitor)
    {
        if (options.Learner.IsOnline)
            throw new ArgumentException($"label-sharded one-vs-rest needs a dual coordinate descent learner (svm, l1svm or logistic), not {options.Learner.DisplayName}");
        monitor = Begin(train, collective, monitor);
        var shard = LabelShards.BalancedByFrequency(train.Labels.LabelCounts(), collective.Size)[collective.Rank];
        monitor.Write($"Rank {collective.Rank} of {collective.Size}: {shard.Length:N0} of {train.NumLabels:N0} labels");
        var weights = shard.Length == 0 ? [] : LinearLearners.TrainWeights(options.Learner, OneVsRestLinear.TrainingFeatures(train, options), shard,
            OneVsRestLinear.PositivesOf(train.Labels), options.Seed, monitor, "One-vs-rest shard").Data;
        return (shard, weights);
    }

    /// <summary>
    /// What every sharded training does first: checks that every rank holds the same training set (its shape: a
    /// cheap check before hours of training) and returns the monitor to use, <paramref name="monitor"/> on rank 0
    /// and a silent one elsewhere.
    /// </summary>
    internal static TrainingMonitor Begin(Dataset train, ICollective collective, TrainingMonitor? monitor)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(collective);
        long[] shape = [train.NumPoints, train.NumFeatures, train.NumLabels, train.Features.NonZeros, train.Labels.Matrix.NonZeros];
        var (rootShape, differing) = CompareWithRoot(collective, shape);
        if (differing > 0)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"rank {collective.Rank} of {collective.Size}: {differing} rank(s) hold a different training set from rank 0's ({rootShape[0]:N0} points, {rootShape[1]:N0} features, {rootShape[2]:N0} labels; this rank: {shape[0]:N0}, {shape[1]:N0}, {shape[2]:N0}); give every rank the same files"));
        return collective.IsRoot() ? monitor ?? TrainingMonitor.Silent : TrainingMonitor.Silent;
    }

    /// <summary>
    /// Rank 0's <paramref name="shape"/> (the same length on every rank) and the number of ranks whose own differs,
    /// known on every rank, so that all stop together instead of some waiting in the next collective.
    /// </summary>
    internal static (long[] RootShape, int Differing) CompareWithRoot(ICollective collective, long[] shape)
    {
        var rootShape = MemoryMarshal.Cast<byte, long>(collective.Broadcast(MemoryMarshal.AsBytes(shape.AsSpan()).ToArray(), 0)).ToArray();
        double[] differing = [rootShape.AsSpan().SequenceEqual(shape) ? 0 : 1];
        collective.AllreduceSum(differing);
        return (rootShape, (int)differing[0]);
    }

    /// <summary>
    /// Builds the one-process model from label shards added one at a time: column ids[c] of the weights (and the bias
    /// weights, the shard's last row when the options have a bias) from the shard's column c, a (D [+1]) x count
    /// row-major block. Every label must come exactly once.
    /// </summary>
    internal sealed class ShardMerge(int features, int labels, OneVsRestOptions options)
    {
        private readonly RowMajorMatrix _weights = new(features, labels);
        private readonly float[]? _bias = options.Bias > 0 ? new float[labels] : null;
        private readonly bool[] _seen = new bool[labels];
        private int _merged;

        public void Add(int rank, int[] ids, float[] shard)
        {
            int count = ids.Length, rows = features + (_bias is null ? 0 : 1);
            if (shard.LongLength != (count == 0 ? 0 : (long)rows * count))
                throw new InvalidOperationException($"rank {rank} sent a damaged shard ({shard.LongLength:N0} weights for {count:N0} labels of {rows:N0} weights)");
            foreach (int l in ids)
            {
                if (l < 0 || l >= labels || _seen[l]) throw new InvalidOperationException($"rank {rank} sent label {l}, out of range or already merged");
                _seen[l] = true;
            }
            for (int j = 0; j < features; j++)
            {
                var source = shard.AsSpan(j * count, count);
                var target = _weights.Row(j);
                for (int c = 0; c < count; c++) target[ids[c]] = source[c];
            }
            if (_bias is not null)
                for (int c = 0; c < count; c++) _bias[ids[c]] = shard[features * count + c];
            _merged += count;
        }

        public OneVsRestLinear Model()
        {
            if (_merged != labels) throw new InvalidOperationException($"the shards hold {_merged:N0} of {labels:N0} labels");
            return new OneVsRestLinear(_weights, _bias, options);
        }
    }
}
