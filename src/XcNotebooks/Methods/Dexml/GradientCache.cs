using XcNotebooks.Compute;
using XcNotebooks.Text;
using XcNotebooks.Encoders;

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
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(objective);
        objective.Validate();
        if (!encoder.IsTrainable) throw new ArgumentException($"{encoder.Kind} is frozen: there are no gradients to accumulate");
        if (pool.Count == 0) throw new ArgumentException("the label pool is empty");
        if (chunk is < 1) throw new ArgumentException($"chunk must be positive, got {chunk}");
        foreach (int l in pool)
            if ((uint)l >= (uint)labels.Count) throw new ArgumentException($"pool label {l} outside the {labels.Count} label texts");
        var b = encoder.Backend;
        int rows = queries.Rows, n = pool.Count, d = encoder.Dimension;
        float inverseTemperature = 1f / objective.Temperature;
        using var queryPass = encoder.Forward(queries, trainingQueries);
        EncoderPass? whole = null;
        Tensor? cachedEmbeddings = null;
        try
        {
            Tensor y;
            if (chunk is { } size)
            {
                cachedEmbeddings = b.Upload(TextEncoders.EncodeRows(encoder, labels, pool, size));
                y = cachedEmbeddings;
            }
            else
            {
                whole = encoder.Forward(labels.Batch(pool), training: false);
                y = whole.Embeddings;
            }
            var q = queryPass.Embeddings;
            double loss;
            float[]? cachedGradient = null;
            using var gradQ = b.Allocate(rows, d);
            using (var scores = b.Allocate(rows, n))
            using (var gradY = b.Allocate(n, d))
            {
                b.Gemm(q, false, y, true, scores, alpha: inverseTemperature);
                var g = new float[rows * n];
                loss = DexmlLosses.Evaluate(objective.Loss, scores.ToArray(), rows, n, positives, targets, g, objective.SoftTopk);
                scores.CopyFrom(g); // the score tensor now holds ∂loss/∂S
                b.Gemm(scores, false, y, false, gradQ, alpha: inverseTemperature);
                b.Gemm(scores, true, q, false, gradY, alpha: inverseTemperature);
                if (whole is not null) encoder.Backward(whole, gradY);
                else cachedGradient = gradY.ToArray();
            }
            cachedEmbeddings?.Dispose();
            cachedEmbeddings = null;
            encoder.Backward(queryPass, gradQ);
            if (cachedGradient is not null) BackwardInChunks(encoder, labels, pool, cachedGradient, chunk!.Value);
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
