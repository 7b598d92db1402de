using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class ClusHmcFormatTests
{
    private const string TreeFile = """
        @RELATION toy
        @ATTRIBUTE a1 numeric
        @ATTRIBUTE colour {red,green}
        @ATTRIBUTE a2 NUMERIC
        @ATTRIBUTE class hierarchical 2/1/3,1,2,2/0,1/a
        @DATA
        0.5,green,3,2/1/3
        ?,red,-1,1/a@2/0
        1,red,0,1
        """;

    [Fact]
    public void TreePathsBecomeLabelsOrderedByDepthWithAncestorsAdded()
    {
        var data = ClusHmcFormat.Read(TestData.TempFile("tree.arff", TreeFile));
        // Nodes: 1, 2 (depth 1); 1/a, 2/0, 2/1 (depth 2); 2/1/3 (depth 3). 2/1 is implied by 2/1/3.
        Assert.Equal(["1", "2", "1/a", "2/0", "2/1", "2/1/3"], data.LabelNames);
        Assert.Equal([(-1, 0), (-1, 1), (0, 2), (1, 3), (1, 4), (4, 5)], data.LabelHierarchyEdges!.Order());
        Assert.Equal([1, 4, 5], data.Labels.LabelArray(0)); // 2/1/3 with 2/1 and 2
        Assert.Equal([0, 1, 2, 3], data.Labels.LabelArray(1)); // 1/a and 2/0 with 1 and 2
        Assert.Equal([0], data.Labels.LabelArray(2));
        Assert.All(data.Labels.Matrix.Values, v => Assert.Equal(1f, v));
        // Features: a1, colour=green (red is the reference), a2; '?' reads as 0.
        Assert.Equal(new float[,] { { 0.5f, 1, 3 }, { 0, 0, -1 }, { 1, 0, 0 } }, data.Features.ToDense());
    }

    [Fact]
    public void WithoutAncestorsOnlyListedClassesAreLabels()
    {
        var data = ClusHmcFormat.Read(TestData.TempFile("tree.arff", TreeFile), new ClusHmcOptions { AddAncestors = false });
        Assert.Equal([5], data.Labels.LabelArray(0));
        Assert.Equal([2, 3], data.Labels.LabelArray(1));
    }

    [Fact]
    public void DagEdgesGiveEveryParentAndShortestDepthOrder()
    {
        var file = """
            @RELATION go
            @ATTRIBUTE f numeric
            @ATTRIBUTE class hierarchical root/GO1,root/GO2,GO1/GO3,GO2/GO3,GO3/GO4,GO1/GO4
            @DATA
            1,GO4
            2,GO2@GO3
            """;
        var data = ClusHmcFormat.Read(TestData.TempFile("go.arff", file));
        // Depths: GO1 = GO2 = 1, GO3 = 2, GO4 = 2 (via GO1).
        Assert.Equal(["GO1", "GO2", "GO3", "GO4"], data.LabelNames);
        Assert.Equal([(-1, 0), (-1, 1), (0, 2), (0, 3), (1, 2), (2, 3)], data.LabelHierarchyEdges!.Order());
        Assert.Equal([0, 1, 2, 3], data.Labels.LabelArray(0)); // GO4's ancestors: GO3, GO1, GO2
        Assert.Equal([0, 1, 2], data.Labels.LabelArray(1));
    }

    private const string Header = "@RELATION t\n@ATTRIBUTE f numeric\n@ATTRIBUTE class hierarchical a,a/b,c\n@DATA\n";

    [Theory]
    [InlineData("1,a/x\n", 5, "class 'a/x' is not in the declared hierarchy")]
    [InlineData("1\n", 5, "1 values, but the header declares 2 attributes")]
    [InlineData("1,a,c\n", 5, "more values than the 2 attributes")]
    [InlineData("z,a\n", 5, "'z' is not a number")]
    [InlineData("1,a\nInfinity,c\n", 6, "not a finite number")]
    public void BadRowsNameFileAndLine(string rows, int line, string problem)
    {
        var path = TestData.TempFile("bad.arff", Header + rows);
        BadInput.Expect(() => ClusHmcFormat.Read(path), path, line, problem);
    }

    [Theory]
    [InlineData("@ATTRIBUTE class hierarchical root/A,A/B,B/A", "the hierarchy has a cycle")]
    [InlineData("@ATTRIBUTE class hierarchical root/A,B/C,C/B", "the hierarchy has a cycle (through class 'B')")]
    [InlineData("@ATTRIBUTE class hierarchical a,,b/", "empty class name")]
    [InlineData("@ATTRIBUTE class hierarchical root/A,A/B/C", "'parent/child'")]
    public void BadHierarchiesAreReportedAtTheirLine(string declaration, string problem)
    {
        var path = TestData.TempFile("h.arff", $"@RELATION t\n@ATTRIBUTE f numeric\n{declaration}\n@DATA\n1,A\n");
        var e = Assert.Throws<DataFormatException>(() => ClusHmcFormat.Read(path));
        Assert.Equal(3, e.Line);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void SplitsMustDeclareTheSameHierarchy()
    {
        var train = TestData.TempFile("a_train.arff", Header + "1,a\n");
        var test = TestData.TempFile("a_test.arff", Header.Replace("a,a/b,c", "a,a/b,d") + "1,a\n");
        var e = Assert.Throws<DataFormatException>(() => ClusHmcFormat.ReadSplits(train, null, test));
        Assert.Contains("differs from its declaration", e.Message);
    }

    [Theory]
    [InlineData("Diatoms", 371, 398, 2065, 1054)]
    [InlineData("ImCLEF07A", 80, 96, 10000, 1006)]
    public void SharedHmcDataSetsRead(string name, int features, int labels, int train, int test)
    {
        var dir = TestData.Shared("hmc");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        var files = Directory.GetFiles(dir!, name + "_*.arff");
        var splits = DatasetReader.ReadSplits(files.Single(f => f.Contains("rain")), null, files.Single(f => f.Contains("est")));
        Assert.Equal(features, splits.Train.NumFeatures);
        Assert.Equal(labels, splits.Train.NumLabels);
        Assert.Equal(train, splits.Train.NumPoints);
        Assert.Equal(test, splits.Test.NumPoints);
        var edges = splits.Train.LabelHierarchyEdges!;
        Assert.Equal(splits.Train.NumLabels, edges.Count); // a tree: one parent per node
        // Every point carries the ancestors of its labels.
        var parent = edges.ToDictionary(e => e.Child, e => e.Parent);
        for (int i = 0; i < splits.Train.NumPoints; i++)
            foreach (var l in splits.Train.Labels.LabelArray(i))
                Assert.True(parent[l] < 0 || splits.Train.Labels.Has(i, parent[l]));
    }
}
