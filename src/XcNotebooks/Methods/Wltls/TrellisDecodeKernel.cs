using XcNotebooks.Compute;
using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Offsets of the trellis arrays packed into one int array (kept in shared memory by the kernel) and the sizes the
/// kernel needs. Blittable, passed by value to the kernel.
/// </summary>
internal struct TrellisLayout
{
    public int Edges, Vertices, Groups, Source, Sink, Points, Loss, K;
    public int EdgeFrom, EdgeGroup, EdgeShortcut, CodewordOffset, InPointers, InEdges, Order, OrderLength, Length;
}

/// <summary>
/// Batch loss-based decoding on an ILGPU accelerator: one point per thread, the trellis DAG (edge ends, groups,
/// shortcut flags, codeword offsets, in-edge lists, topological order) loaded once per group into shared memory.
/// Each thread computes its edge weights exactly as the CPU decoder does (same loss function, same operation order)
/// and runs the list Viterbi recursion (the k best paths per vertex, inserted in the CPU decoder's order, so ties
/// break alike), carrying codeword numbers instead of back-pointers.
/// </summary>
public static class TrellisDecodeKernel
{
    /// <summary>
    /// The <paramref name="k"/> best codewords of every row of <paramref name="responses"/> (N x E) on
    /// <paramref name="device"/>, as <see cref="LossBasedDecoder.DecodeBatch(RowMajorMatrix, int)"/> gives them.
    /// </summary>
    public static DecodedBatch Decode(IlgpuDevice device, LossBasedDecoder decoder, RowMajorMatrix responses, int k = 1)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(decoder);
        var graph = decoder.Graph;
        if (responses.Cols != graph.NumEdges)
            throw new ArgumentException($"responses have {responses.Cols} columns, the graph has {graph.NumEdges} edges");
        int n = responses.Rows;
        if (n == 0) return new DecodedBatch(0, k, [], []);
        if (decoder.ResponseScale != 1) // the same float products as the CPU decoder's
        {
            var scaled = new RowMajorMatrix(n, responses.Cols);
            for (int i = 0; i < n; i++) decoder.Scaled(responses.Row(i), scaled.Row(i));
            responses = scaled;
        }
        var (packed, layout) = Pack(graph, n, (int)decoder.Loss, k);
        long sharedBytes = (long)packed.Length * sizeof(int);
        if (sharedBytes > device.Accelerator.MaxSharedMemoryPerGroup)
            throw new ArgumentException($"the trellis needs {sharedBytes} bytes of shared memory, the device offers {device.Accelerator.MaxSharedMemoryPerGroup}");

        var kernel = device.Kernel("wltls.trellis-decode", a =>
            a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, TrellisLayout, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<double>>(DecodeKernel));
        var accelerator = device.Accelerator;
        using var responseBuffer = accelerator.Allocate1D(responses.Data);
        using var dagBuffer = accelerator.Allocate1D(packed);
        using var scratch = accelerator.Allocate1D<double>((long)n * ScratchPerPoint(layout));
        using var codewordScratch = accelerator.Allocate1D<int>((long)n * layout.Vertices * (k + 1));
        using var best = accelerator.Allocate1D<int>((long)n * k);
        using var score = accelerator.Allocate1D<double>((long)n * k);
        int group = device.GroupSize;
        var config = new KernelConfig((n + group - 1) / group, group, SharedMemoryConfig.RequestDynamic<int>(packed.Length));
        kernel(config, responseBuffer.View, dagBuffer.View, layout, scratch.View, codewordScratch.View, best.View, score.View);
        accelerator.Synchronize();
        return new DecodedBatch(n, k, best.GetAsArray1D(), score.GetAsArray1D());
    }

    private static long ScratchPerPoint(TrellisLayout layout) => 2L * layout.Edges + 2L * layout.Groups + (long)layout.Vertices * layout.K;

    private static (int[] Packed, TrellisLayout Layout) Pack(TrellisGraph graph, int points, int loss, int k)
    {
        var order = graph.TopologicalOrder.Where(v => v != graph.Source).ToArray();
        var parts = new List<int[]>
        {
            graph.Edges.Select(e => e.From).ToArray(),
            graph.Edges.Select(e => e.Group).ToArray(),
            graph.Edges.Select(e => e.IsShortcut ? 1 : 0).ToArray(),
            graph.CodewordOffsets.ToArray(),
            graph.InEdgePointers,
            graph.InEdges,
            order,
        };
        var starts = new int[parts.Count];
        for (int p = 1; p < parts.Count; p++) starts[p] = starts[p - 1] + parts[p - 1].Length;
        var layout = new TrellisLayout
        {
            Edges = graph.NumEdges, Vertices = graph.NumVertices, Groups = graph.NumGroups, Source = graph.Source, Sink = graph.Sink,
            Points = points, Loss = loss, K = k,
            EdgeFrom = starts[0], EdgeGroup = starts[1], EdgeShortcut = starts[2], CodewordOffset = starts[3],
            InPointers = starts[4], InEdges = starts[5], Order = starts[6], OrderLength = order.Length,
            Length = starts[^1] + parts[^1].Length,
        };
        return (parts.SelectMany(p => p).ToArray(), layout);
    }

    private static void DecodeKernel(ArrayView<float> responses, ArrayView<int> dag, TrellisLayout g, ArrayView<double> scratch,
        ArrayView<int> codewordScratch, ArrayView<int> bestCodeword, ArrayView<double> bestScore)
    {
        var shared = SharedMemory.GetDynamic<int>();
        for (int j = Group.IdxX; j < g.Length; j += Group.DimX) shared[j] = dag[j];
        Group.Barrier();
        int point = Grid.GlobalIndex.X;
        if (point >= g.Points) return;

        long z = (long)point * g.Edges;
        long weights = (long)point * (2L * g.Edges + 2L * g.Groups + (long)g.Vertices * g.K);
        long negative = weights + g.Edges, sums = negative + g.Edges, suffix = sums + g.Groups, score = suffix + g.Groups;
        long codeword = (long)point * g.Vertices * (g.K + 1), count = codeword + (long)g.Vertices * g.K;

        // Edge weights: the operations of LossKernels.EdgeWeights, in the same order.
        for (int k = 0; k < g.Groups; k++) scratch[sums + k] = 0;
        for (int e = 0; e < g.Edges; e++)
        {
            double neg = LossKernels.Value(g.Loss, -(double)responses[z + e]);
            scratch[negative + e] = neg;
            scratch[sums + shared[g.EdgeGroup + e]] += neg;
        }
        double running = 0;
        for (int k = g.Groups - 1; k >= 0; k--)
        {
            running += scratch[sums + k];
            scratch[suffix + k] = running;
        }
        for (int e = 0; e < g.Edges; e++)
        {
            int k = shared[g.EdgeGroup + e];
            double others = (shared[g.EdgeShortcut + e] != 0 ? scratch[suffix + k] : scratch[sums + k]) - scratch[negative + e];
            scratch[weights + e] = -(LossKernels.Value(g.Loss, responses[z + e]) + others);
        }

        // List Viterbi in topological order: vertex v keeps its K best (score, codeword) pairs in descending order,
        // inserted as LossBasedDecoder.DecodeTopKInto does (equal scores keep the earlier in-edge and rank first).
        codewordScratch[count + g.Source] = 1;
        scratch[score + (long)g.Source * g.K] = 0;
        codewordScratch[codeword + (long)g.Source * g.K] = 0;
        for (int o = 0; o < g.OrderLength; o++)
        {
            int v = shared[g.Order + o], n = 0;
            long at = (long)v * g.K;
            for (int p = shared[g.InPointers + v]; p < shared[g.InPointers + v + 1]; p++)
            {
                int e = shared[g.InEdges + p], u = shared[g.EdgeFrom + e];
                long from = (long)u * g.K;
                for (int r = 0; r < codewordScratch[count + u]; r++)
                {
                    double candidate = scratch[score + from + r] + scratch[weights + e];
                    if (n == g.K && !(candidate > scratch[score + at + g.K - 1])) break; // u's list is sorted
                    int pos = n < g.K ? n++ : g.K - 1;
                    while (pos > 0 && candidate > scratch[score + at + pos - 1])
                    {
                        scratch[score + at + pos] = scratch[score + at + pos - 1];
                        codewordScratch[codeword + at + pos] = codewordScratch[codeword + at + pos - 1];
                        pos--;
                    }
                    scratch[score + at + pos] = candidate;
                    codewordScratch[codeword + at + pos] = codewordScratch[codeword + from + r] + shared[g.CodewordOffset + e];
                }
            }
            codewordScratch[count + v] = n;
        }
        long sink = (long)g.Sink * g.K, output = (long)point * g.K;
        int found = codewordScratch[count + g.Sink];
        for (int r = 0; r < g.K; r++)
        {
            bestCodeword[output + r] = r < found ? codewordScratch[codeword + sink + r] : -1;
            bestScore[output + r] = r < found ? scratch[score + sink + r] : double.NegativeInfinity;
        }
    }
}
