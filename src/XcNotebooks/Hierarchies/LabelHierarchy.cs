using QuikGraph;
using XcNotebooks.Core;

namespace XcNotebooks.Hierarchies;

/// <summary>
/// A rooted hierarchy over labels, stored as a QuikGraph <see cref="BidirectionalGraph{TVertex, TEdge}"/> whose
/// vertices are node ids and whose edges point from parent to child.
/// <para>Nodes 0 .. <see cref="NumLabels"/> - 1 are the labels (node id = label id); nodes from NumLabels on are
/// inner nodes that are not labels (clusters of a dendrogram, taxonomy categories, a virtual root). Labels may be
/// inner nodes too (Clus-HMC hierarchies label every node).</para>
/// <para>What is allowed: a directed acyclic graph with one root from which every node is reachable. A tree is
/// the case where every node but the root has one parent; a DAG (ontologies such as GO) lets a node have several.
/// No self-loops, no repeated edges, no cycles, and every label must appear. When several nodes have no parent, a
/// virtual root (a non-label node named "(root)") is added above them.</para>
/// <para>Children keep the order their edges were given in; the depth-first pre-order walk visits them in that
/// order and, in a DAG, visits each node once, on first reaching it (as networkx's dfs_preorder_nodes does).</para>
/// </summary>
public sealed partial class LabelHierarchy
{
    /// <summary>Name given to the virtual root added above several parentless nodes.</summary>
    public const string VirtualRootName = "(root)";

    private readonly BidirectionalGraph<int, Edge<int>> _graph;
    private readonly int[][] _children;
    private readonly int[][] _parents;
    private readonly string?[] _names;
    private readonly int[] _depth;
    private readonly int[] _preOrder;
    private readonly int[] _topologicalOrder;

    private LabelHierarchy(int numLabels, int root, bool hasVirtualRoot, int[][] children, int[][] parents, string?[] names, int[] topologicalOrder)
    {
        _topologicalOrder = topologicalOrder;
        NumLabels = numLabels;
        Root = root;
        HasVirtualRoot = hasVirtualRoot;
        _children = children;
        _parents = parents;
        _names = names;
        // QuikGraph's edgeCapacity is each vertex's in- and out-edge list capacity, not the total: giving the node count
        // there reserved NumNodes^2 references per direction (4.6 GB at WordNet's 16,897 classes). Lists grow as needed.
        _graph = new BidirectionalGraph<int, Edge<int>>(allowParallelEdges: false, capacity: children.Length);
        _graph.AddVertexRange(Enumerable.Range(0, children.Length));
        for (int p = 0; p < children.Length; p++)
            foreach (var c in children[p]) _graph.AddEdge(new Edge<int>(p, c));
        _depth = ShortestDepths();
        _preOrder = DepthFirstPreOrder();
        IsTree = parents.All(ps => ps.Length <= 1);
    }

    /// <summary>The graph (parent -> child edges, out-edges in child order). Read it; do not change it.</summary>
    public IBidirectionalGraph<int, Edge<int>> Graph => _graph;

    /// <summary>Number of labels: nodes 0 .. NumLabels - 1.</summary>
    public int NumLabels { get; }

    /// <summary>Number of nodes, labels and inner nodes together.</summary>
    public int NumNodes => _children.Length;

    /// <summary>The root node.</summary>
    public int Root { get; }

    /// <summary>True when the root was added above several parentless nodes (it is then the last node).</summary>
    public bool HasVirtualRoot { get; }

    /// <summary>True when every node but the root has exactly one parent.</summary>
    public bool IsTree { get; }

    /// <summary>True when <paramref name="node"/> is a label.</summary>
    public bool IsLabel(int node) => node < NumLabels;

    /// <summary>The children of <paramref name="node"/>, in order.</summary>
    public IReadOnlyList<int> Children(int node) => _children[CheckNode(node)];

    /// <summary>The parents of <paramref name="node"/> (none for the root, one in a tree).</summary>
    public IReadOnlyList<int> Parents(int node) => _parents[CheckNode(node)];

    /// <summary>True when <paramref name="node"/> has no children.</summary>
    public bool IsLeaf(int node) => _children[CheckNode(node)].Length == 0;

    /// <summary>Number of edges on the shortest path from the root to <paramref name="node"/> (the root has depth 0).</summary>
    public int Depth(int node) => _depth[CheckNode(node)];

    /// <summary>The largest depth of any node.</summary>
    public int Height => _depth.Max();

    /// <summary>The name of <paramref name="node"/>: the name given for it, else its id.</summary>
    public string NodeName(int node) => _names[CheckNode(node)] ?? node.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every node once, in depth-first pre-order from the root.</summary>
    public IReadOnlyList<int> PreOrder => _preOrder;

    /// <summary>Every node once, each after all its parents (breadth-first from the root, Kahn's order).</summary>
    public IReadOnlyList<int> TopologicalOrder => _topologicalOrder;

    /// <summary>The nodes without children, in depth-first pre-order.</summary>
    public IReadOnlyList<int> LeavesInPreOrder => _preOrder.Where(v => _children[v].Length == 0).ToArray();

    /// <summary>
    /// The labels in depth-first pre-order (inner labels included, where they are first reached): the order the
    /// similarity-preserving codeword assignment hands out codewords in.
    /// </summary>
    public IReadOnlyList<int> LabelsInPreOrder => _preOrder.Where(v => v < NumLabels).ToArray();

    /// <summary>
    /// The labels at or below <paramref name="node"/> (itself if it is a label, and every label reachable from it),
    /// in increasing id order: the labels an inner classifier of a label tree stands for.
    /// </summary>
    public IReadOnlyList<int> LabelsBelow(int node)
    {
        var visited = new bool[NumNodes];
        var stack = new Stack<int>();
        stack.Push(CheckNode(node));
        visited[node] = true;
        var labels = new List<int>();
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (v < NumLabels) labels.Add(v);
            foreach (var c in _children[v])
                if (!visited[c]) { visited[c] = true; stack.Push(c); }
        }
        labels.Sort();
        return labels;
    }

    /// <summary>Every edge as (parent, child), parents in id order, children in order.</summary>
    public IReadOnlyList<(int Parent, int Child)> Edges =>
        _children.SelectMany((cs, p) => cs.Select(c => (p, c))).ToArray();

    /// <summary>The parent of each node, -1 for the root. Only for trees: a DAG node may have several.</summary>
    public IReadOnlyList<int> ParentList()
    {
        var result = new int[NumNodes];
        for (int v = 0; v < NumNodes; v++)
        {
            if (_parents[v].Length > 1)
                throw new InvalidOperationException(
                    $"the hierarchy is a DAG, not a tree: {Describe(v)} has {_parents[v].Length} parents; use Parents(node)");
            result[v] = _parents[v].Length == 0 ? -1 : _parents[v][0];
        }
        return result;
    }

    /// <summary>Shape, e.g. "LabelHierarchy (tree): 105 labels, 209 nodes, height 12, root 208".</summary>
    public override string ToString() =>
        $"LabelHierarchy ({(IsTree ? "tree" : "DAG")}): {NumLabels:N0} labels, {NumNodes:N0} nodes, height {Height}, root {NodeName(Root)}";

    /// <summary>
    /// From the parent of each node (-1 for a node without parent). Nodes 0 .. <paramref name="numLabels"/> - 1
    /// are labels; children keep id order. <paramref name="nodeNames"/> (optional) names the first nodes
    /// (e.g. the label names only).
    /// </summary>
    public static LabelHierarchy FromParents(IReadOnlyList<int> parents, int numLabels, IReadOnlyList<string>? nodeNames = null)
    {
        ArgumentNullException.ThrowIfNull(parents);
        var edges = new (int, int)[parents.Count];
        for (int v = 0; v < parents.Count; v++) edges[v] = (parents[v], v);
        return Build(numLabels, Math.Max(parents.Count, numLabels), edges, nodeNames,
            (i, problem) => new ArgumentException(i >= 0 ? $"parents[{i}] = {parents[i]}: {problem}" : problem, nameof(parents)));
    }

    /// <summary>
    /// From (parent, child) edges over node ids; Parent = -1 hangs the child from the root. Node ids from
    /// <paramref name="numLabels"/> on are inner (non-label) nodes and must be used without gaps. Children keep the
    /// order of their edges; parentless nodes hang from the root in the order of their (-1, node) edges, then of
    /// first appearance.
    /// </summary>
    public static LabelHierarchy FromEdges(IReadOnlyList<(int Parent, int Child)> edges, int numLabels, IReadOnlyList<string>? nodeNames = null)
    {
        ArgumentNullException.ThrowIfNull(edges);
        int numNodes = numLabels;
        foreach (var (p, c) in edges) numNodes = Math.Max(numNodes, Math.Max(p, c) + 1);
        return Build(numLabels, numNodes, edges, nodeNames,
            (i, problem) => new ArgumentException(i >= 0 ? $"edge {i} ({edges[i].Parent}, {edges[i].Child}): {problem}" : problem, nameof(edges)));
    }

    /// <summary>
    /// The hierarchy a reader attached to <paramref name="data"/> (<see cref="Dataset.LabelHierarchyEdges"/>, e.g.
    /// from a Clus-HMC ARFF file): every node is one of its labels, named by <see cref="Dataset.LabelNames"/>, and
    /// top-level labels (Parent = -1) hang under a virtual root when there are several.
    /// </summary>
    public static LabelHierarchy FromDataset(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var edges = data.LabelHierarchyEdges
            ?? throw new ArgumentException($"{data.Name} has no label hierarchy (its format gives none); build one with AgglomerativeClustering or FromEdgeListFile");
        return FromEdges(edges, data.NumLabels, data.LabelNames);
    }

    /// <summary>
    /// From a networkx-style edge list file: one "parent child" pair of names per line (anything after '#' is a
    /// comment; a trailing networkx data column such as "{'weight': 1}" or numbers is ignored). Names found in
    /// <paramref name="labelNames"/> are those labels; other names become inner nodes, numbered from
    /// labelNames.Count in order of first appearance. Every label must appear. Plain, .gz or .bz2.
    /// </summary>
    public static LabelHierarchy FromEdgeListFile(string path, IReadOnlyList<string> labelNames) =>
        EdgeListFile.Read(path, labelNames);

    /// <summary>The node described for messages: "label 'name' (id 3)", "label 3", "'name'" or "node 7".</summary>
    internal string Describe(int node) => Describe(node, NumLabels, _names);

    internal static string Describe(int node, int numLabels, IReadOnlyList<string?> names)
    {
        string? name = node < names.Count ? names[node] : null;
        if (node < numLabels) return name is null ? $"label {node}" : $"label '{name}' (id {node})";
        return name is null ? $"node {node}" : $"'{name}'";
    }

    /// <summary>
    /// Validates and assembles a hierarchy. <paramref name="error"/> makes the exception for a problem with edge i
    /// (i = -1 for problems not tied to one edge), so file readers can name the line.
    /// </summary>
    internal static LabelHierarchy Build(int numLabels, int numNodes, IReadOnlyList<(int Parent, int Child)> edges,
        IReadOnlyList<string?>? nodeNames, Func<int, string, Exception> error)
    {
        if (numLabels < 1) throw new ArgumentException($"a hierarchy needs at least one label, got {numLabels}");
        var names = new List<string?>(numNodes + 1);
        for (int v = 0; v < numNodes; v++) names.Add(nodeNames is not null && v < nodeNames.Count ? nodeNames[v] : null);
        if (nodeNames is not null && nodeNames.Count > numNodes)
            throw new ArgumentException($"{nodeNames.Count} node names for {numNodes} nodes");

        var children = new List<int>[numNodes];
        var parents = new List<int>[numNodes];
        for (int v = 0; v < numNodes; v++) { children[v] = []; parents[v] = []; }
        var seen = new HashSet<(int, int)>();
        var firstSeen = new int[numNodes];
        Array.Fill(firstSeen, int.MaxValue);
        var rootEdgeAt = new int[numNodes];
        Array.Fill(rootEdgeAt, -1);
        for (int i = 0; i < edges.Count; i++)
        {
            var (p, c) = edges[i];
            if (c < 0 || c >= numNodes) throw error(i, $"child {c} is outside 0..{numNodes - 1}");
            if (p < -1 || p >= numNodes) throw error(i, $"parent {p} is outside -1..{numNodes - 1}");
            if (p == c) throw error(i, $"{Describe(c, numLabels, names)} is its own parent");
            if (!seen.Add((p, c)))
                throw error(i, p < 0 ? $"{Describe(c, numLabels, names)} is put under the root twice"
                    : $"the edge {Describe(p, numLabels, names)} -> {Describe(c, numLabels, names)} is given twice");
            if (p >= 0)
            {
                firstSeen[p] = Math.Min(firstSeen[p], i);
                children[p].Add(c);
                parents[c].Add(p);
            }
            else rootEdgeAt[c] = i;
            firstSeen[c] = Math.Min(firstSeen[c], i);
        }
        if (numNodes > 1)
        {
            var missing = Enumerable.Range(0, numNodes).Where(v => firstSeen[v] == int.MaxValue).ToArray();
            if (missing.Length > 0)
                throw error(-1, $"{missing.Length} node(s) appear in no edge: " +
                    string.Join(", ", missing.Take(10).Select(v => Describe(v, numLabels, names))) + (missing.Length > 10 ? ", ..." : "") +
                    " (every label must be placed; give a parent, or -1 for the root)");
        }

        // Parentless nodes, and nodes hung from the root explicitly although they have parents too.
        var top = Enumerable.Range(0, numNodes)
            .Where(v => parents[v].Count == 0 || rootEdgeAt[v] >= 0)
            .OrderBy(v => rootEdgeAt[v] >= 0 ? 0 : 1).ThenBy(v => rootEdgeAt[v] >= 0 ? rootEdgeAt[v] : firstSeen[v])
            .ToList();
        if (top.Count(v => parents[v].Count == 0) == 0)
            throw error(-1, "every node has a parent, so there is no root: the edges contain a cycle");
        int root;
        bool virtualRoot = top.Count > 1 || parents[top[0]].Count > 0;
        if (virtualRoot)
        {
            root = numNodes++;
            names.Add(VirtualRootName);
            Array.Resize(ref children, numNodes);
            Array.Resize(ref parents, numNodes);
            children[root] = top;
            parents[root] = [];
            foreach (var v in top) parents[v].Add(root);
        }
        else root = top[0];

        var topological = CheckedTopologicalOrder(numLabels, root, children, parents, names, edges, error);
        return new LabelHierarchy(numLabels, root, virtualRoot,
            children.Select(l => l.ToArray()).ToArray(), parents.Select(l => l.ToArray()).ToArray(), names.ToArray(), topological);
    }

    /// <summary>Kahn's algorithm from the root; what it cannot reach lies on or below a cycle, which is named.</summary>
    private static int[] CheckedTopologicalOrder(int numLabels, int root, List<int>[] children, List<int>[] parents, List<string?> names,
        IReadOnlyList<(int Parent, int Child)> edges, Func<int, string, Exception> error)
    {
        int n = children.Length;
        var pending = new int[n];
        for (int v = 0; v < n; v++) pending[v] = parents[v].Count;
        var queue = new Queue<int>();
        queue.Enqueue(root);
        var done = new bool[n];
        var order = new List<int>(n);
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            done[v] = true;
            order.Add(v);
            foreach (var c in children[v])
                if (--pending[c] == 0) queue.Enqueue(c);
        }
        if (order.Count == n) return [.. order];
        // Every node left has a parent that is left too: walk up until a node repeats.
        int start = Array.FindIndex(done, d => !d);
        var positionOnPath = new Dictionary<int, int>();
        var path = new List<int>();
        int at = start;
        while (!positionOnPath.ContainsKey(at))
        {
            positionOnPath[at] = path.Count;
            path.Add(at);
            at = parents[at].First(p => !done[p]);
        }
        var cycle = path.Skip(positionOnPath[at]).Reverse().ToList();
        int first = cycle.IndexOf(cycle.Min());
        cycle = [.. cycle.Skip(first), .. cycle.Take(first)]; // start at the lowest id: stable, readable messages
        int edgeIndex = -1;
        for (int i = 0; i < edges.Count && edgeIndex < 0; i++)
            if (edges[i].Parent == cycle[^1] && edges[i].Child == cycle[0]) edgeIndex = i;
        throw error(edgeIndex, "the edges contain a cycle: " +
            string.Join(" -> ", cycle.Append(cycle[0]).Select(v => Describe(v, numLabels, names))));
    }

    private int[] ShortestDepths()
    {
        var depth = new int[NumNodes];
        Array.Fill(depth, -1);
        depth[Root] = 0;
        var queue = new Queue<int>();
        queue.Enqueue(Root);
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            foreach (var c in _children[v])
                if (depth[c] < 0) { depth[c] = depth[v] + 1; queue.Enqueue(c); }
        }
        return depth;
    }

    private int[] DepthFirstPreOrder()
    {
        // Marking on pop with children pushed in reverse gives exactly the recursive walk's order, also in a DAG.
        var order = new List<int>(NumNodes);
        var visited = new bool[NumNodes];
        var stack = new Stack<int>();
        stack.Push(Root);
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            if (visited[v]) continue;
            visited[v] = true;
            order.Add(v);
            var cs = _children[v];
            for (int i = cs.Length - 1; i >= 0; i--)
                if (!visited[cs[i]]) stack.Push(cs[i]);
        }
        return [.. order];
    }

    private int CheckNode(int node) =>
        (uint)node < (uint)NumNodes ? node : throw new ArgumentOutOfRangeException(nameof(node), $"node {node} outside 0..{NumNodes - 1}");
}
