using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.Hierarchies;

public class HierarchyCommandTests
{
    [Fact]
    public void WritesDotAndTheSimilarityAssignment()
    {
        // Four classes: 1 and 3 near each other at feature 1, 2 and 4 near each other at feature 2.
        var train = TestData.TempFile("toy.svm",
            "1 1:1.0\n1 1:0.9\n3 1:0.8 3:0.1\n2 2:1.0\n4 2:0.9 3:0.2\n4 2:1.0\n");
        var dir = TestData.TempDir();
        string dot = Path.Combine(dir, "tree.dot"), json = Path.Combine(dir, "assignment.json"), html = Path.Combine(dir, "tree.html");
        int code = XcnCli.Run(["hierarchy", "--train", train, "--linkage", "average", "--dot", dot, "--html", html, "--assignment", json, "--name", "toy"]);
        Assert.Equal(0, code);

        var data = DatasetReader.Read(train);
        var expected = SimilarityAssignment.FromFeatures(data);
        Assert.Equal(expected.ClassOfCodeword, PrecomputedAssignments.Load(json, "toy").ClassOfCodeword);
        // Class means: "1" (0.95, 0, 0), "3" (0.8, 0, 0.1), "2" (0, 1, 0), "4" (0, 0.95, 0.1). The closest pair
        // {2, 4} (0.112) merges first and becomes the root's left child, then {1, 3} (0.180): pre-order 2 4 | 1 3.
        var pairs = expected.ClassOfCodeword.Select(c => data.LabelNames![c]).ToArray();
        Assert.Equal(["2", "4"], pairs.Take(2).Order());
        Assert.Equal(["1", "3"], pairs.Skip(2).Order());
        var dotText = File.ReadAllText(dot);
        Assert.StartsWith("digraph", dotText);
        Assert.Equal(6, dotText.Split('\n').Count(l => l.Contains("->")));
        Assert.Contains("Plotly.newPlot", File.ReadAllText(html));
    }

    [Fact]
    public void MissingFileIsAOneLineError()
    {
        Assert.Equal(2, XcnCli.Run(["hierarchy", "--train", Path.Combine(TestData.TempDir(), "absent.svm")]));
    }
}
