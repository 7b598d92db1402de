using System.Numerics.Tensors;
using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Compute.Kernels;

namespace XcNotebooks.Compute;

/// <summary>Multi-head attention on one backend, arguments already checked by <see cref="AttentionOperations"/>.</summary>
internal interface IAttentionBackend
{
    void Forward(Tensor qkv, IntTensor lengths, Tensor output, Tensor probabilities, AttentionArgs a);

    void Backward(Tensor qkv, IntTensor lengths, Tensor probabilities, Tensor gradOutput, Tensor gradQkv, Tensor gradScores, AttentionArgs a);
}

/// <summary>The CPU and ILGPU implementations of <see cref="IAttentionBackend"/>; each backend picks its own.</summary>
internal static class AttentionBackends
{
    public static readonly BackendOperations<IAttentionBackend> Instance = new(new Cpu(), backend => new Ilgpu(backend.Device));

    /// <summary>Sequence-heads in parallel, TensorPrimitives within each.</summary>
    private sealed class Cpu : IAttentionBackend
    {
        public void Forward(Tensor qkv, IntTensor lengths, Tensor output, Tensor probabilities, AttentionArgs a)
        {
            ForSequenceHeads(lengths, a, (b, head, len) =>
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

        public void Backward(Tensor qkv, IntTensor lengths, Tensor probabilities, Tensor gradOutput, Tensor gradQkv, Tensor gradScores, AttentionArgs a)
        {
            ForSequenceHeads(lengths, a, (b, head, len) =>
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

        private static void ForSequenceHeads(IntTensor lengths, AttentionArgs a, Action<int, int, int> body)
        {
            var len = lengths.Host;
            for (int b = 0; b < lengths.Rows; b++)
                if ((uint)len[b] > (uint)a.Length) throw new ArgumentException($"sequence {b} has length {len[b]}, outside 0..{a.Length}");
            Parallel.For(0, lengths.Rows * a.Heads, sh => body(sh / a.Heads, sh % a.Heads, len[sh / a.Heads]));
        }
    }

    /// <summary>The kernels of <see cref="AttentionKernels"/>: one thread per sequence, head and query (or key) position.</summary>
    private sealed class Ilgpu(IlgpuDevice device) : IAttentionBackend
    {
        public void Forward(Tensor qkv, IntTensor lengths, Tensor output, Tensor probabilities, AttentionArgs a) =>
            device.Kernel("xcn.attention.forward", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.Forward))(
                lengths.Rows * a.Count, qkv.DeviceView, lengths.DeviceView, output.DeviceView, probabilities.DeviceView, a);

        public void Backward(Tensor qkv, IntTensor lengths, Tensor probabilities, Tensor gradOutput, Tensor gradQkv, Tensor gradScores, AttentionArgs a)
        {
            int threads = lengths.Rows * a.Count;
            device.Kernel("xcn.attention.backward-queries", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.BackwardQueries))(
                threads, qkv.DeviceView, lengths.DeviceView, probabilities.DeviceView, gradOutput.DeviceView, gradScores.DeviceView, gradQkv.DeviceView, a);
            device.Kernel("xcn.attention.backward-keys", acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionArgs>(AttentionKernels.BackwardKeysValues))(
                threads, qkv.DeviceView, lengths.DeviceView, probabilities.DeviceView, gradOutput.DeviceView, gradScores.DeviceView, gradQkv.DeviceView, a);
        }
    }
}
