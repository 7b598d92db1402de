using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Hierarchies;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsSimilarityTests
{
    private static readonly DataSplits Data = SyntheticData.MultiClass(12, 300, 360, 120, 180, seed: 6);

    [Fact]
    public void SimilarityPolicyUsesTheClassMeanClusteringAndScoresIt()
    {
        var log = new List<string>();
        var options = new WltlsOptions { SliceWidth = 2, Epochs = 2, PathAssignment = PathAssignmentPolicy.Similarity, Seed = 5 };
        var training = Wltls.TrainDetailed(Data.Train, Data.Heldout, options, new TrainingMonitor { Log = log.Add });

        var classDistances = ClassDistances.EuclideanBetweenMeans(Data.Train);
        var expected = SimilarityAssignment.FromDistances(classDistances, LinkageMethod.Average);
        Assert.Equal(expected.CodewordOfClass, training.Best.CodewordOfClass);
        Assert.Contains("Using a Similarity path assignment policy.", log);

        // The reported Eq. 5 score is that of the assignment used, against the trellis codewords' Hamming distances.
        var graph = training.Best.Graph;
        var codewordDistances = CodewordDistances.Hamming(12, graph.NumEdges, graph.PathEdges);
        var quality = Assert.IsType<AssignmentQuality>(training.AssignmentQuality);
        Assert.Equal(AssignmentScore.Eq5(classDistances, codewordDistances, expected), quality.Score, 12);
        Assert.Equal(5, quality.Random.Values.Count);
        Assert.True(quality.Score < quality.Random.Mean, $"similarity {quality}");
    }

    [Fact]
    public void TheAssignmentIsScoredOnlyUpToScoreAssignmentMaxClasses()
    {
        // 12 classes: scored at a limit of 12, not at 11 (the K x K tables are not built), the model the same.
        var options = new WltlsOptions { SliceWidth = 2, Epochs = 1, PathAssignment = PathAssignmentPolicy.Random, Seed = 3 };
        var scored = Wltls.TrainDetailed(Data.Train, null, options with { ScoreAssignmentMaxClasses = 12 });
        var skipped = Wltls.TrainDetailed(Data.Train, null, options with { ScoreAssignmentMaxClasses = 11 });
        Assert.NotNull(scored.AssignmentQuality);
        Assert.Null(skipped.AssignmentQuality);
        Assert.Equal(scored.Best.CodewordOfClass, skipped.Best.CodewordOfClass);
        Assert.Equal(scored.Best.TopK(Data.Test, 3).Labels, skipped.Best.TopK(Data.Test, 3).Labels);
        Assert.Throws<ArgumentException>(() => (options with { ScoreAssignmentMaxClasses = CondensedDistances.MaxCount + 1 }).Validate());
    }

    [Fact]
    public void AGivenHierarchyDecidesTheAssignment()
    {
        // A chain hierarchy 11 -> 10 -> ... -> 0 (labels as inner nodes): pre-order 11, 10, ..., 0.
        var edges = Enumerable.Range(0, 11).Select(c => (c + 1, c)).ToArray();
        var hierarchy = LabelHierarchy.FromEdges(edges, 12);
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 1, PathAssignment = PathAssignmentPolicy.Similarity, ClassHierarchy = hierarchy };
        var model = Wltls.Train(Data.Train, null, options);
        Assert.Equal(Enumerable.Range(0, 12).Reverse(), model.ClassOfCodeword);

        var wrong = LabelHierarchy.FromEdges([(-1, 0), (-1, 1)], 2);
        Assert.Contains("2 labels", Assert.Throws<ArgumentException>(() => Wltls.Train(Data.Train, null, options with { ClassHierarchy = wrong })).Message);
    }

    [Fact]
    public void SmallestSubtreeFirstWalksChildrenBySubtreeSize()
    {
        // Labels 0..7, node 8 an inner non-label node. Root 0 has children (given order) 1, 2, 3:
        //   1 -> 4, 5, 8 and 8 -> 6 (subtree of 1: 1, 4, 5, 8, 6 = 5 nodes); 2 alone (1 node); 3 -> 7 (2 nodes).
        // 7 also has the parent 5 (a DAG): it counts under both, and is visited where the walk first reaches it.
        var edges = new[] { (0, 1), (0, 2), (0, 3), (1, 4), (1, 5), (1, 8), (8, 6), (3, 7), (5, 7) };
        var hierarchy = LabelHierarchy.FromEdges(edges, 8);
        // As given: 0, 1, 4, 5, 7 (under 5), 8 (not a label), 6, 2, 3.
        Assert.Equal(new[] { 0, 1, 4, 5, 7, 6, 2, 3 }, SimilarityAssignment.FromHierarchy(hierarchy).ClassOfCodeword);
        Assert.Equal(SimilarityAssignment.FromHierarchy(hierarchy).ClassOfCodeword,
            SimilarityAssignment.FromHierarchy(hierarchy, HierarchyChildOrder.AsGiven).ClassOfCodeword);
        // Sizes: 4 = 1, 7 = 1, 6 = 1, 5 = 2 (with 7), 8 = 2, 1 = 1 + 1 + 2 + 2 = 6, 2 = 1, 3 = 2.
        // Root: 2 (1), 3 (2), 1 (6). Under 3: 7. Under 1: 4 (1), then 5 and 8 (2 each, given order): 5 (its 7 is visited), 8, 6.
        Assert.Equal(new[] { 0, 2, 3, 7, 1, 4, 5, 6 },
            SimilarityAssignment.FromHierarchy(hierarchy, HierarchyChildOrder.SmallestSubtreeFirst).ClassOfCodeword);
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 1, PathAssignment = PathAssignmentPolicy.Similarity };
        var tree = LabelHierarchy.FromEdges([.. Enumerable.Range(1, 11).Select(c => (c < 4 ? 0 : c <= 8 ? 1 : 2, c))], 12);
        var model = Wltls.Train(Data.Train, null, options with { ClassHierarchy = tree, SimilarityChildOrder = HierarchyChildOrder.SmallestSubtreeFirst });
        Assert.Equal(SimilarityAssignment.FromHierarchy(tree, HierarchyChildOrder.SmallestSubtreeFirst).ClassOfCodeword, model.ClassOfCodeword);
        Assert.NotEqual(SimilarityAssignment.FromHierarchy(tree).ClassOfCodeword, model.ClassOfCodeword);
        Assert.Throws<ArgumentException>(() => (options with { SimilarityChildOrder = (HierarchyChildOrder)7 }).Validate());
    }

    [Fact]
    public void TheWltlsWordNetPresetIsItsDocumentedCliFlags()
    {
        // The flags WltlsOptions.WordNet's documentation gives, bound by the CLI's options binder, are the preset.
        var bound = XcNotebooks.Cli.Common.OptionsBinder.Create<WltlsOptions>();
        var command = new System.CommandLine.Command("x");
        foreach (var option in bound.AllOptions) command.Options.Add(option);
        var parsed = command.Parse(["--slice-width", "16", "--path-assignment", "similarity", "--similarity-child-order", "smallest-subtree-first",
            "--epochs", "3", "--learner-arow-r", "2"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(WltlsOptions.WordNet, bound.Bind(parsed, new WltlsOptions()));
        Assert.Equal(2, WltlsOptions.WordNet.DecodingScale);
        WltlsOptions.WordNet.Validate();
    }

    [Fact]
    public void CliRunsTheSimilarityPolicyWithAnEdgeListHierarchy()
    {
        var dir = TestData.TempDir();
        string train = Path.Combine(dir, "toy.train"), test = Path.Combine(dir, "toy.test");
        LibSvmFormat.Write(train, Data.Train);
        LibSvmFormat.Write(test, Data.Test);
        var names = DatasetReader.Read(train).LabelNames!;
        // Two groups under a root: classes in the order the file lists them.
        var order = names.Reverse().ToArray();
        File.WriteAllLines(Path.Combine(dir, "tree.edgelist"),
            ["# root with two groups", "root left", "root right", .. order.Take(6).Select(n => $"left {n}"), .. order.Skip(6).Select(n => $"right {n}")]);
        string report = Path.Combine(dir, "report.json");
        int code = XcnCli.Run(["wltls", "--train", train, "--test", test, "--slice-width", "2", "--epochs", "1",
            "--path-assignment", "similarity", "--hierarchy", Path.Combine(dir, "tree.edgelist"), "--report", report]);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var details = json.RootElement.GetProperty("details");
        Assert.True(details.GetProperty("assignmentScore").GetProperty("score").GetDouble() is > 0 and < 4);
        Assert.Equal("Similarity", json.RootElement.GetProperty("options").GetProperty("pathAssignment").GetString());
    }

    [Fact]
    public void ExperimentTableHasOneRowPerWidthAndPolicy()
    {
        var options = new AssignmentExperimentOptions { SliceWidths = [2, 3], Seeds = 2, Wltls = new WltlsOptions { Epochs = 1 } };
        var rows = WltlsAssignmentExperiment.Run(Data, options);
        Assert.Equal([(2, PathAssignmentPolicy.Random), (2, PathAssignmentPolicy.Similarity), (3, PathAssignmentPolicy.Random), (3, PathAssignmentPolicy.Similarity)],
            rows.Select(r => (r.SliceWidth, r.Policy)));
        Assert.All(rows, r => Assert.Equal(2, r.TestAccuracy.Values.Count));
        Assert.All(rows, r => Assert.NotNull(r.ValidationAccuracy));
        // The similarity assignment does not depend on the seed; random ones do.
        Assert.All(rows.Where(r => r.Policy == PathAssignmentPolicy.Similarity), r => Assert.Equal(0.0, r.AssignmentScore.StandardDeviation));
        Assert.All(rows.Where(r => r.Policy == PathAssignmentPolicy.Random), r => Assert.True(r.AssignmentScore.StandardDeviation > 0));
        foreach (int b in new[] { 2, 3 })
            Assert.True(rows.Single(r => r.SliceWidth == b && r.Policy == PathAssignmentPolicy.Similarity).AssignmentScore.Mean
                        < rows.Single(r => r.SliceWidth == b && r.Policy == PathAssignmentPolicy.Random).AssignmentScore.Mean);
        var table = WltlsAssignmentExperiment.ToMarkdown(rows);
        Assert.Equal(2 + 4, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TablesNameLabelledRowsAndGiveTheGainOverRandomOfTheSameWidth()
    {
        static AssignmentExperimentRow Row(int b, PathAssignmentPolicy policy, double[] accuracy, double score) =>
            new(b, 10 + b, policy, ScoreSpread.Of(accuracy), null, ScoreSpread.Of([score]), 0.1);
        AssignmentExperimentRow[] rows =
        [
            Row(2, PathAssignmentPolicy.Random, [70, 72], 0.5),
            Row(2, PathAssignmentPolicy.Similarity, [74, 74], 0.25),
            Row(2, PathAssignmentPolicy.Similarity, [71, 71], 0.125) with { Label = "similarity (true tree)" },
            Row(3, PathAssignmentPolicy.Similarity, [80, 80], 0.2),
        ];

        var table = WltlsAssignmentExperiment.ToTable(rows, "t");
        Assert.Equal("t", table.Caption);
        Assert.Equal(["b", "edges", "assignment", "test accuracy % (mean ± std)", "gain vs random", "Eq. 5 score (mean ± std)"], table.Columns);
        Assert.Equal([2, 12, "random", "71.00 ± 1.00", "", "0.5000 ± 0.0000"], table.Rows[0]);
        Assert.Equal("+3.00", table.Rows[1][4]);
        Assert.Equal(["similarity (true tree)", "71.00 ± 0.00", "+0.00"], table.Rows[2].Skip(2).Take(3));
        Assert.Equal("", table.Rows[3][4]); // no random row at b = 3
        var markdown = WltlsAssignmentExperiment.ToMarkdown(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| 2 | 12 | similarity | 74.00 ± 0.00 | +3.00 | 0.2500 ± 0.0000 |", markdown[3]);
        Assert.Contains("similarity (true tree): test 71.00", WltlsAssignmentExperiment.Describe(rows[2]));

        var report = WltlsAssignmentExperiment.ToRunReport(rows, new AssignmentExperimentOptions { Seeds = 2 });
        Assert.Equal("wltls-assignments", report.Method);
        Assert.Equal(71.0, report.Metrics["b=2 similarity (true tree) accuracy"]);
        Assert.Equal(80.0, report.Metrics["b=3 similarity accuracy"]);
        Assert.Equal(4, report.Metrics.Count);
        Assert.Equal(0.1 * (2 + 2 + 2 + 2), report.TrainSeconds, 12);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(4, json.RootElement.GetProperty("details").GetProperty("table").GetArrayLength());
        Assert.Throws<ArgumentException>(() => WltlsAssignmentExperiment.ToRunReport([rows[1], rows[1]], new AssignmentExperimentOptions()));
    }
}
