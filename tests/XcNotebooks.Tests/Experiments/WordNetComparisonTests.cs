using System.Globalization;
using XcNotebooks.Cli;
using XcNotebooks.Core;
using XcNotebooks.Data.WordNet;
using XcNotebooks.Experiments;
using XcNotebooks.Hierarchies;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Notebooks;
using XcNotebooks.Tests.Data;
using Xunit;

namespace XcNotebooks.Tests.Experiments;

/// <summary>
/// Issue 16 §2's comparison: a list of runs through the one pipeline (each row as <see cref="Experiment.Run"/> gives
/// it, with model bytes and the run's own peak memory), the cost table, the WordNet run lists (the similarity
/// assignment takes the data's hierarchy) and the notebooks' WordNet data choice.
/// </summary>
public sealed class WordNetComparisonTests
{
    private static DataSplits Toy() => SyntheticData.MultiClass(classes: 8, features: 30, train: 240, heldout: 0, test: 80, seed: 3);

    [Fact]
    public void EachRowIsWhatExperimentRunGivesWithItsCosts()
    {
        var data = Toy();
        var wltls = new WltlsOptions { SliceWidth = 2, Epochs = 2, ScoreAssignment = false };
        var rows = MethodComparison.Run(data, [new("popular", LabelPopularity.MethodName, new LabelPopularityOptions()), new("trellis", "wltls", wltls)], k: 5);

        Assert.Equal(["popular", "trellis"], rows.Select(r => r.Method));
        using var reference = Experiment.Run("wltls", data, wltls, new ExperimentSettings { TopK = 5 });
        Assert.Equal(reference.Report.Metrics["P@1"], rows[1].Metrics["P@1"]);
        Assert.Equal(reference.Report.Metrics["PSP@5"], rows[1].Metrics["PSP@5"]);
        Assert.Equal(reference.Model.SizeBytes, rows[1].ModelBytes);
        Assert.True(rows[1].ModelBytes > 0);
        Assert.All(rows, r => Assert.Equal(80, r.TestPoints));
        Assert.Equal(1e6 * rows[1].PredictSeconds / 80, rows[1].PredictMicrosecondsPerPoint, 9);
        Assert.All(rows, r => Assert.True(r.PeakMemoryBytes > 0));
        Assert.All(rows, r => Assert.Equal(OperatingSystem.IsLinux(), r.PeakMemoryOfRunOnly));
    }

    [Fact]
    public void RunsWithOneNameOrBadOptionsFailBeforeAnythingTrains()
    {
        var data = Toy();
        var lines = new List<string>();
        var monitor = new TrainingMonitor { Log = lines.Add };
        var popularity = new ComparisonRun("same", LabelPopularity.MethodName, new LabelPopularityOptions());
        Assert.Contains("'same'", Assert.Throws<ArgumentException>(() => MethodComparison.Run(data, [popularity, popularity], 5, monitor)).Message);
        Assert.Throws<ArgumentException>(() => MethodComparison.Run(data, [popularity with { Name = "a" }, new("b", "wltls", new WltlsOptions { SliceWidth = 1 })], 5, monitor));
        Assert.Throws<ArgumentException>(() => MethodComparison.Run(data, [new("c", "wltls", new LabelPopularityOptions())], 5, monitor));
        Assert.Empty(lines);
    }

    [Fact]
    public void ResetPeakMemoryStartsThePeakAfreshFromTheCurrentSet()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the peak working set can be reset on Linux only");
        // Native memory, so that freeing it gives the pages back to the system at once (glibc unmaps large blocks).
        const int size = 400 << 20;
        var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(size);
        for (int i = 0; i < size; i += 4096) System.Runtime.InteropServices.Marshal.WriteByte(block, i, 1); // touch every page: resident
        long withBlock = RunReport.CurrentPeakMemory();
        System.Runtime.InteropServices.Marshal.FreeHGlobal(block);

        Assert.True(RunReport.ResetPeakMemory());
        long afterReset = RunReport.CurrentPeakMemory();
        Assert.True(afterReset < withBlock - size / 2, $"peak {afterReset:N0} after the reset, {withBlock:N0} with the block");
    }

    [Fact]
    public void CostTableHasTheIssuesColumnsInPercentSecondsMicrosecondsAndMegabytes()
    {
        var metrics = new Dictionary<string, double> { ["P@1"] = 50, ["P@3"] = 30, ["P@5"] = 20, ["PSP@5"] = 25 };
        var rows = new[]
        {
            new ComparisonRow("wn", "a", metrics, 2.5, 0.5) { ModelBytes = 3_000_000, PeakMemoryBytes = 40_000_000, PeakMemoryOfRunOnly = true, TestPoints = 1000 },
            new ComparisonRow("wn", "b", new Dictionary<string, double> { ["P@1"] = 10 }, 1, 1) { ModelBytes = 0, PeakMemoryBytes = 1_000_000, PeakMemoryOfRunOnly = true, TestPoints = 10 },
        };
        var table = MethodComparison.ToCostTable(rows);
        Assert.Equal(["method", "P@1", "P@5", "PSP@5", "train s", "predict µs/point", "model MB", "peak memory MB"], table.Columns);
        Assert.Equal(new object?[] { "a", 50.0, 20.0, 25.0, 2.5, 500.0, 3.0, 40.0 }, table.Rows[0]);
        Assert.Equal(new object?[] { "b", 10.0, null, null, 1.0, 100_000.0, 0.0, 1.0 }, table.Rows[1]);
        Assert.Contains("during the run", table.Caption);
        Assert.Contains("since it started", MethodComparison.ToCostTable([rows[0] with { PeakMemoryOfRunOnly = false }]).Caption);

        var markdown = MethodComparison.ToCostMarkdown(rows).Trim().Split('\n');
        Assert.Equal("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", markdown[1]);
        Assert.Equal("| a | 50.00 | 20.00 | 25.00 | 2.50 | 500.00 | 3.00 | 40.00 |", markdown[2]);
        Assert.Equal("| b | 10.00 | - | - | 1.00 | 100000.00 | 0.00 | 1.00 |", markdown[3]);
    }

    [Fact]
    public void HypernymRunsTakeTheDataHierarchyForTheSimilarityAssignment()
    {
        var train = Toy().Train;
        (int, int)[] edges = [(-1, 0), (0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6), (-1, 7)];
        var withHierarchy = train with { LabelHierarchyEdges = edges };
        var runs = WordNetComparison.HypernymRuns(withHierarchy, WordNetComparisonOptions.Fast);

        Assert.Equal(["popularity", "kNN (cosine, 10 neighbours)",
            "W-LTLS b = 2, random assignment", "W-LTLS b = 2, similarity assignment (the class hierarchy)",
            "W-LTLS b = 16, random assignment", "W-LTLS b = 16, similarity assignment (the class hierarchy)",
            "one-vs-rest (L2-SVM dual CD)", "DSNC (code lookup, 3 epochs)"], runs.Select(r => r.Name));
        foreach (var run in runs) XcMethods.Find(run.Method).Validate(run.Options);
        var similarity = (WltlsOptions)runs[3].Options;
        Assert.Equal(PathAssignmentPolicy.Similarity, similarity.PathAssignment);
        Assert.Equal(LabelHierarchy.FromDataset(withHierarchy).LabelsInPreOrder, similarity.ClassHierarchy!.LabelsInPreOrder);
        Assert.Equal((PathAssignmentPolicy.Random, 16, 3), (((WltlsOptions)runs[4].Options).PathAssignment, ((WltlsOptions)runs[4].Options).SliceWidth, ((WltlsOptions)runs[4].Options).Epochs));

        // No hierarchy: the class means are clustered (and the name says so); texts and label texts add DEXA and DEXML.
        var plain = WordNetComparison.HypernymRuns(train, new WordNetComparisonOptions { SliceWidths = [3], OneVsRest = false });
        Assert.Null(((WltlsOptions)plain[3].Options).ClassHierarchy);
        Assert.Equal("W-LTLS b = 3, similarity assignment (class-mean clustering)", plain[3].Name);
        var texts = train with { Texts = Enumerable.Repeat("a text", train.NumPoints).ToArray(), LabelTexts = Enumerable.Repeat("a label", 8).ToArray() };
        Assert.Equal(["dsnc", "dexa", "dexml"], WordNetComparison.HypernymRuns(texts, new WordNetComparisonOptions { OneVsRest = false }).Skip(6).Select(r => r.Method));
        Assert.Equal(["popularity", "knn", "neuralxc", "hierarchicalxc"], WordNetComparison.AncestorsRuns().Select(r => r.Method));
        Assert.Throws<ArgumentException>(() => WordNetComparison.HypernymRuns(train, new WordNetComparisonOptions { SliceWidths = [1] }));
        Assert.Throws<ArgumentException>(() => WordNetComparison.AncestorsRuns(new WordNetComparisonOptions { NeuralXcEpochs = 0 }));
    }

    [Fact]
    public void NotebookDataBuildsWordNetFromTheDictionaryOrSaysWhatToInstall()
    {
        var built = NotebookData.WordNetOrEmbedded(WordNetTests.FixtureDictionary(), WordNetTask.Hypernym, labelSample: null);
        Assert.True(built.IsShared);
        Assert.NotNull(built.WordNet);
        Assert.Equal(built.WordNet.Splits, built.Splits);
        Assert.Equal("WordNet 3.0 nouns, hypernym classes, all 3 labels", built.Name);
        Assert.NotNull(built.Splits.Train.LabelHierarchyEdges);
        Assert.EndsWith("data.noun", built.Files["wordnet"]);

        var missing = NotebookData.WordNetOrEmbedded(null, WordNetTask.Hypernym, 300);
        Assert.False(missing.IsShared);
        Assert.Null(missing.WordNet);
        Assert.Contains("apt-get install wordnet-base", missing.FallbackReason);
        Assert.True(missing.Splits.Train.Labels.IsMultiClass);
        Assert.NotNull(missing.Splits.Train.LabelTexts);
        Assert.False(NotebookData.WordNetOrEmbedded(null, WordNetTask.Ancestors, 300).Splits.Train.Labels.IsMultiClass);
    }

    [Fact]
    public void APointSampleKeepsEachKeptPointWithAllItsAncestors()
    {
        var options = new WordNetDatasetOptions { Task = WordNetTask.Ancestors, Tfidf = null, Split = [0.5, 0, 0.5] };
        var dictionary = WordNetTests.FixtureDictionary();
        var all = WordNetDatasets.Build(dictionary, options);
        var sample = WordNetDatasets.Build(dictionary, options with { PointSample = 3 });
        var again = WordNetDatasets.Build(dictionary, options with { PointSample = 3 });

        static Dictionary<string, string[]> LabelNamesByText(WordNetDataset set) =>
            set.Splits.All.SelectMany(d => Enumerable.Range(0, d.NumPoints).Select(i => (d.Texts![i], d.Labels.LabelArray(i).Select(l => d.LabelNames![l]).Order().ToArray())))
                .ToDictionary(p => p.Item1, p => p.Item2);
        var full = LabelNamesByText(all);
        var kept = LabelNamesByText(sample);
        Assert.Equal(3, kept.Count);
        Assert.Equal((3, 3), (sample.Statistics.Points, sample.Statistics.PointSample!.Value));
        foreach (var (text, labels) in kept) Assert.Equal(full[text], labels); // every ancestor, as in the whole set
        Assert.Equal(kept.Values.SelectMany(l => l).Distinct().Order(), sample.Splits.Train.LabelNames!.Order());
        Assert.Equal(kept, LabelNamesByText(again)); // same seed, same sample
        var hierarchy = sample.Hierarchy(); // the kept labels' nearest kept ancestors: every label below entity when entity is kept
        Assert.Equal(sample.Statistics.Labels, hierarchy.NumLabels);
        Assert.Throws<ArgumentException>(() => WordNetDatasets.Build(dictionary, options with { PointSample = 0 }));

        // The CLI's --point-sample builds the same sample (one builder behind both).
        var outDir = TestData.TempDir();
        Assert.Equal(0, XcnCli.Run(["data", "wordnet", "--dict", dictionary, "--out", outDir, "--task", "ancestors", "--split", "0.5,0,0.5", "--point-sample", "3"]));
        Assert.Equal(sample.Splits.Train.LabelNames, File.ReadAllLines(Path.Combine(outDir, "labels.txt")));
        using var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "stats.json")));
        Assert.Equal(3, stats.RootElement.GetProperty("PointSample").GetInt32());
        Assert.Contains("Point sample: 3 points", File.ReadAllText(Path.Combine(outDir, "PROVENANCE.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void RealWordNetSampleHasTheSampledClassesAndTheirHierarchy()
    {
        Assert.SkipWhen(!File.Exists(Path.Combine(WordNetDatasets.DebianDictionary, "data.noun")), "WordNet 3.0 is not installed (apt-get install wordnet-base)");
        var chosen = NotebookData.WordNetOrEmbedded(WordNetDatasets.DebianDictionary, WordNetTask.Hypernym, labelSample: 300);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"WordNet 3.0 nouns, hypernym classes, a seeded sample of 300 labels"), chosen.Name);
        Assert.Equal(300, chosen.Splits.Train.NumLabels);
        Assert.Equal(chosen.WordNet!.Statistics.HierarchyEdges, chosen.Splits.Train.LabelHierarchyEdges!.Count(e => e.Parent >= 0));
    }
}
