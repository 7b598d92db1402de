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
    public int Edges, Vertices, Groups, Source, Sink, Points, Loss;
    public int EdgeFrom, EdgeGroup, EdgeShortcut, CodewordOffset, InPointers, InEdges, Order, OrderLength, Length;
}

/// <summary>
/// Batch loss-based decoding on an ILGPU accelerator: one point per thread, the trellis DAG (edge ends, groups,
/// shortcut flags, codeword offsets, in-edge lists, topological order) loaded once per group into shared memory.
/// Each thread computes its edge weights exactly as the CPU decoder does (same loss function, same operation order)
/// and runs the top-1 Viterbi recursion, carrying codeword numbers instead of back-pointers.
/// </summary>
public static class TrellisDecodeKernel
{
    /// <summary>The best codeword of every row of <paramref name="responses"/> (N x E) on <paramref name="device"/>.</summary>
    public static DecodedBatch Decode(IlgpuDevice device, LossBasedDecoder decoder, RowMajorMatrix responses)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(decoder);
        var graph = decoder.Graph;
        if (responses.Cols != graph.NumEdges)
            throw new ArgumentException($"responses have {responses.Cols} columns, the graph has {graph.NumEdges} edges");
        int n = responses.Rows;
        if (n == 0) return new DecodedBatch(0, 1, [], []);
        var (packed, layout) = Pack(graph, n, (int)decoder.Loss);
        long sharedBytes = (long)packed.Length * sizeof(int);
        if (sharedBytes > device.Accelerator.MaxSharedMemoryPerGroup)
            throw new ArgumentException($"the trellis needs {sharedBytes} bytes of shared memory, the device offers {device.Accelerator.MaxSharedMemoryPerGroup}");

        var kernel = device.Kernel("wltls.trellis-decode", a =>
            a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, TrellisLayout, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<double>>(DecodeKernel));
        var accelerator = device.Accelerator;
        using var responseBuffer = accelerator.Allocate1D(responses.Data);
        using var dagBuffer = accelerator.Allocate1D(packed);
        using var scratch = accelerator.Allocate1D<double>((long)n * ScratchPerPoint(layout));
        using var codewordScratch = accelerator.Allocate1D<int>((long)n * layout.Vertices);
        using var best = accelerator.Allocate1D<int>(n);
        using var score = accelerator.Allocate1D<double>(n);
        int group = device.GroupSize;
        var config = new KernelConfig((n + group - 1) / group, group, SharedMemoryConfig.RequestDynamic<int>(packed.Length));
        kernel(config, responseBuffer.View, dagBuffer.View, layout, scratch.View, codewordScratch.View, best.View, score.View);
        accelerator.Synchronize();
        return new DecodedBatch(n, 1, best.GetAsArray1D(), score.GetAsArray1D());
    }

    private static int ScratchPerPoint(TrellisLayout layout) => 2 * layout.Edges + 2 * layout.Groups + layout.Vertices;

    private static (int[] Packed, TrellisLayout Layout) Pack(TrellisGraph graph, int points, int loss)
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
            Points = points, Loss = loss,
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
        long weights = (long)point * (2 * g.Edges + 2 * g.Groups + g.Vertices);
        long negative = weights + g.Edges, sums = negative + g.Edges, suffix = sums + g.Groups, score = suffix + g.Groups;
        long codeword = (long)point * g.Vertices;

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

        // Top-1 Viterbi in topological order; ties keep the lowest in-edge index.
        scratch[score + g.Source] = 0;
        codewordScratch[codeword + g.Source] = 0;
        for (int o = 0; o < g.OrderLength; o++)
        {
            int v = shared[g.Order + o];
            double best = double.NegativeInfinity;
            int bestCw = -1;
            for (int p = shared[g.InPointers + v]; p < shared[g.InPointers + v + 1]; p++)
            {
                int e = shared[g.InEdges + p], u = shared[g.EdgeFrom + e];
                double candidate = scratch[score + u] + scratch[weights + e];
                if (candidate > best)
                {
                    best = candidate;
                    bestCw = codewordScratch[codeword + u] + shared[g.CodewordOffset + e];
                }
            }
            scratch[score + v] = best;
            codewordScratch[codeword + v] = bestCw;
        }
        bestCodeword[point] = codewordScratch[codeword + g.Sink];
        bestScore[point] = scratch[score + g.Sink];
    }
}
