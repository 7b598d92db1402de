using QuikGraph.Algorithms;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class TrellisGraphTests
{
    [Fact]
    public void SectorGraphHas55EdgesAnd105DistinctPaths()
    {
        var g = TrellisGraph.Create(105, 5);
        // 105 = 4*25 + 1*5 + 0: two slices, four intermediate sinks, one shortcut (from slice 1).
        Assert.Equal(2, g.NumSlices);
        Assert.Equal([0, 1, 4], g.Digits);
        Assert.Equal(5 + 25 + 20 + 4 + 1, g.NumEdges);
        Assert.Equal(1 + 2 * 5 + 4 + 1, g.NumVertices);
        Assert.Equal(105, g.NumPaths);
        Assert.Single(g.Edges, e => e.IsShortcut);
        var codes = Enumerable.Range(0, 105).Select(c => string.Concat(g.Codeword(c).Select(b => b > 0 ? '1' : '0'))).ToHashSet();
        Assert.Equal(105, codes.Count);
    }

    [Fact]
    public void LtlsGraphForEightClassesHasThirteenEdges()
    {
        // b = 2, K = 8 = 1000 in base 2: source edges 2, two inter-slice blocks of 4, 2 into the single intermediate sink, 1 to the sink.
        var g = TrellisGraph.Create(8, 2);
        Assert.Equal(3, g.NumSlices);
        Assert.Equal(2 + 4 + 4 + 2 + 1, g.NumEdges);
        Assert.DoesNotContain(g.Edges, e => e.IsShortcut);
    }

    [Fact]
    public void RandomGraphsEnumerateExactlyKDistinctPathsInLexicographicOrder()
    {
        var rng = new Random(17);
        for (int trial = 0; trial < 40; trial++)
        {
            int k = rng.Next(2, 1500), b = rng.Next(2, Math.Min(k, 40) + 1);
            var g = TrellisGraph.Create(k, b);
            var reference = AllPathsByDepthFirstSearch(g);
            Assert.Equal(k, reference.Count);
            Assert.Equal(k, reference.Select(p => string.Join(",", p)).Distinct().Count());
            for (int c = 0; c < k; c++)
            {
                var path = g.PathEdges(c);
                Assert.Equal(reference[c], path);
                Assert.Equal(c, g.CodewordOfPath(path));
                var bits = g.Codeword(c);
                Assert.Equal(path.Count, bits.Count(x => x == 1));
                Assert.All(path, e => Assert.Equal(1, bits[e]));
            }
        }
    }

    [Fact]
    public void QuikGraphHoldsTheSameAcyclicGraph()
    {
        var g = TrellisGraph.Create(105, 5);
        Assert.Equal(g.NumVertices, g.Graph.VertexCount);
        Assert.Equal(g.NumEdges, g.Graph.EdgeCount);
        Assert.True(g.Graph.IsDirectedAcyclicGraph());
        Assert.All(g.Graph.Edges, e => Assert.Equal((g.Edges[e.Tag].From, g.Edges[e.Tag].To), (e.Source, e.Target)));
        var position = g.TopologicalOrder.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        Assert.All(g.Edges, e => Assert.True(position[e.From] < position[e.To]));
    }

    [Fact]
    public void LossNeighboursFollowTheSpec()
    {
        var g = TrellisGraph.Create(105, 5);
        var n = g.LossNeighbours();
        var shortcut = g.Edges.Single(e => e.IsShortcut);
        // The shortcut leaves slice 1: the 20 other edges of its group (into intermediate sinks) and the 4 sink edges.
        Assert.Equal(24, n.RowLength(shortcut.Index));
        // A source edge sees the other 4 source edges; a slice 0 -> 1 edge the other 24 of its block (105 has no
        // units digit, so slice 0 has no shortcut).
        Assert.Equal(4, n.RowLength(0));
        Assert.Equal(24, n.RowLength(5));
        var intoSink = g.Edges.First(e => e.Group == 2 && !e.IsShortcut).Index;
        Assert.Equal(20, n.RowLength(intoSink)); // 19 other edges into intermediate sinks + the shortcut
        Assert.All(Enumerable.Range(0, g.NumEdges), e => Assert.True(n[e, e] == 0));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(10, 1)]
    [InlineData(10, 11)]
    public void BadShapeIsRejected(int k, int b) =>
        Assert.Throws<ArgumentException>(() => TrellisGraph.Create(k, b));

    [Fact]
    public void CodewordOfPathRejectsABrokenPath()
    {
        var g = TrellisGraph.Create(105, 5);
        var path = g.PathEdges(7).ToList();
        Assert.Throws<ArgumentException>(() => g.CodewordOfPath(path.Skip(1)));
        Assert.Throws<ArgumentException>(() => g.CodewordOfPath(path.Take(path.Count - 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.PathEdges(105));
    }

    /// <summary>Independent reference: depth-first walk over QuikGraph's out-edges sorted by edge index.</summary>
    private static List<int[]> AllPathsByDepthFirstSearch(TrellisGraph g)
    {
        var result = new List<int[]>();
        var stack = new List<int>();
        void Walk(int v)
        {
            if (v == g.Sink)
            {
                result.Add([.. stack]);
                return;
            }
            foreach (var e in g.Graph.OutEdges(v).OrderBy(e => e.Tag))
            {
                stack.Add(e.Tag);
                Walk(e.Target);
                stack.RemoveAt(stack.Count - 1);
            }
        }
        Walk(g.Source);
        return result;
    }
}
