using XcNotebooks.Compute.Kernels;

namespace XcNotebooks.Compute;

/// <summary>
/// Masked multi-head self-attention for transformer encoders, as backend extensions that check their arguments and
/// run the backend's own implementation (<see cref="AttentionBackends"/>: a CPU path over sequence-heads in parallel,
/// an ILGPU kernel per query or key position). Sequences of a batch are padded to T positions; row
/// b·T + t of the activations is position t of sequence b, and positions at or past the sequence's length are
/// padding: never attended to, and their outputs are 0.
/// </summary>
public static class AttentionOperations
{
    /// <summary>
    /// output ← softmax(Q Kᵀ/√dh + mask) V per sequence and head; <paramref name="probabilities"/> ((B·heads·T) x T)
    /// receives the attention weights for the backward pass. qkv is (B·T) x 3d holding [Q | K | V]; output (B·T) x d;
    /// lengths B x 1.
    /// </summary>
    public static void MultiHeadAttention(this IComputeBackend backend, Tensor qkv, IntTensor lengths, int heads, Tensor output, Tensor probabilities)
    {
        var a = Check(backend, qkv, lengths, heads, output, probabilities);
        if (qkv.Rows == 0) return;
        backend.Select(AttentionBackends.Instance).Forward(qkv, lengths, output, probabilities, a);
    }

    /// <summary>
    /// The backward pass of <see cref="MultiHeadAttention"/>: gradQkv ((B·T) x 3d) is overwritten with ∂loss/∂[Q|K|V]
    /// given ∂loss/∂output; <paramref name="gradScores"/> (shaped like the probabilities) is scratch space.
    /// </summary>
    public static void MultiHeadAttentionBackward(this IComputeBackend backend, Tensor qkv, IntTensor lengths, int heads, Tensor probabilities,
        Tensor gradOutput, Tensor gradQkv, Tensor gradScores)
    {
        var a = Check(backend, qkv, lengths, heads, gradOutput, probabilities);
        Same(qkv, gradQkv, nameof(gradQkv));
        Same(probabilities, gradScores, nameof(gradScores));
        if (qkv.Rows == 0) return;
        backend.Select(AttentionBackends.Instance).Backward(qkv, lengths, probabilities, gradOutput, gradQkv, gradScores, a);
    }

    private static AttentionArgs Check(IComputeBackend backend, Tensor qkv, IntTensor lengths, int heads, Tensor output, Tensor probabilities)
    {
        ArgumentNullException.ThrowIfNull(backend);
        foreach (var (t, name) in new (TensorStorage<float>, string)[] { (qkv, nameof(qkv)), (output, nameof(output)), (probabilities, nameof(probabilities)) })
        {
            ArgumentNullException.ThrowIfNull(t, name);
            if (!ReferenceEquals(t.Backend, backend)) throw new ArgumentException($"{name} belongs to {t.Backend.Name}, not {backend.Name}");
        }
        ArgumentNullException.ThrowIfNull(lengths);
        int d = output.Cols;
        if (heads < 1 || d % heads != 0) throw new ArgumentException($"width {d} is not a multiple of {heads} heads");
        int sequences = lengths.Rows, length = probabilities.Cols;
        if (lengths.Cols != 1) throw new ArgumentException($"lengths must be B x 1, got {lengths.Rows} x {lengths.Cols}");
        if (qkv.Cols != 3 * d || qkv.Rows != sequences * length || output.Rows != qkv.Rows)
            throw new ArgumentException($"attention shapes: qkv {qkv.Rows} x {qkv.Cols}, output {output.Rows} x {output.Cols} for {sequences} sequences of {length} positions");
        if (probabilities.Rows != sequences * heads * length)
            throw new ArgumentException($"probabilities must be {sequences * heads * length} x {length}, got {probabilities.Rows} x {probabilities.Cols}");
        return new AttentionArgs { Length = length, Heads = heads, HeadSize = d / heads, Width = d, Scale = 1f / MathF.Sqrt(d / heads) };
    }

    private static void Same(Tensor a, Tensor b, string name)
    {
        ArgumentNullException.ThrowIfNull(b, name);
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException($"{name} must be {a.Rows} x {a.Cols}, got {b.Rows} x {b.Cols}");
    }
}
