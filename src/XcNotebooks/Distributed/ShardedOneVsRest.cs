using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using XcNotebooks.Core;
using XcNotebooks.Learners;

namespace XcNotebooks.Distributed;

/// <summary>
/// Label-sharded one-vs-rest that stays split across the ranks (DiSMEC's scheme at the scale where no node can hold
/// the D x L weights): every rank trains and keeps only its shard of the labels
/// (<see cref="LabelShards.BalancedByFrequency"/>, as <see cref="DistributedOneVsRest"/> trains it). Prediction runs
/// on every rank in step: each scores the points for its own labels and keeps a top k per point, and rank 0 merges
/// the n lists (8 k bytes per point from each rank), ties broken as one process breaks them, so the predictions are
/// one process's. Saving runs on every rank in step too: rank 0 writes the one-process model file, byte for byte,
/// one block of feature rows at a time (each rank sends its columns of the block), never holding the whole weight
/// matrix; `xcn predict` loads that file in one process as a <see cref="OneVsRestLinear"/>.
/// Dual coordinate descent learners only (the default SVM, l1svm, logistic); DiSMEC pruning applies to each shard.
/// </summary>
public sealed class ShardedOneVsRest : ICollectiveModel, IReportDetails
{
    /// <summary>Weights per block of feature rows that rank 0 assembles and writes when saving (16 MB).</summary>
    internal const int SaveBlockWeights = 1 << 22;

    /// <summary>Bytes of top-k candidates rank 0 gathers at a time when merging predictions (16 MB from all ranks together).</summary>
    internal const int TopKMessageBytes = 1 << 24;

    private readonly int[] _labels;

    /// <summary>The shard's weights: D rows of one value per shard label (row-major), then its bias weights when the options have a bias.</summary>
    private readonly float[] _shard;

    private ShardedOneVsRest(ICollective collective, int features, int labels, int[] shardLabels, float[] shard, OneVsRestOptions options)
    {
        Collective = collective;
        NumFeatures = features;
        NumLabels = labels;
        Options = options;
        _labels = shardLabels;
        _shard = shard;
        int rows = features + (options.Bias > 0 ? 1 : 0);
        if (shard.LongLength != (long)rows * shardLabels.Length)
            throw new ArgumentException($"a shard of {shardLabels.Length:N0} labels needs {(long)rows * shardLabels.Length:N0} weights, got {shard.LongLength:N0}");
        // The whole model's figures, summed over the ranks once, here, so that SizeBytes and the report need no messages.
        double[] nonZeros = [LocalNonZeros()];
        collective.AllreduceSum(nonZeros);
        NonZeroWeights = (long)nonZeros[0];
        ModelBytes = OneVsRestLinear.ModelBytesOf(features, labels, options, () => NonZeroWeights);
    }

    /// <summary>
    /// Trains on every rank of <paramref name="collective"/> (all call it with the same data and options, after
    /// which each holds its shard); every rank gets the model, whose TopK and Save are then collective operations.
    /// <paramref name="monitor"/> is used on rank 0 only.
    /// </summary>
    public static ShardedOneVsRest Train(Dataset train, OneVsRestOptions options, ICollective collective, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate().ForLabels(train.NumLabels);
        var (labels, weights) = DistributedOneVsRest.TrainShard(train, options, collective, monitor);
        return new ShardedOneVsRest(collective, train.NumFeatures, train.NumLabels, labels, weights, options);
    }

    /// <inheritdoc/>
    public string Method => OneVsRestLinear.MethodName;

    /// <inheritdoc/>
    public ICollective Collective { get; }

    /// <summary>The options the model was trained with.</summary>
    public OneVsRestOptions Options { get; }

    /// <summary>Feature dimension D.</summary>
    public int NumFeatures { get; }

    /// <summary>Number of labels L (all shards).</summary>
    public int NumLabels { get; }

    /// <summary>The labels whose weights this rank holds, in increasing order.</summary>
    public IReadOnlyList<int> ShardLabels => _labels;

    /// <summary>Bytes of the weights this rank holds (float32, bias weights included).</summary>
    public long ShardBytes => 4L * _shard.LongLength;

    /// <summary>Non-zero weights of the whole model (bias weights excluded), as <see cref="OneVsRestLinear.NonZeroWeights"/>.</summary>
    public long NonZeroWeights { get; }

    /// <summary>Bytes of the whole model, as <see cref="OneVsRestLinear.ModelBytes"/> counts them.</summary>
    public long ModelBytes { get; }

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>"nonZeroWeights" of the whole model (what DiSMEC's pruning leaves), as one process reports it.</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) =>
        new() { Details = new Dictionary<string, object?> { ["nonZeroWeights"] = NonZeroWeights } };

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK((data ?? throw new ArgumentNullException(nameof(data))).Features, k);

    /// <summary>
    /// The k best labels of each point, on rank 0 (the other ranks get padding, label -1): a collective operation,
    /// every rank calls it with the same points. Each rank scores its labels and keeps its top k per point; rank 0
    /// merges them, so the result equals <see cref="OneVsRestLinear.TopK(CsrMatrix, int)"/> of the whole model,
    /// ties included (the lower label first).
    /// </summary>
    public TopKPredictions TopK(CsrMatrix features, int k) => TopK(features, k, TopKMessageBytes);

    /// <summary>
    /// As <see cref="TopK(CsrMatrix, int)"/>, the ranks sending their lists in rounds of at most <paramref name="messageBytes"/>
    /// from all ranks together (at least one point per round), which rank 0 holds while merging a round.
    /// </summary>
    internal TopKPredictions TopK(CsrMatrix features, int k, int messageBytes)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        long[] shape = [features.Rows, features.Cols, features.NonZeros, k];
        var (rootShape, differing) = DistributedOneVsRest.CompareWithRoot(Collective, shape);
        if (differing > 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{differing} rank(s) predict different points from rank 0's ({rootShape[0]:N0} points, {rootShape[2]:N0} non-zeros, top {rootShape[3]}; this rank: {shape[0]:N0}, {shape[2]:N0}, top {k}); give every rank the same files"));
        int width = _labels.Length, d = NumFeatures, rows = features.Rows;
        var bias = Options.Bias > 0 ? _shard.AsMemory(d * width, width) : Memory<float>.Empty;
        var local = OneVsRestLinear.TopK(features, k, width, (i, scores) => OneVsRestLinear.ScoreRow(features, i, _shard, bias.Span, Options, scores));
        // Shard columns are in label order, so a tie within the shard already keeps the lower label first.
        for (int p = 0; p < local.Labels.Length; p++)
            if (local.Labels[p] >= 0) local.Labels[p] = _labels[local.Labels[p]];

        bool root = Collective.IsRoot();
        var result = TopKPredictions.Empty(rows, k);
        var received = new (int[] Labels, float[] Scores)?[Collective.Size];
        int chunk = (int)Math.Max(1, messageBytes / (8L * k * Collective.Size));
        for (int start = 0; start < rows; start += chunk)
        {
            int count = Math.Min(chunk, rows - start), values = count * k;
            var message = new byte[8L * values];
            MemoryMarshal.AsBytes(local.Labels.AsSpan(start * k, values)).CopyTo(message);
            MemoryMarshal.AsBytes(local.Scores.AsSpan(start * k, values)).CopyTo(message.AsSpan(4 * values));
            // No throw inside the receive callback: a root that stopped halfway would leave the other ranks' messages unread.
            Collective.Gather(message, 0, (rank, bytes) => received[rank] = bytes.Length == message.Length
                ? (MemoryMarshal.Cast<byte, int>(bytes.AsSpan(0, 4 * values)).ToArray(), MemoryMarshal.Cast<byte, float>(bytes.AsSpan(4 * values)).ToArray())
                : null);
            if (!root) continue;
            for (int rank = 0; rank < received.Length; rank++)
                if (received[rank] is null)
                    throw new InvalidOperationException($"rank {rank} sent a damaged list of predictions ({count:N0} points x top {k} expected)");
            Merge(received.Select(r => r!.Value).ToArray(), start, count, result);
        }
        return result;
    }

    /// <summary>
    /// Rank 0's merge of the ranks' top-k lists of points start..start+count-1: each point's candidates, in label
    /// order, offered to the selector one process uses (which offers every label in label order), so scores and
    /// ties come out as one process's.
    /// </summary>
    private static void Merge((int[] Labels, float[] Scores)[] lists, int start, int count, TopKPredictions result)
    {
        int k = result.K, candidates = lists.Length * k;
        Parallel.For(0, count, () => (Labels: new int[candidates], Scores: new float[candidates]), (p, _, buffer) =>
        {
            int held = 0;
            foreach (var (labels, scores) in lists)
                for (int j = p * k; j < (p + 1) * k; j++)
                    if (labels[j] >= 0)
                    {
                        buffer.Labels[held] = labels[j];
                        buffer.Scores[held++] = scores[j];
                    }
            Array.Sort(buffer.Labels, buffer.Scores, 0, held);
            var best = result.Labels.AsSpan((start + p) * k, k);
            var bestScores = result.Scores.AsSpan((start + p) * k, k);
            for (int c = 0; c < held; c++) TopKSelector.Offer(buffer.Labels[c], buffer.Scores[c], best, bestScores);
            return buffer;
        }, _ => { });
    }

    /// <summary>
    /// Writes the one-process model file (<see cref="OneVsRestLinear"/>'s format, byte-identical to the file one
    /// process saves) on rank 0: a collective operation, every rank calls it (the path matters on rank 0 only).
    /// The ranks send their label ids, then their columns of each block of feature rows, then their bias weights;
    /// rank 0 assembles one block at a time and writes it. When rank 0 cannot write the file, it still takes every
    /// block, and every rank throws (an <see cref="IOException"/> for an I/O failure), so all can try again together.
    /// </summary>
    public void Save(string path) => Save(path, SaveBlockWeights);

    /// <summary>As <see cref="Save(string)"/>, in blocks of at most <paramref name="blockWeights"/> weights (at least one feature row).</summary>
    internal void Save(string path, int blockWeights)
    {
        int d = NumFeatures, labels = NumLabels;
        OneVsRestLinear.StoredWeightCount(d, labels); // every rank refuses a model the format cannot hold, before any message
        bool bias = Options.Bias > 0, root = Collective.IsRoot();
        int rowsPerBlock = Math.Clamp(blockWeights / Math.Max(1, labels), 1, Math.Max(1, d));
        int blocks = (d + rowsPerBlock - 1) / rowsPerBlock, steps = blocks + (bias ? 1 : 0);
        var ids = new int[Collective.Size][];
        Collective.Gather(MemoryMarshal.AsBytes(_labels.AsSpan()).ToArray(), 0, (rank, bytes) => ids[rank] = MemoryMarshal.Cast<byte, int>(bytes).ToArray());
        if (!root)
        {
            float[]? sent = null;
            for (int step = 0; step < steps; step++) Collective.Gather(Part(step, rowsPerBlock, ref sent), 0, (_, _) => { });
            ThrowWhenRootFailed(Collective.Broadcast(null, 0));
            return;
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var block = new float[(long)Math.Min(rowsPerBlock, Math.Max(1, d)) * labels];
        int done = 0;
        bool checkedIds = false;
        float[]? own = null;
        long unreleased = 0;
        // One gather per step; rank 0 keeps the values (step < blocks: a block of feature rows, else the bias weights).
        Span<float> Next()
        {
            int step = done++;
            int first = step * rowsPerBlock, count = step < blocks ? Math.Min(rowsPerBlock, d - first) : 1;
            var target = step < blocks ? block : new float[labels];
            string? damage = null;
            Collective.Gather(Part(step, rowsPerBlock, ref own), 0, (rank, values) =>
            {
                if (rank != 0) ReleaseReceived(ref unreleased, values.LongLength);
                if (!checkedIds || damage is not null) return; // draining after a failure
                int width = ids[rank].Length;
                if (values.LongLength != (long)count * width) { damage ??= $"rank {rank} sent {values.LongLength:N0} weights for {count:N0} rows of {width:N0} labels"; return; }
                for (int i = 0; i < count; i++)
                {
                    var row = target.AsSpan(i * labels, labels);
                    var source = values.AsSpan(i * width, width);
                    for (int c = 0; c < width; c++) row[ids[rank][c]] = source[c];
                }
            });
            if (damage is not null) throw new InvalidOperationException(damage);
            return target.AsSpan(0, count * labels);
        }

        Exception? failure = null;
        try
        {
            CheckShards(ids, labels);
            checkedIds = true;
            OneVsRestLinear.Save(path, d, labels, w =>
            {
                while (done < blocks) w.Write(MemoryMarshal.AsBytes(Next()));
            }, () => bias ? Next().ToArray() : new float[labels], Options);
        }
        catch (Exception e)
        {
            failure = e;
            checkedIds = false;
        }
        while (done < steps) Next(); // the other ranks send every block whatever happened here
        Collective.Broadcast(Outcome(failure), 0);
        if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>
    /// What this rank sends at a step of <see cref="Save(string)"/>: its columns of a block of feature rows, or its
    /// bias weights, copied into <paramref name="buffer"/> when it has the size (every full block), else into a new
    /// array that becomes the buffer: a save allocates a few arrays, not one per block.
    /// </summary>
    private float[] Part(int step, int rowsPerBlock, ref float[]? buffer)
    {
        int width = _labels.Length, first = step * rowsPerBlock;
        var part = first < NumFeatures
            ? _shard.AsSpan(first * width, Math.Min(rowsPerBlock, NumFeatures - first) * width)
            : _shard.AsSpan(NumFeatures * width, width);
        if (buffer is null || buffer.Length != part.Length) buffer = new float[part.Length];
        part.CopyTo(buffer);
        return buffer;
    }

    /// <summary>Received weights rank 0 lets pile up before it collects them (64 MB).</summary>
    private const long ReceivedBytesBeforeCollecting = 1L << 26;

    /// <summary>
    /// Counts the weights rank 0 received (a new array per message, garbage once scattered into the block) and
    /// collects them every <see cref="ReceivedBytesBeforeCollecting"/> bytes: the GC's budget for large arrays grows
    /// with the live heap (the shard), so without it the parts of a save would pile up to the size of the others' shards.
    /// </summary>
    private static void ReleaseReceived(ref long unreleased, long values)
    {
        unreleased += 4 * values;
        if (unreleased < ReceivedBytesBeforeCollecting) return;
        GC.Collect();
        unreleased = 0;
    }

    /// <summary>The shards' label ids must cover every label exactly once (else the file would not be one process's).</summary>
    private static void CheckShards(int[][] ids, int labels)
    {
        var seen = new bool[labels];
        long total = 0;
        for (int rank = 0; rank < ids.Length; rank++)
            foreach (int l in ids[rank])
            {
                if (l < 0 || l >= labels || seen[l]) throw new InvalidOperationException($"rank {rank} holds label {l}, out of range or held by another rank");
                seen[l] = true;
                total++;
            }
        if (total != labels) throw new InvalidOperationException($"the shards hold {total:N0} of {labels:N0} labels");
    }

    /// <summary>Rank 0's outcome of a save for the other ranks: 0, or 1 (I/O failure) / 2 (other failure) and the message.</summary>
    private static byte[] Outcome(Exception? failure) => failure is null ? [0]
        : [failure is IOException or UnauthorizedAccessException ? (byte)1 : (byte)2, .. Encoding.UTF8.GetBytes(failure.Message)];

    private static void ThrowWhenRootFailed(byte[] outcome)
    {
        if (outcome[0] == 0) return;
        var message = $"rank 0 could not write the model: {Encoding.UTF8.GetString(outcome, 1, outcome.Length - 1)}";
        throw outcome[0] == 1 ? new IOException(message) : new InvalidOperationException(message);
    }

    private long LocalNonZeros()
    {
        long count = 0;
        foreach (float v in _shard.AsSpan(0, NumFeatures * _labels.Length)) if (v != 0) count++;
        return count;
    }

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"ShardedOneVsRest rank {Collective.Rank} of {Collective.Size}: {_labels.Length:N0} of {NumLabels:N0} labels x {NumFeatures:N0} features ({Options.Learner.DisplayName})";
}
