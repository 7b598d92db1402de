using QuikGraph;
using QuikGraph.Algorithms;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>One edge of a trellis graph: its index (= the bit of the codeword it carries), ends and loss group.</summary>
/// <param name="Index">Edge index, 0..E-1; the order of construction fixes it.</param>
/// <param name="From">Tail vertex.</param>
/// <param name="To">Head vertex.</param>
/// <param name="Group">
/// The slice the edge leaves, as the decoder groups edges: 0 for source edges, i+1 for edges leaving slice i
/// (shortcuts included), s for the edges into intermediate sinks, s+1 for intermediate sink to sink.
/// </param>
/// <param name="IsShortcut">True for a shortcut edge from a slice straight to the sink.</param>
public readonly record struct TrellisEdge(int Index, int From, int To, int Group, bool IsShortcut);

/// <summary>
/// The W-LTLS coding DAG for K classes and slice width b (Evron et al., NeurIPS 2018): s = floor(log_b K) slices
/// of b vertices, intermediate sinks for the leading base-b digit of K and shortcut edges for the other digits, so
/// that there are exactly K source-to-sink paths. Every path is a codeword in {-1,+1}^E. Codewords are numbered in
/// the order a depth-first walk from the source meets them, taking out-edges by increasing index (lexicographic by
/// edge index along the DAG), which is the order the original code enumerates them.
/// Vertex ids: source 0, vertex l of slice i is i*b + l + 1, intermediate sinks follow slice s-1, the sink is last;
/// every edge goes from a lower to a higher id.
/// </summary>
public sealed class TrellisGraph
{
    private readonly TrellisEdge[] _edges;
    private readonly int[][] _outEdges;   // per vertex, edge indices in increasing order
    private readonly long[] _pathsToSink; // per vertex
    private readonly int[] _codewordOffset;

    private TrellisGraph(int numClasses, int sliceWidth, int slices, int[] digits, int numVertices, TrellisEdge[] edges)
    {
        NumClasses = numClasses;
        SliceWidth = sliceWidth;
        NumSlices = slices;
        Digits = digits;
        NumVertices = numVertices;
        Sink = numVertices - 1;
        _edges = edges;

        var outLists = Enumerable.Range(0, numVertices).Select(_ => new List<int>()).ToArray();
        var inLists = Enumerable.Range(0, numVertices).Select(_ => new List<int>()).ToArray();
        foreach (var e in edges)
        {
            outLists[e.From].Add(e.Index);
            inLists[e.To].Add(e.Index);
        }
        _outEdges = outLists.Select(l => l.ToArray()).ToArray();

        // edgeCapacity is per vertex (each in- and out-edge list), not the total: left to grow as edges are added.
        Graph = new BidirectionalGraph<int, TaggedEdge<int, int>>(allowParallelEdges: false, capacity: numVertices);
        Graph.AddVertexRange(Enumerable.Range(0, numVertices));
        Graph.AddEdgeRange(edges.Select(e => new TaggedEdge<int, int>(e.From, e.To, e.Index)));
        // QuikGraph gives the processing order of the dynamic programmes; it also proves the graph acyclic.
        TopologicalOrder = Graph.TopologicalSort().ToArray();

        _pathsToSink = new long[numVertices];
        _pathsToSink[Sink] = 1;
        for (int i = TopologicalOrder.Count - 1; i >= 0; i--)
        {
            int v = TopologicalOrder[i];
            foreach (var e in _outEdges[v]) _pathsToSink[v] += _pathsToSink[edges[e].To];
        }
        if (_pathsToSink[Source] != numClasses)
            throw new InvalidOperationException($"trellis for K={numClasses}, b={sliceWidth} has {_pathsToSink[Source]} paths");

        // Codeword index of a path = sum over its edges of the paths that earlier sibling edges lead to.
        _codewordOffset = new int[edges.Length];
        foreach (var outs in _outEdges)
        {
            long before = 0;
            foreach (var e in outs)
            {
                _codewordOffset[e] = (int)before;
                before += _pathsToSink[edges[e].To];
            }
        }

        var ptr = new int[numVertices + 1];
        for (int v = 0; v < numVertices; v++) ptr[v + 1] = ptr[v] + inLists[v].Count;
        InEdgePointers = ptr;
        InEdges = inLists.SelectMany(l => l).ToArray();

        int groups = edges.Max(e => e.Group) + 1;
        var groupLists = Enumerable.Range(0, groups).Select(g => edges.Where(e => e.Group == g).Select(e => e.Index).ToArray()).ToArray();
        GroupPointers = new int[groups + 1];
        for (int g = 0; g < groups; g++) GroupPointers[g + 1] = GroupPointers[g] + groupLists[g].Length;
        GroupEdges = groupLists.SelectMany(l => l).ToArray();
    }

    /// <summary>Builds the trellis graph for <paramref name="numClasses"/> classes and slice width <paramref name="sliceWidth"/> (2 &lt;= b &lt;= K).</summary>
    public static TrellisGraph Create(int numClasses, int sliceWidth)
    {
        if (numClasses < 2) throw new ArgumentException($"a trellis graph needs at least 2 classes, got {numClasses}");
        if (sliceWidth < 2 || sliceWidth > numClasses)
            throw new ArgumentException($"slice width must be between 2 and the number of classes ({numClasses}), got {sliceWidth}");
        // Base-b digits of K, least significant first; s = number of digits - 1 = floor(log_b K), exactly.
        var digits = new List<int>();
        for (long rest = numClasses; rest > 0; rest /= sliceWidth) digits.Add((int)(rest % sliceWidth));
        int s = digits.Count - 1;
        int b = sliceWidth, leading = digits[s];
        int Inner(int slice, int level) => slice * b + level + 1;
        int sink = Inner(s, leading - 1) + 1;

        var edges = new List<TrellisEdge>();
        void Add(int from, int to, int group, bool shortcut) => edges.Add(new TrellisEdge(edges.Count, from, to, group, shortcut));

        for (int l = 0; l < b; l++) Add(0, Inner(0, l), 0, false);
        for (int i = 0; i < s - 1; i++)
            for (int l = 0; l < b; l++)
                for (int next = 0; next < b; next++) Add(Inner(i, l), Inner(i + 1, next), i + 1, false);
        for (int j = 0; j < leading; j++)
            for (int l = 0; l < b; l++) Add(Inner(s - 1, l), Inner(s, j), s, false);
        for (int j = 0; j < leading; j++) Add(Inner(s, j), sink, s + 1, false);
        for (int i = 0; i < s; i++)
            for (int l = 0; l < digits[i]; l++) Add(Inner(i, l), sink, i + 1, true);

        return new TrellisGraph(numClasses, sliceWidth, s, [.. digits], sink + 1, [.. edges]);
    }

    /// <summary>Number of classes K.</summary>
    public int NumClasses { get; }

    /// <summary>Number of source-to-sink paths (= K, the number of codewords).</summary>
    public int NumPaths => NumClasses;

    /// <summary>Slice width b.</summary>
    public int SliceWidth { get; }

    /// <summary>Number of full slices s = floor(log_b K).</summary>
    public int NumSlices { get; }

    /// <summary>Base-b digits of K, least significant first (Digits[s] is the leading digit: the number of intermediate sinks).</summary>
    public IReadOnlyList<int> Digits { get; }

    /// <summary>Number of vertices (source, slices, intermediate sinks, sink).</summary>
    public int NumVertices { get; }

    /// <summary>Number of edges E: the codeword length and the number of binary learners.</summary>
    public int NumEdges => _edges.Length;

    /// <summary>Number of loss groups (s + 2).</summary>
    public int NumGroups => GroupPointers.Length - 1;

    /// <summary>The source vertex (0).</summary>
    public int Source => 0;

    /// <summary>The sink vertex (the last id).</summary>
    public int Sink { get; }

    /// <summary>The edges, by index.</summary>
    public IReadOnlyList<TrellisEdge> Edges => _edges;

    /// <summary>The DAG as a QuikGraph graph; each edge's tag is its index (for pictures and graph algorithms).</summary>
    public BidirectionalGraph<int, TaggedEdge<int, int>> Graph { get; }

    /// <summary>Vertices in a topological order (computed by QuikGraph).</summary>
    public IReadOnlyList<int> TopologicalOrder { get; }

    /// <summary>In-edges of vertex v are InEdges[InEdgePointers[v] .. InEdgePointers[v+1]), by increasing index.</summary>
    internal int[] InEdgePointers { get; }

    /// <summary>In-edge lists of all vertices, concatenated.</summary>
    internal int[] InEdges { get; }

    /// <summary>Edges of group g are GroupEdges[GroupPointers[g] .. GroupPointers[g+1]).</summary>
    internal int[] GroupPointers { get; }

    /// <summary>Edge lists of all groups, concatenated.</summary>
    internal int[] GroupEdges { get; }

    /// <summary>What each edge adds to the codeword index of a path through it.</summary>
    internal ReadOnlySpan<int> CodewordOffsets => _codewordOffset;

    /// <summary>The slice and level of an inner vertex (intermediate sinks are slice s), or null for source and sink.</summary>
    public (int Slice, int Level)? VertexPosition(int vertex)
    {
        if (vertex <= Source || vertex >= Sink) return null;
        return ((vertex - 1) / SliceWidth, (vertex - 1) % SliceWidth);
    }

    /// <summary>The edges of codeword <paramref name="codeword"/>'s path, from source to sink.</summary>
    public IReadOnlyList<int> PathEdges(int codeword)
    {
        if ((uint)codeword >= (uint)NumPaths) throw new ArgumentOutOfRangeException(nameof(codeword), $"codeword {codeword} outside 0..{NumPaths - 1}");
        var path = new List<int>(NumSlices + 2);
        long rest = codeword;
        for (int v = Source; v != Sink;)
        {
            foreach (var e in _outEdges[v])
            {
                long through = _pathsToSink[_edges[e].To];
                if (rest < through)
                {
                    path.Add(e);
                    v = _edges[e].To;
                    break;
                }
                rest -= through;
            }
        }
        return path;
    }

    /// <summary>The codeword number of a source-to-sink path given by its edges (the inverse of <see cref="PathEdges"/>).</summary>
    public int CodewordOfPath(IEnumerable<int> pathEdges)
    {
        int codeword = 0, at = Source;
        foreach (var e in pathEdges)
        {
            if ((uint)e >= (uint)NumEdges || _edges[e].From != at) throw new ArgumentException($"edge {e} does not continue the path at vertex {at}");
            codeword += _codewordOffset[e];
            at = _edges[e].To;
        }
        if (at != Sink) throw new ArgumentException($"the path ends at vertex {at}, not at the sink {Sink}");
        return codeword;
    }

    /// <summary>Codeword <paramref name="codeword"/> as ±1 per edge: +1 on its path, -1 elsewhere.</summary>
    public sbyte[] Codeword(int codeword)
    {
        var bits = new sbyte[NumEdges];
        Array.Fill(bits, (sbyte)-1);
        foreach (var e in PathEdges(codeword)) bits[e] = 1;
        return bits;
    }

    /// <summary>All codewords as a K x E row-major ±1 matrix (row c is codeword c).</summary>
    public sbyte[] CodingMatrix()
    {
        var m = new sbyte[(long)NumPaths * NumEdges];
        Array.Fill(m, (sbyte)-1);
        for (int c = 0; c < NumPaths; c++)
            foreach (var e in PathEdges(c)) m[(long)c * NumEdges + e] = 1;
        return m;
    }

    /// <summary>
    /// The E x E 0/1 matrix N of the loss-based decoding reduction: row e marks the edges whose negative loss joins
    /// e's weight, the other edges of e's group, or for a shortcut the other edges of its group and all later groups.
    /// </summary>
    public CsrMatrix LossNeighbours()
    {
        var builder = new CsrBuilder(NumEdges);
        foreach (var e in _edges)
        {
            foreach (var other in _edges)
            {
                bool joins = other.Index != e.Index && (e.IsShortcut ? other.Group >= e.Group : other.Group == e.Group);
                if (joins) builder.Add(other.Index, 1f);
            }
            builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>A one-line description, e.g. "TrellisGraph K=105 b=5: 2 slices, 55 edges, 28 vertices".</summary>
    public override string ToString() => $"TrellisGraph K={NumClasses} b={SliceWidth}: {NumSlices} slices, {NumEdges} edges, {NumVertices} vertices";
}
