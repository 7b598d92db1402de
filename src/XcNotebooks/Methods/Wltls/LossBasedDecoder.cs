using System.Runtime.CompilerServices;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>A decoded codeword and its score: the path weight, which equals minus the codeword's total decoding loss.</summary>
public readonly record struct DecodedPath(int Codeword, double Score);

/// <summary>
/// Decoded codewords of many points: the k best per row, best first, row-major; rows with fewer than k codewords
/// (k &gt; K) are padded with codeword -1 and score -infinity.
/// </summary>
public sealed class DecodedBatch
{
    /// <summary>Wraps row-major arrays of rows * k codewords and scores.</summary>
    public DecodedBatch(int rows, int k, int[] codewords, double[] scores)
    {
        if (codewords.Length != (long)rows * k || scores.Length != codewords.Length)
            throw new ArgumentException($"expected {rows} x {k} codewords and scores, got {codewords.Length} and {scores.Length}");
        Rows = rows;
        K = k;
        Codewords = codewords;
        Scores = scores;
    }

    /// <summary>Number of points.</summary>
    public int Rows { get; }

    /// <summary>Codewords kept per point.</summary>
    public int K { get; }

    /// <summary>Codeword numbers, row-major (-1 = padding).</summary>
    public int[] Codewords { get; }

    /// <summary>Path weights (minus the decoding loss), aligned with <see cref="Codewords"/>.</summary>
    public double[] Scores { get; }

    /// <summary>The best codeword of each point.</summary>
    public int[] Best()
    {
        var best = new int[Rows];
        for (int i = 0; i < Rows; i++) best[i] = Codewords[i * K];
        return best;
    }
}

/// <summary>
/// Loss-based decoding on a trellis graph (Evron et al. 2018, Section 5): the codeword minimising
/// sum_e L(c_e z_e) is the heaviest source-to-sink path under edge weights
/// w_e = -(L(z_e) + sum over N(e) of L(-z_e')), found by dynamic programming in topological order (Viterbi);
/// the k heaviest paths by keeping the k best partial paths per vertex. The sum over N(e) is computed in O(E) from
/// per-group sums of negative losses (and their suffix sums for shortcuts) instead of multiplying by N.
/// Weights are accumulated in double so that clipped exponential losses (up to e^20) do not swamp small ones.
/// With a response scale s != 1 every response z is first multiplied by s (in float), i.e. the losses are L(s c_e z_e).
/// </summary>
public sealed class LossBasedDecoder
{
    private readonly int[] _edgeFrom;
    private readonly int[] _edgeGroup;
    private readonly bool[] _edgeShortcut;
    private readonly int[] _topological; // without the source

    /// <summary>
    /// A decoder for <paramref name="graph"/> with decoding loss <paramref name="loss"/>, applied to the responses times
    /// <paramref name="responseScale"/> (positive; 1 = the responses as they are).
    /// </summary>
    public LossBasedDecoder(TrellisGraph graph, DecodingLoss loss = DecodingLoss.Exponential, double responseScale = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!Enum.IsDefined(loss)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown decoding loss");
        if (!(responseScale > 0) || !double.IsFinite(responseScale))
            throw new ArgumentOutOfRangeException(nameof(responseScale), responseScale, "the response scale must be positive and finite");
        Graph = graph;
        Loss = loss;
        ResponseScale = responseScale;
        _edgeFrom = graph.Edges.Select(e => e.From).ToArray();
        _edgeGroup = graph.Edges.Select(e => e.Group).ToArray();
        _edgeShortcut = graph.Edges.Select(e => e.IsShortcut).ToArray();
        _topological = graph.TopologicalOrder.Where(v => v != graph.Source).ToArray();
    }

    /// <summary>The coding DAG.</summary>
    public TrellisGraph Graph { get; }

    /// <summary>The decoding loss.</summary>
    public DecodingLoss Loss { get; }

    /// <summary>The factor the responses are multiplied by before the loss (1: none).</summary>
    public double ResponseScale { get; }

    /// <summary>
    /// <paramref name="responses"/> as the loss sees them: the same span when the scale is 1, else each value times
    /// the scale (in float) written to <paramref name="scratch"/>.
    /// </summary>
    internal ReadOnlySpan<float> Scaled(ReadOnlySpan<float> responses, Span<float> scratch)
    {
        if (ResponseScale == 1) return responses;
        float scale = (float)ResponseScale;
        for (int e = 0; e < responses.Length; e++) scratch[e] = responses[e] * scale;
        return scratch[..responses.Length];
    }

    /// <summary>Total decoding loss sum_e L(c_e z_e) of codeword <paramref name="codeword"/> (brute force, O(E)).</summary>
    public double CodewordLoss(float[] responses, int codeword) => CodewordLoss((ReadOnlySpan<float>)responses, codeword);

    /// <summary>The fast path of <see cref="CodewordLoss(float[], int)"/> on a row of a response matrix.</summary>
    internal double CodewordLoss(ReadOnlySpan<float> responses, int codeword)
    {
        CheckLength(responses);
        responses = Scaled(responses, new float[responses.Length]);
        var bits = Graph.Codeword(codeword);
        double total = 0;
        for (int e = 0; e < bits.Length; e++) total += LossKernels.Value((int)Loss, bits[e] * (double)responses[e]);
        return total;
    }

    /// <summary>The heaviest-path edge weights for <paramref name="responses"/> (one per edge).</summary>
    public double[] EdgeWeights(float[] responses) => EdgeWeights((ReadOnlySpan<float>)responses);

    /// <summary>The fast path of <see cref="EdgeWeights(float[])"/> on a row of a response matrix.</summary>
    internal double[] EdgeWeights(ReadOnlySpan<float> responses)
    {
        CheckLength(responses);
        var ws = new Workspace(this, 1, topK: false);
        ComputeWeights(responses, ws);
        return ws.Weights;
    }

    /// <summary>The best codeword for the binary responses <paramref name="responses"/> (length E).</summary>
    public DecodedPath Decode(float[] responses) => Decode((ReadOnlySpan<float>)responses);

    /// <summary>The fast path of <see cref="Decode(float[])"/> on a row of a response matrix.</summary>
    internal DecodedPath Decode(ReadOnlySpan<float> responses)
    {
        CheckLength(responses);
        var ws = new Workspace(this, 1, topK: false);
        ComputeWeights(responses, ws);
        return DecodeBest(ws);
    }

    /// <summary>Scratch buffers for decoding one point at a time without allocating (one per thread).</summary>
    internal Workspace CreateWorkspace() => new(this, 1, topK: false);

    /// <summary>The best codeword, using <paramref name="workspace"/> for scratch.</summary>
    internal DecodedPath Decode(ReadOnlySpan<float> responses, Workspace workspace)
    {
        CheckLength(responses);
        ComputeWeights(responses, workspace);
        return DecodeBest(workspace);
    }

    /// <summary>The <paramref name="k"/> best codewords, best first (fewer when k exceeds K).</summary>
    public IReadOnlyList<DecodedPath> DecodeTopK(float[] responses, int k) => DecodeTopK((ReadOnlySpan<float>)responses, k);

    /// <summary>The fast path of <see cref="DecodeTopK(float[], int)"/> on a row of a response matrix.</summary>
    internal IReadOnlyList<DecodedPath> DecodeTopK(ReadOnlySpan<float> responses, int k)
    {
        CheckLength(responses);
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var ws = new Workspace(this, k, topK: true);
        ComputeWeights(responses, ws);
        var codewords = new int[k];
        var scores = new double[k];
        int found = DecodeTopKInto(ws, k, codewords, scores);
        return Enumerable.Range(0, found).Select(r => new DecodedPath(codewords[r], scores[r])).ToArray();
    }

    /// <summary>The k best codewords of every row of an N x E response matrix, parallel over rows.</summary>
    public DecodedBatch DecodeBatch(RowMajorMatrix responses, int k = 1)
    {
        if (responses.Cols != Graph.NumEdges)
            throw new ArgumentException($"responses have {responses.Cols} columns, the graph has {Graph.NumEdges} edges");
        return DecodeRows(responses.Rows, k, (i, _) => responses.Row(i));
    }

    /// <summary>
    /// The k best codewords of every row of <paramref name="features"/> under the D x E weight matrix
    /// <paramref name="weights"/> (responses x^T W computed per point, parallel over points).
    /// </summary>
    public DecodedBatch DecodeBatch(CsrMatrix features, RowMajorMatrix weights, int k = 1)
    {
        if (weights.Cols != Graph.NumEdges)
            throw new ArgumentException($"weights have {weights.Cols} columns, the graph has {Graph.NumEdges} edges");
        if (weights.Rows != features.Cols)
            throw new ArgumentException($"weights have {weights.Rows} rows, the features have {features.Cols} columns");
        return DecodeRows(features.Rows, k, (i, ws) =>
        {
            features.MultiplyRowInto(i, weights, ws.Responses);
            return ws.Responses;
        });
    }

    private delegate ReadOnlySpan<float> ResponsesOf(int row, Workspace workspace);

    private DecodedBatch DecodeRows(int rows, int k, ResponsesOf responsesOf)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var codewords = new int[(long)rows * k];
        var scores = new double[codewords.Length];
        Parallel.For(0, rows, () => new Workspace(this, k, topK: k > 1), (i, _, ws) =>
        {
            ComputeWeights(responsesOf(i, ws), ws);
            var cw = codewords.AsSpan(i * k, k);
            var sc = scores.AsSpan(i * k, k);
            if (k == 1)
            {
                var best = DecodeBest(ws);
                cw[0] = best.Codeword;
                sc[0] = best.Score;
            }
            else
            {
                int found = DecodeTopKInto(ws, k, cw, sc);
                cw[found..].Fill(-1);
                sc[found..].Fill(double.NegativeInfinity);
            }
            return ws;
        }, _ => { });
        return new DecodedBatch(rows, k, codewords, scores);
    }

    private void CheckLength(ReadOnlySpan<float> responses)
    {
        if (responses.Length != Graph.NumEdges)
            throw new ArgumentException($"expected {Graph.NumEdges} responses (one per edge), got {responses.Length}");
    }

    private void ComputeWeights(ReadOnlySpan<float> responses, Workspace ws)
    {
        LossKernels.EdgeWeights((int)Loss, Scaled(responses, ws.ScaledResponses), _edgeGroup, _edgeShortcut, ws.Weights, ws.NegativeLoss, ws.GroupSums);
    }

    // The k = 1 case of DecodeTopKInto without lists or back-pointers: it carries codeword numbers forward (as the
    // ILGPU kernel does). Hot paths are optimised at first call: short runs would otherwise spend their time in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DecodedPath DecodeBest(Workspace ws)
    {
        var score = ws.VertexScore;
        var codeword = ws.VertexCodeword;
        var inPtr = Graph.InEdgePointers;
        var inEdges = Graph.InEdges;
        var offsets = Graph.CodewordOffsets;
        var w = ws.Weights;
        score[Graph.Source] = 0;
        codeword[Graph.Source] = 0;
        foreach (int v in _topological)
        {
            double best = double.NegativeInfinity;
            int bestCodeword = -1;
            for (int p = inPtr[v]; p < inPtr[v + 1]; p++)
            {
                int e = inEdges[p], u = _edgeFrom[e];
                double candidate = score[u] + w[e];
                // Strictly greater: ties go to the lowest edge index, as in the original.
                if (candidate > best)
                {
                    best = candidate;
                    bestCodeword = codeword[u] + offsets[e];
                }
            }
            score[v] = best;
            codeword[v] = bestCodeword;
        }
        return new DecodedPath(codeword[Graph.Sink], score[Graph.Sink]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int DecodeTopKInto(Workspace ws, int k, Span<int> codewords, Span<double> scores)
    {
        var inPtr = Graph.InEdgePointers;
        var inEdges = Graph.InEdges;
        var w = ws.Weights;
        var count = ws.Count;
        var score = ws.TopScore;
        var backEdge = ws.TopBackEdge;
        var backRank = ws.TopBackRank;
        count[Graph.Source] = 1;
        score[Graph.Source * k] = 0;
        foreach (int v in _topological)
        {
            int n = 0, at = v * k;
            for (int p = inPtr[v]; p < inPtr[v + 1]; p++)
            {
                int e = inEdges[p], u = _edgeFrom[e];
                for (int r = 0; r < count[u]; r++)
                {
                    double candidate = score[u * k + r] + w[e];
                    if (n == k && !(candidate > score[at + k - 1])) break; // u's list is sorted: later ranks are no better
                    // Insert keeping descending order; equal scores keep the earlier (edge, rank) first.
                    int pos = n < k ? n++ : k - 1;
                    while (pos > 0 && candidate > score[at + pos - 1])
                    {
                        score[at + pos] = score[at + pos - 1];
                        backEdge[at + pos] = backEdge[at + pos - 1];
                        backRank[at + pos] = backRank[at + pos - 1];
                        pos--;
                    }
                    score[at + pos] = candidate;
                    backEdge[at + pos] = e;
                    backRank[at + pos] = r;
                }
            }
            count[v] = n;
        }
        var offsets = Graph.CodewordOffsets;
        int sink = Graph.Sink, found = count[sink];
        for (int r = 0; r < found; r++)
        {
            int cw = 0, v = sink, rank = r;
            while (v != Graph.Source)
            {
                int e = backEdge[v * k + rank];
                cw += offsets[e];
                rank = backRank[v * k + rank];
                v = _edgeFrom[e];
            }
            codewords[r] = cw;
            scores[r] = score[sink * k + r];
        }
        return found;
    }

    /// <summary>Per-thread scratch buffers: no allocation per decoded point.</summary>
    internal sealed class Workspace
    {
        public Workspace(LossBasedDecoder decoder, int k, bool topK)
        {
            var g = decoder.Graph;
            Responses = new float[g.NumEdges];
            ScaledResponses = decoder.ResponseScale == 1 ? [] : new float[g.NumEdges];
            Weights = new double[g.NumEdges];
            NegativeLoss = new double[g.NumEdges];
            GroupSums = new double[2 * g.NumGroups];
            VertexScore = new double[g.NumVertices];
            VertexCodeword = new int[g.NumVertices];
            if (topK)
            {
                Count = new int[g.NumVertices];
                TopScore = new double[g.NumVertices * k];
                TopBackEdge = new int[g.NumVertices * k];
                TopBackRank = new int[g.NumVertices * k];
            }
            else
            {
                Count = [];
                TopScore = [];
                TopBackEdge = [];
                TopBackRank = [];
            }
        }

        public float[] Responses { get; }
        public float[] ScaledResponses { get; }
        public double[] Weights { get; }
        public double[] NegativeLoss { get; }
        public double[] GroupSums { get; }
        public double[] VertexScore { get; }
        public int[] VertexCodeword { get; }
        public int[] Count { get; }
        public double[] TopScore { get; }
        public int[] TopBackEdge { get; }
        public int[] TopBackRank { get; }
    }
}

/// <summary>
/// The loss arithmetic of decoding as plain static code without exceptions, so that the ILGPU kernel calls the very
/// same function as the CPU decoder (and its edge-weight loop mirrors <see cref="EdgeWeights"/> operation for
/// operation): both then compute identical weights.
/// </summary>
internal static class LossKernels
{
    /// <summary>L(margin) for loss id 0 = exponential, 1 = squared hinge, 2 = squared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Value(int loss, double margin)
    {
        if (loss == 0) return Math.Exp(-Math.Min(DecodingLosses.ExponentClip, Math.Max(-DecodingLosses.ExponentClip, margin)));
        double gap = 1 - margin;
        if (loss == 1 && gap <= 0) return 0;
        return gap * gap;
    }

    /// <summary>
    /// w_e = -(L(z_e) + sum of L(-z) over the rest of e's group, or for a shortcut over the rest of its group and
    /// every later group). <paramref name="groupSums"/> holds 2 * groups values (sums, then suffix sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EdgeWeights(int loss, ReadOnlySpan<float> responses, int[] edgeGroup, bool[] edgeShortcut,
        Span<double> weights, Span<double> negativeLoss, Span<double> groupSums)
    {
        int groups = groupSums.Length / 2;
        var sums = groupSums[..groups];
        var suffix = groupSums[groups..];
        sums.Clear();
        for (int e = 0; e < responses.Length; e++)
        {
            double neg = Value(loss, -(double)responses[e]);
            negativeLoss[e] = neg;
            sums[edgeGroup[e]] += neg;
        }
        double running = 0;
        for (int g = groups - 1; g >= 0; g--)
        {
            running += sums[g];
            suffix[g] = running;
        }
        for (int e = 0; e < responses.Length; e++)
        {
            int g = edgeGroup[e];
            double others = (edgeShortcut[e] ? suffix[g] : sums[g]) - negativeLoss[e];
            weights[e] = -(Value(loss, responses[e]) + others);
        }
    }
}
