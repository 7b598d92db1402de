using XcNotebooks.Compute;
using XcNotebooks.Text;
using XcNotebooks.Encoders;
using XcNotebooks.Core;
using XcNotebooks.Neural;

namespace XcNotebooks.Methods.Dexml;

/// <summary>
/// One DEXML step's loss and parameter gradients for a batch of queries scored against a pool of labels, with or
/// without gradient caching (encoders-detailed.md §2.5):
/// <list type="number">
/// <item>the queries go through the encoder with their activations;</item>
/// <item>cached: the pool's labels are embedded chunk by chunk without activations (<see cref="TextEncoders.EncodeRows"/>);
/// uncached: in one pass that keeps the activations of every label;</item>
/// <item>S = Q Yᵀ/τ, the loss and ∂loss/∂S on the host (<see cref="DexmlLosses"/>), then ∂loss/∂Q = G Y/τ and
/// ∂loss/∂Y = Gᵀ Q/τ, two products: the only place the whole pool meets the batch;</item>
/// <item>∂loss/∂Q goes back through the query pass; cached: each chunk of labels is embedded again, this time with its
/// activations, and its rows of ∂loss/∂Y go back through it before the next chunk; uncached: ∂loss/∂Y goes back through
/// the single pass.</item>
/// </list>
/// Both ways accumulate the same parameter gradients (up to float summation order): the loss sees every label of the
/// pool while the cached way holds the activations of one chunk at a time. Label passes run in evaluation mode (no
/// dropout), so the second embedding of a chunk equals the first (DEXML replays the dropout masks instead; the spec
/// allows either).
/// </summary>
public static class GradientCache
{
    /// <summary>
    /// Accumulates the step's gradients into the encoder's parameters (zero them before) and returns the loss.
    /// <paramref name="positives"/>[i] and <paramref name="targets"/>[i] are columns of <paramref name="pool"/> (see
    /// <c>DexmlLosses.Evaluate</c>). <paramref name="chunk"/>: labels per cached chunk, or null for the uncached pass.
    /// </summary>
    public static double Accumulate(ITextEncoder encoder, TokenBatch queries, TokenizedCorpus labels, IReadOnlyList<int> pool,
        IReadOnlyList<int[]> positives, IReadOnlyList<int[]> targets, DexmlObjective objective, int? chunk, bool trainingQueries = true)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return Accumulate(encoder, queries, labels, pool, positives, targets, objective, chunk, trainingQueries, SingleProcessCollective.Instance, queries.Rows);
    }

    /// <summary>
    /// One data-parallel rank's part of a step (<see cref="Accumulate(ITextEncoder, TokenBatch, TokenizedCorpus, IReadOnlyList{int}, IReadOnlyList{int[]}, IReadOnlyList{int[]}, DexmlObjective, int?, bool)"/>
    /// with one rank): <paramref name="queries"/> (null when the rank has none) and their positives and targets are
    /// this rank's slice of a batch of <paramref name="batchRows"/> queries; the pool is the whole batch's. When the
    /// pool holds at least one label per rank, the rank embeds its slice of the pool, an allreduce gives every
    /// rank every label embedding (the loss of a query needs the whole pool), it scores its queries against them with
    /// the mean taken over the whole batch, an allreduce sums ∂loss/∂Y over the ranks (every query pulls on every
    /// label), and it back-propagates its queries and its slice of the pool. A smaller pool is embedded whole by every
    /// rank, which back-propagates its own queries' ∂loss/∂Y through all of it (the parameter gradients are linear in
    /// it, so their sum over the ranks is the same): no label exchange. The parameter gradients are this rank's share (sum them over the ranks before the optimiser step);
    /// the result is this rank's share of the loss. With one rank it is exactly the one-process step.
    /// </summary>
    internal static double Accumulate(ITextEncoder encoder, TokenBatch? queries, TokenizedCorpus labels, IReadOnlyList<int> pool,
        IReadOnlyList<int[]> positives, IReadOnlyList<int[]> targets, DexmlObjective objective, int? chunk, bool trainingQueries,
        ICollective collective, int batchRows)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(collective);
        objective.Validate();
        if (!encoder.IsTrainable) throw new ArgumentException($"{encoder.Kind} is frozen: there are no gradients to accumulate");
        if (pool.Count == 0) throw new ArgumentException("the label pool is empty");
        if (chunk is < 1) throw new ArgumentException($"chunk must be positive, got {chunk}");
        foreach (int l in pool)
            if ((uint)l >= (uint)labels.Count) throw new ArgumentException($"pool label {l} outside the {labels.Count} label texts");
        var b = encoder.Backend;
        int rows = queries?.Rows ?? 0, n = pool.Count, d = encoder.Dimension;
        if (positives.Count != rows || targets.Count != rows) throw new ArgumentException($"{positives.Count} positive and {targets.Count} target lists for {rows} queries");
        // Split the pool whenever every rank gets a label of it: the label side of a step (every pool label embedded
        // twice and back-propagated) costs as much as the query side or more. A pool smaller than the group is
        // embedded whole by every rank instead.
        bool distributed = collective.Size > 1 && n >= collective.Size;
        var slice = distributed ? RankSlice.Of(n, collective) : new RankSlice(0, n, n);
        var ownPool = slice.Count == n ? pool : slice.Take(pool);
        float inverseTemperature = 1f / objective.Temperature;
        using var queryPass = rows > 0 ? encoder.Forward(queries!, trainingQueries) : null;
        EncoderPass? whole = null;
        Tensor? cachedEmbeddings = null;
        try
        {
            Tensor y;
            if (chunk is { } size)
            {
                var own = TextEncoders.EncodeRows(encoder, labels, ownPool, size).Data;
                cachedEmbeddings = b.Upload(distributed ? slice.AllGatherRows(own, d, collective) : own, n, d);
                y = cachedEmbeddings;
            }
            else
            {
                if (slice.Count > 0) whole = encoder.Forward(labels.Batch(ownPool), training: false);
                if (distributed)
                {
                    cachedEmbeddings = b.Upload(slice.AllGatherRows(whole?.Embeddings.ToArray() ?? [], d, collective), n, d);
                    y = cachedEmbeddings;
                }
                else y = whole!.Embeddings;
            }
            double loss = 0;
            float[]? ownGradient = null;
            using var gradQ = rows > 0 ? b.Allocate(rows, d) : null;
            using (var gradY = b.Allocate(n, d))
            {
                if (queryPass is not null)
                {
                    var q = queryPass.Embeddings;
                    using var scores = b.Allocate(rows, n);
                    b.Gemm(q, false, y, true, scores, alpha: inverseTemperature);
                    var g = new float[rows * n];
                    loss = DexmlLosses.Evaluate(objective.Loss, scores.ToArray(), rows, n, positives, targets, g, objective.SoftTopk, batchRows);
                    scores.CopyFrom(g); // the score tensor now holds ∂loss/∂S
                    b.Gemm(scores, false, y, false, gradQ!, alpha: inverseTemperature);
                    b.Gemm(scores, true, q, false, gradY, alpha: inverseTemperature);
                }
                else b.Fill(gradY, 0f);
                if (distributed)
                {
                    var all = gradY.ToArray();
                    collective.AllreduceSum(all); // every query's pull on every label, summed over the ranks
                    ownGradient = all.AsSpan(slice.Start * d, slice.Count * d).ToArray();
                    if (whole is not null)
                    {
                        using var ownGradY = b.Upload(ownGradient, slice.Count, d);
                        encoder.Backward(whole, ownGradY);
                        ownGradient = null;
                    }
                }
                else if (whole is not null) encoder.Backward(whole, gradY);
                else ownGradient = gradY.ToArray();
            }
            cachedEmbeddings?.Dispose();
            cachedEmbeddings = null;
            if (queryPass is not null) encoder.Backward(queryPass, gradQ!);
            if (chunk is { } c && ownGradient is not null) BackwardInChunks(encoder, labels, ownPool, ownGradient, c);
            return loss;
        }
        finally
        {
            whole?.Dispose();
            cachedEmbeddings?.Dispose();
        }
    }

    /// <summary>Re-embeds the pool chunk by chunk with activations and back-propagates each chunk's rows of ∂loss/∂Y.</summary>
    private static void BackwardInChunks(ITextEncoder encoder, TokenizedCorpus labels, IReadOnlyList<int> pool, float[] gradY, int chunk)
    {
        var b = encoder.Backend;
        int d = encoder.Dimension;
        for (int start = 0; start < pool.Count; start += chunk)
        {
            int count = Math.Min(chunk, pool.Count - start);
            var rows = new int[count];
            for (int i = 0; i < count; i++) rows[i] = pool[start + i];
            using var pass = encoder.Forward(labels.Batch(rows), training: false);
            using var grad = b.Upload(gradY.AsSpan(start * d, count * d).ToArray(), count, d);
            encoder.Backward(pass, grad);
        }
    }
}
