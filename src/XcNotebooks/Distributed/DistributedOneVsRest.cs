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
        ArgumentNullException.ThrowIfNull(collective);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (options.Learner.IsOnline)
            throw new ArgumentException($"label-sharded one-vs-rest needs a dual coordinate descent learner (svm, l1svm or logistic), not {options.Learner.DisplayName}");
        monitor = collective.IsRoot() ? monitor ?? TrainingMonitor.Silent : TrainingMonitor.Silent;
        CheckSameData(train, collective);
        var shard = LabelShards.BalancedByFrequency(train.Labels.LabelCounts(), collective.Size)[collective.Rank];
        monitor.Write($"Rank {collective.Rank} of {collective.Size}: {shard.Length:N0} of {train.NumLabels:N0} labels");
        byte[] shardBytes;
        {
            var weights = shard.Length == 0
                ? null
                : LinearLearners.TrainWeights(options.Learner, OneVsRestLinear.TrainingFeatures(train, options), shard,
                    OneVsRestLinear.PositivesOf(train.Labels), options.Seed, monitor, "One-vs-rest shard");
            shardBytes = ShardBytes(shard, weights);
        }
        if (!collective.IsRoot())
        {
            collective.Gather(shardBytes, 0, (_, _) => { });
            return null;
        }
        return Merge(train.NumFeatures, train.NumLabels, options, receive => collective.Gather(shardBytes, 0, receive));
    }

    /// <summary>Every rank must hold the same training set: a cheap check of its shape before hours of training.</summary>
    private static void CheckSameData(Dataset train, ICollective collective)
    {
        double[] shape = [train.NumPoints, train.NumFeatures, train.NumLabels, train.Features.NonZeros, train.Labels.Matrix.NonZeros];
        var sum = (double[])shape.Clone();
        collective.AllreduceSum(sum);
        for (int i = 0; i < shape.Length; i++)
            if (sum[i] != shape[i] * collective.Size)
                throw new ArgumentException(
                    $"rank {collective.Rank} of {collective.Size}: the ranks hold different training sets (this rank: {train.NumPoints:N0} points, {train.NumFeatures:N0} features, {train.NumLabels:N0} labels); give every rank the same files");
    }

    /// <summary>A shard as bytes: its label count, label ids, then its (D [+1 bias row]) x count weights, row-major.</summary>
    internal static byte[] ShardBytes(int[] labels, RowMajorMatrix? weights)
    {
        int rows = weights?.Rows ?? 0;
        var bytes = new byte[4 + 4L * labels.Length + 4L * rows * labels.Length];
        MemoryMarshal.Write(bytes, labels.Length);
        MemoryMarshal.AsBytes(labels.AsSpan()).CopyTo(bytes.AsSpan(4));
        if (weights is not null) MemoryMarshal.AsBytes(weights.Data.AsSpan()).CopyTo(bytes.AsSpan(4 + 4 * labels.Length));
        return bytes;
    }

    /// <summary>
    /// Builds the one-process model from the shards <paramref name="gather"/> delivers one at a time: column
    /// ids[c] of the weights (and the bias weights, the shards' last row when the options have a bias) from the
    /// shard's column c. Every label must come exactly once.
    /// </summary>
    internal static OneVsRestLinear Merge(int features, int labels, OneVsRestOptions options, Action<Action<int, byte[]>> gather)
    {
        var weights = new RowMajorMatrix(features, labels);
        var bias = options.Bias > 0 ? new float[labels] : null;
        int rows = features + (bias is null ? 0 : 1);
        var seen = new bool[labels];
        int merged = 0;
        gather((rank, bytes) =>
        {
            int count = MemoryMarshal.Read<int>(bytes);
            if (count < 0 || bytes.Length != 4 + 4L * count + (count == 0 ? 0 : 4L * rows * count))
                throw new InvalidOperationException($"rank {rank} sent a damaged shard ({bytes.Length:N0} bytes for {count:N0} labels of {rows:N0} weights)");
            var ids = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(4, 4 * count));
            var shard = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(4 + 4 * count));
            foreach (int l in ids)
            {
                if (l < 0 || l >= labels || seen[l]) throw new InvalidOperationException($"rank {rank} sent label {l}, out of range or already merged");
                seen[l] = true;
            }
            for (int j = 0; j < features; j++)
            {
                var source = shard.Slice(j * count, count);
                var target = weights.Row(j);
                for (int c = 0; c < count; c++) target[ids[c]] = source[c];
            }
            if (bias is not null)
                for (int c = 0; c < count; c++) bias[ids[c]] = shard[features * count + c];
            merged += count;
        });
        if (merged != labels) throw new InvalidOperationException($"the shards hold {merged:N0} of {labels:N0} labels");
        return new OneVsRestLinear(weights, bias, options);
    }
}
