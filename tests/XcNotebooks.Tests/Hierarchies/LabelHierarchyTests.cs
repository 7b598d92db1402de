using XcNotebooks.Hierarchies;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Hierarchies;

public class LabelHierarchyTests
{
    // Hand-made tree over labels 0..5 with inner nodes 6 (root), 7, 8:
    //            6
    //        /   |   \
    //       7    2    8
    //      / \       / \
    //     4   0     5   9
    //                  / \
    //                 3   1
    // Children are given in the order drawn (left to right), deliberately not in id order.
    private static readonly (int, int)[] HandMadeEdges =
    [
        (-1, 6), (6, 7), (6, 2), (6, 8), (7, 4), (7, 0), (8, 5), (8, 9), (9, 3), (9, 1),
    ];

    [Fact]
    public void AWideHierarchyTakesMemoryInItsEdgesNotItsNodesSquared()
    {
        // A root over 2,000 leaves and a 2,000-node chain: QuikGraph's edgeCapacity is per vertex, so passing the node
        // count there reserved 2 x 4,000^2 references (256 MB) here; the edge lists alone are a few hundred kB.
        const int n = 2000;
        var edges = new List<(int, int)> { (-1, 0) };
        for (int v = 1; v < n; v++) edges.Add((0, v));
        for (int v = n; v < 2 * n - 1; v++) edges.Add((v == n ? 0 : v - 1, v));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var h = LabelHierarchy.FromEdges(edges, numLabels: n);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2 * n - 1, h.Graph.VertexCount);
        Assert.Equal(2 * n - 2, h.Graph.EdgeCount);
        Assert.Equal(n - 1 + 1, h.Graph.OutDegree(0)); // the leaves and the chain's first node
        Assert.True(allocated < 16L << 20, $"building a {2 * n - 1:N0}-node hierarchy allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DepthFirstPreOrderOfAHandMadeTree()
    {
        var h = LabelHierarchy.FromEdges(HandMadeEdges, numLabels: 6);
        Assert.Equal(10, h.NumNodes);
        Assert.Equal(6, h.Root);
        Assert.False(h.HasVirtualRoot);
        Assert.True(h.IsTree);
        Assert.Equal([6, 7, 4, 0, 2, 8, 5, 9, 3, 1], h.PreOrder);
        Assert.Equal([4, 0, 2, 5, 3, 1], h.LeavesInPreOrder);
        Assert.Equal([4, 0, 2, 5, 3, 1], h.LabelsInPreOrder);
        Assert.Equal([7, 2, 8], h.Children(6));
        Assert.Equal([2, 3, 1, 3, 2, 2, 0, 1, 1, 2], Enumerable.Range(0, 10).Select(h.Depth));
        Assert.Equal([7, 9, 6, 9, 7, 8, -1, 6, 6, 8], h.ParentList());
        Assert.Equal(3, h.Height);
        Assert.True(h.IsLabel(5));
        Assert.False(h.IsLabel(6));
        // The QuikGraph view agrees: same vertices, out-edges in child order.
        Assert.Equal(10, h.Graph.VertexCount);
        Assert.Equal(9, h.Graph.EdgeCount);
        Assert.Equal([7, 2, 8], h.Graph.OutEdges(6).Select(e => e.Target));
        Assert.Equal([9], h.Graph.InEdges(3).Select(e => e.Source));
        Assert.Equal([1, 3, 5], h.LabelsBelow(8));
        Assert.Equal([0, 4], h.LabelsBelow(7));
        Assert.Equal([2], h.LabelsBelow(2));
        Assert.Equal(Enumerable.Range(0, 6), h.LabelsBelow(6));
    }

    [Fact]
    public void FromParentsBuildsTheSameTree()
    {
        var fromEdges = LabelHierarchy.FromEdges(HandMadeEdges, 6);
        var parents = fromEdges.ParentList();
        var fromParents = LabelHierarchy.FromParents(parents, 6);
        Assert.Equal(parents, fromParents.ParentList());
        // FromParents orders children by id: 6's children become 2, 7, 8.
        Assert.Equal([2, 7, 8], fromParents.Children(6));
        Assert.Equal([6, 2, 7, 0, 4, 8, 5, 9, 1, 3], fromParents.PreOrder);
    }

    [Fact]
    public void DagNodesAreVisitedOnceAndDepthIsTheShortestPath()
    {
        // Labels 0..4, all nodes labels (Clus-HMC style); 3 has parents 1 and 4, and 4 hangs under 2.
        //   0 -> 1 -> 3;  0 -> 2 -> 4 -> 3
        var h = LabelHierarchy.FromEdges([(0, 1), (0, 2), (1, 3), (2, 4), (4, 3)], 5);
        Assert.False(h.IsTree);
        Assert.Equal(0, h.Root);
        Assert.Equal([0, 1, 3, 2, 4], h.PreOrder);
        Assert.Equal([0, 1, 3, 2, 4], h.LabelsInPreOrder);
        Assert.Equal([3], h.LeavesInPreOrder);
        Assert.Equal(2, h.Depth(3));
        Assert.Equal([1, 4], h.Parents(3));
        Assert.Equal([2, 3, 4], h.LabelsBelow(2));
        var e = Assert.Throws<InvalidOperationException>(() => h.ParentList());
        Assert.Contains("label 3 has 2 parents", e.Message);
        var topological = h.TopologicalOrder.ToList();
        foreach (var (p, c) in h.Edges) Assert.True(topological.IndexOf(p) < topological.IndexOf(c));
    }

    [Fact]
    public void SeveralParentlessNodesGetAVirtualRoot()
    {
        var h = LabelHierarchy.FromEdges([(-1, 2), (2, 0), (-1, 1)], 3, ["a", "b", "c"]);
        Assert.True(h.HasVirtualRoot);
        Assert.Equal(3, h.Root);
        Assert.Equal(LabelHierarchy.VirtualRootName, h.NodeName(h.Root));
        Assert.Equal([2, 1], h.Children(3));
        Assert.Equal([3, 2, 0, 1], h.PreOrder);
        Assert.Equal("c", h.NodeName(2));
    }

    [Fact]
    public void BadEdgesAreRejectedWithTheEdgeNamed()
    {
        Assert.Contains("label 1 is its own parent",
            Assert.Throws<ArgumentException>(() => LabelHierarchy.FromEdges([(0, 1), (1, 1)], 2)).Message);
        Assert.Contains("edge 2 (0, 1)",
            Assert.Throws<ArgumentException>(() => LabelHierarchy.FromEdges([(0, 1), (0, 2), (0, 1)], 3)).Message);
        var cycle = Assert.Throws<ArgumentException>(() => LabelHierarchy.FromEdges([(0, 1), (1, 2), (2, 3), (3, 1)], 4));
        Assert.Contains("cycle", cycle.Message);
        Assert.Contains("label 1 -> label 2 -> label 3 -> label 1", cycle.Message);
        Assert.Contains("no root", Assert.Throws<ArgumentException>(() => LabelHierarchy.FromEdges([(0, 1), (1, 0)], 2)).Message);
        Assert.Contains("label 2", Assert.Throws<ArgumentException>(() => LabelHierarchy.FromEdges([(0, 1)], 3)).Message);
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => LabelHierarchy.FromParents([-1, 0, -2], 3)).Message);
    }

    [Fact]
    public void EdgeListFileMapsNamesToLabels()
    {
        var path = TestData.TempFile("taxonomy.edgelist",
            "# networkx.write_edgelist output, with comments\n" +
            "science physics {'weight': 1}\n" +
            "science biology\n" +
            "\n" +
            "physics optics 1.0   # trailing comment\n" +
            "root science\n" +
            "root arts\n");
        string[] labels = ["optics", "biology", "arts", "physics"];
        var h = LabelHierarchy.FromEdgeListFile(path, labels);
        Assert.Equal(4, h.NumLabels);
        Assert.Equal(6, h.NumNodes); // + "science" (4) and "root" (5)
        Assert.Equal("science", h.NodeName(4));
        Assert.Equal(5, h.Root);
        Assert.Equal(["root", "science", "physics", "optics", "biology", "arts"], h.PreOrder.Select(h.NodeName));
        Assert.Equal([0, 1, 2], h.LeavesInPreOrder);
        Assert.Equal([3, 0, 1, 2], h.LabelsInPreOrder); // physics is an inner label
    }

    [Theory]
    [InlineData("a b\nb\n", 2, "expected 'parent child'")]
    [InlineData("a b\nb c oops\n", 2, "extra 'oops'")]
    [InlineData("a b\na c\na b\n", 3, "given twice")]
    [InlineData("a b\nb c\nc b\n", 3, "cycle: label 'b' (id 1) -> label 'c' (id 2) -> label 'b'")]
    [InlineData("x x\n", 1, "its own parent")]
    [InlineData("a b\n", 0, "label 'c' (id 2)")]
    public void BadEdgeListFilesNameTheLine(string content, int line, string problem)
    {
        var path = TestData.TempFile("bad.edgelist", content);
        var e = Assert.Throws<DataFormatException>(() => LabelHierarchy.FromEdgeListFile(path, ["a", "b", "c"]));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DotExportListsNodesAndOrderedEdges()
    {
        var h = LabelHierarchy.FromEdges([(2, 0), (2, 1)], 2, ["x \"quoted\"", "y"]);
        var expected = string.Join(Environment.NewLine,
            "digraph \"hierarchy\" {",
            "  ordering=out;",
            "  node [fontsize=10];",
            "  n2 [label=\"2\", shape=box, style=rounded, color=gray40];",
            "  n0 [label=\"x \\\"quoted\\\"\", shape=ellipse];",
            "  n1 [label=\"y\", shape=ellipse];",
            "  n2 -> n0;",
            "  n2 -> n1;",
            "}",
            "");
        Assert.Equal(expected, h.ToDot());
    }

    [Fact]
    public void LinkageTreeBecomesAFullBinaryTree()
    {
        // Single linkage of points 0, 1, 3, 7, 15 (see AgglomerativeClusteringTests): ((4, (3, (2, (0, 1))))).
        double[] x = [0, 1, 3, 7, 15];
        var tree = AgglomerativeClustering.Fit(CondensedDistances.FromFunction(5, (i, j) => Math.Abs(x[i] - x[j])), LinkageMethod.Single);
        var h = tree.ToHierarchy(["a", "b", "c", "d", "e"]);
        Assert.Equal(9, h.NumNodes);
        Assert.Equal(8, h.Root);
        Assert.All(Enumerable.Range(5, 4), v => Assert.Equal(2, h.Children(v).Count));
        Assert.Equal([4, 7], h.Children(8));
        Assert.Equal([4, 3, 2, 0, 1], h.LeavesInPreOrder);
        Assert.Equal("e", h.NodeName(4));
    }
}

public class LabelHierarchyFromDataTests
{
    [Theory]
    [InlineData("ImCLEF07A_Test.arff")]
    [InlineData("Diatoms_test.arff")]
    public void ClusHmcTreeMatchesItsNodePaths(string file)
    {
        var path = TestData.Shared("hmc", file);
        Assert.SkipWhen(path is null || !File.Exists(path), "../shared/data/hmc is not on this machine");
        var data = XcNotebooks.Data.Formats.ClusHmcFormat.Read(path!);
        var h = LabelHierarchy.FromDataset(data);
        var names = data.LabelNames!;
        Assert.True(h.IsTree);
        Assert.True(h.HasVirtualRoot);
        Assert.Equal(data.NumLabels + 1, h.NumNodes);
        // Independent reference: a node "a/b/c" sits at depth 3 under "a/b", which is under "a".
        for (int label = 0; label < data.NumLabels; label++)
        {
            var parts = names[label].Split('/');
            Assert.Equal(parts.Length, h.Depth(label));
            var parent = h.Parents(label).Single();
            Assert.Equal(parts.Length == 1 ? LabelHierarchy.VirtualRootName : string.Join('/', parts[..^1]), h.NodeName(parent));
        }
        // Pre-order lists every label once, each after its parent.
        var order = h.LabelsInPreOrder;
        Assert.Equal(Enumerable.Range(0, data.NumLabels), order.Order());
        var position = new int[h.NumNodes];
        for (int i = 0; i < h.PreOrder.Count; i++) position[h.PreOrder[i]] = i;
        Assert.All(h.Edges, e => Assert.True(position[e.Parent] < position[e.Child]));
    }

    [Fact]
    public void ClusHmcDagKeepsEveryParent()
    {
        // An ontology fragment: "leaf" has parents "mid" and "b"; "mid" has parents "a" and "b".
        var file = TestData.TempFile("ontology.arff", """
            @RELATION ontology
            @ATTRIBUTE x numeric
            @ATTRIBUTE y numeric
            @ATTRIBUTE class hierarchical root/a,root/b,a/mid,b/mid,mid/leaf,b/leaf
            @DATA
            0.5,1,leaf
            1,2,a@mid
            2,0,b
            """);
        var data = XcNotebooks.Data.Formats.ClusHmcFormat.Read(file);
        var h = LabelHierarchy.FromDataset(data);
        Assert.False(h.IsTree);
        int mid = data.LabelNames!.ToList().IndexOf("mid"), leaf = data.LabelNames!.ToList().IndexOf("leaf");
        Assert.Equal(["a", "b"], h.Parents(mid).Select(h.NodeName).Order());
        Assert.Equal(["b", "mid"], h.Parents(leaf).Select(h.NodeName).Order());
        Assert.Equal(2, h.Depth(leaf));
        Assert.Equal(["(root)", "a", "mid", "leaf", "b"], h.PreOrder.Select(h.NodeName));
    }

    [Fact]
    public void DataWithoutAHierarchyIsAClearError()
    {
        var data = new Dataset(CsrMatrix.Empty(1, 1), LabelMatrix.FromClasses([0], 1)) { Name = "flat" };
        Assert.Contains("flat has no label hierarchy", Assert.Throws<ArgumentException>(() => LabelHierarchy.FromDataset(data)).Message);
    }
}
