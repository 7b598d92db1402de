using System.Numerics.Tensors;
using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Compute.Kernels;

namespace XcNotebooks.Compute;

/// <summary>
/// Masked multi-head self-attention for transformer encoders, as backend extensions (a CPU path over sequence-heads
/// in parallel, an ILGPU kernel per query or key position). Sequences of a batch are padded to T positions; row
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
        if (backend is IlgpuBackend gpu)
        {
            gpu.Device.Kernel("xcn.attention.forward", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.Forward))(
                lengths.Rows * a.Count, qkv.DeviceView, lengths.DeviceView, output.DeviceView, probabilities.DeviceView, a);
            return;
        }
        ForSequenceHeads(backend, lengths, a, (b, head, len) =>
        {
            var q = qkv.Host;
            var p = probabilities.Host;
            var o = output.Host;
            int stride = 3 * a.Width;
            for (int i = 0; i < a.Length; i++)
            {
                var prob = p.AsSpan(((b * a.Heads + head) * a.Length + i) * a.Length, a.Length);
                var outRow = o.AsSpan((b * a.Length + i) * a.Width + head * a.HeadSize, a.HeadSize);
                prob.Clear();
                outRow.Clear();
                if (i >= len) continue;
                var query = q.AsSpan((b * a.Length + i) * stride + head * a.HeadSize, a.HeadSize);
                for (int j = 0; j < len; j++)
                    prob[j] = TensorPrimitives.Dot(query, q.AsSpan((b * a.Length + j) * stride + a.Width + head * a.HeadSize, a.HeadSize)) * a.Scale;
                TensorPrimitives.SoftMax(prob[..len], prob[..len]);
                for (int j = 0; j < len; j++)
                    TensorPrimitives.MultiplyAdd(q.AsSpan((b * a.Length + j) * stride + 2 * a.Width + head * a.HeadSize, a.HeadSize), prob[j], outRow, outRow);
            }
        });
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
        if (backend is IlgpuBackend gpu)
        {
            int threads = lengths.Rows * a.Count;
            gpu.Device.Kernel("xcn.attention.backward-queries", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.BackwardQueries))(
                threads, qkv.DeviceView, lengths.DeviceView, probabilities.DeviceView, gradOutput.DeviceView, gradScores.DeviceView, gradQkv.DeviceView, a);
            gpu.Device.Kernel("xcn.attention.backward-keys", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.BackwardKeysValues))(
                threads, qkv.DeviceView, lengths.DeviceView, probabilities.DeviceView, gradOutput.DeviceView, gradScores.DeviceView, gradQkv.DeviceView, a);
            return;
        }
        ForSequenceHeads(backend, lengths, a, (b, head, len) =>
        {
            var q = qkv.Host;
            var p = probabilities.Host;
            var go = gradOutput.Host;
            var ds = gradScores.Host;
            var g = gradQkv.Host;
            int stride = 3 * a.Width;
            Span<float> Part(float[] array, int position, int block) =>
                array.AsSpan((b * a.Length + position) * stride + block * a.Width + head * a.HeadSize, a.HeadSize);
            for (int t = 0; t < a.Length; t++)
            {
                Part(g, t, 0).Clear();
                Part(g, t, 1).Clear();
                Part(g, t, 2).Clear();
            }
            for (int i = 0; i < a.Length; i++)
            {
                var dsRow = ds.AsSpan(((b * a.Heads + head) * a.Length + i) * a.Length, a.Length);
                dsRow.Clear();
                if (i >= len) continue;
                var prob = p.AsSpan(((b * a.Heads + head) * a.Length + i) * a.Length, len);
                var dA = go.AsSpan((b * a.Length + i) * a.Width + head * a.HeadSize, a.HeadSize);
                for (int j = 0; j < len; j++) dsRow[j] = TensorPrimitives.Dot(dA, Part(q, j, 2));
                float dot = TensorPrimitives.Dot(prob, dsRow[..len]);
                for (int j = 0; j < len; j++) dsRow[j] = prob[j] * (dsRow[j] - dot);
                var dQ = Part(g, i, 0);
                var query = Part(q, i, 0);
                for (int j = 0; j < len; j++)
                {
                    TensorPrimitives.MultiplyAdd(Part(q, j, 1), dsRow[j] * a.Scale, dQ, dQ);          // dQ_i += scale ds_ij k_j
                    var dK = Part(g, j, 1);
                    TensorPrimitives.MultiplyAdd(query, dsRow[j] * a.Scale, dK, dK);                   // dK_j += scale ds_ij q_i
                    var dV = Part(g, j, 2);
                    TensorPrimitives.MultiplyAdd(dA, prob[j], dV, dV);                                 // dV_j += p_ij dA_i
                }
            }
        });
    }

    private static void ForSequenceHeads(IComputeBackend backend, IntTensor lengths, AttentionArgs a, Action<int, int, int> body)
    {
        if (backend is not CpuBackend) throw new NotSupportedException($"attention has no implementation for {backend.GetType().Name}");
        var len = lengths.Host;
        for (int b = 0; b < lengths.Rows; b++)
            if ((uint)len[b] > (uint)a.Length) throw new ArgumentException($"sequence {b} has length {len[b]}, outside 0..{a.Length}");
        Parallel.For(0, lengths.Rows * a.Heads, sh => body(sh / a.Heads, sh % a.Heads, len[sh / a.Heads]));
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
