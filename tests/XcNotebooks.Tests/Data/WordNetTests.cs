using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Data.WordNet;
using XcNotebooks.Hierarchies;
using Xunit;

namespace XcNotebooks.Tests.Data;

/// <summary>
/// The wndb(5) reader and the WordNet data set builders on a hand-written seven-synset data.noun, whose hypernyms,
/// ancestors, classes and hierarchy are worked out by hand below; and the real WordNet 3.0 nouns where installed.
/// </summary>
public sealed class WordNetTests
{
    // entity ─┬─ animal ─┬─ dog ─┬─ puppy
    //         │          │       └─ Rex (instance hypernym)
    //         │          └─ cat
    //         └─ artifact ── dog (dog's second hypernym)
    private const string Header =
        "  1 This software and database is being provided to you, the LICENSEE, by  \n" +
        "  2 WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.  \n";

    private const string Synsets =
        "00000010 03 n 01 entity 0 002 ~ 00000020 n 0000 ~ 00000030 n 0000 | that which exists  \n" +
        "00000020 05 n 01 animal 0 002 @ 00000010 n 0000 ~ 00000040 n 0000 | a living organism  \n" +
        "00000030 06 n 02 artifact 0 artefact 0 001 @ 00000010 n 0000 | a man-made object  \n" +
        "00000040 05 n 02 dog 0 domestic_dog 0 004 @ 00000020 n 0000 @ 00000030 n 0000 ~ 00000050 n 0000 + 01234567 v 0101 | a member of the genus Canis; \"the dog barked\"  \n" +
        "00000050 05 n 01 puppy 0 001 @ 00000040 n 0000 | a young dog  \n" +
        "00000060 18 n 01 Rex 0 001 @i 00000040 n 0000 | a famous dog  \n" +
        "00000070 05 n 01 cat 0 001 @ 00000020 n 0000 | a feline  \n";

    internal static string FixtureDictionary()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "data.noun"), Header + Synsets);
        return dir;
    }

    private static readonly WordNetDatasetOptions TextsOnly = new() { Tfidf = null, Split = [0.5, 0, 0.5] };

    [Fact]
    public void ReadsSynsetsWordsPointersGlossAndTheVersion()
    {
        var data = WordNetDataFile.Read(Path.Combine(FixtureDictionary(), "data.noun"));
        Assert.Equal("3.0", data.Version);
        Assert.Equal(7, data.Synsets.Count);
        var dog = data.Synsets[3];
        Assert.Equal(40, dog.Offset);
        Assert.Equal(5, dog.LexFileNumber);
        Assert.Equal('n', dog.SynsetType);
        Assert.Equal(["dog", "domestic_dog"], dog.Words);
        Assert.Equal(["dog", "domestic dog"], dog.Lemmas);
        Assert.Equal(4, dog.Pointers.Count);
        Assert.Equal(new WordNetPointer("+", 1234567, 'v', 1, 1), dog.Pointers[3]);
        Assert.Equal([20L, 30L], dog.HypernymOffsets);
        Assert.Equal("a member of the genus Canis; \"the dog barked\"", dog.Gloss);
        Assert.Equal(6, dog.Line); // two header lines, then entity on line 3
        Assert.Equal([40L], data.Synsets[5].HypernymOffsets); // "@i" counts as a hypernym
    }

    [Fact]
    public void ParsesVerbFramesAndAdjectiveMarkers()
    {
        var verb = WordNetDataFile.ParseLine("00000100 29 v 02 breathe 0 respire 0 001 @ 00000200 v 0000 02 + 02 00 + 08 01 | draw air into the lungs  ", "data.verb", 1);
        Assert.Equal(["breathe", "respire"], verb.Words);
        Assert.Equal([200L], verb.HypernymOffsets);
        Assert.Equal("draw air into the lungs", verb.Gloss);
        var adjective = WordNetDataFile.ParseLine("00000300 00 s 01 galore(ip) 0 000 | in great numbers  ", "data.adj", 1);
        Assert.Equal(["galore"], adjective.Words);
        Assert.Equal('a', adjective.PartOfSpeech);
    }

    [Theory]
    [InlineData("00000010 03 n 0g entity 0 000 | x", "word count (w_cnt) '0g' is not hexadecimal")]
    [InlineData("00000010 03 x 01 entity 0 000 | x", "synset type 'x' is not one of n, v, a, s, r")]
    [InlineData("00000010 03 n 01 entity 0 002 @ 00000020 n 0000 | x", "the line ends before pointer 2 of 2")]
    [InlineData("00000010 03 n 01 entity 0 001 @ 00000020 n 00 | x", "source/target '00' of pointer 1 of 1 is not 4 hexadecimal digits")]
    [InlineData("00000010 03 n 01 entity 0 001 @ 00000020 q 0000 | x", "part of speech 'q' of pointer 1 of 1 is not one of n, v, a, r")]
    [InlineData("00000010 03 n 01 entity 0 000 extra | x", "unexpected 'extra' after the 0 pointers")]
    [InlineData("00000010 03 n 01 entity 0 000 no gloss", "no ' | ' before the gloss")]
    [InlineData("1e5 03 n 01 entity 0 000 | x", "synset offset '1e5' is not a decimal number")]
    public void AMalformedLineNamesFileLineAndField(string line, string problem)
    {
        var path = TestData.TempFile("data.noun", Header + "00000005 03 n 01 thing 0 000 | a thing  \n" + line + "\n");
        var error = Assert.Throws<DataFormatException>(() => WordNetDataFile.Read(path));
        Assert.Equal(path, error.File);
        Assert.Equal(4, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APointerToAMissingSynsetOrARepeatedOffsetIsAnError()
    {
        var dangling = TestData.TempFile("data.noun", "00000010 03 n 01 entity 0 001 @ 00000099 n 0000 | x\n");
        var error = Assert.Throws<DataFormatException>(() => WordNetDataFile.Read(dangling));
        Assert.Equal(1, error.Line);
        Assert.Contains("names synset 00000099 n, which is not in the file", error.Message, StringComparison.Ordinal);
        var repeated = TestData.TempFile("data.noun", "00000010 03 n 01 a 0 000 | x\n00000010 03 n 01 b 0 000 | y\n");
        error = Assert.Throws<DataFormatException>(() => WordNetDataFile.Read(repeated));
        Assert.Equal(2, error.Line);
        Assert.Contains("also on line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HypernymSetHasTheFirstHypernymOfEverySynsetAndTheClassHierarchy()
    {
        var set = WordNetDatasets.Build(FixtureDictionary(), TextsOnly);
        // Points: every synset but entity (animal, artifact, dog, puppy, Rex, cat). Classes in file order: entity, animal, dog.
        var train = set.Splits.Train;
        Assert.Equal(["entity.n.00000010", "animal.n.00000020", "dog.n.00000040"], train.LabelNames);
        Assert.Equal(["entity: that which exists", "animal: a living organism", "dog, domestic dog: a member of the genus Canis"], train.LabelTexts);
        // dog's parents: animal (a class) and artifact (not a class: no synset's first hypernym); entity is the root.
        Assert.Equal([(-1, 0), (0, 1), (1, 2)], train.LabelHierarchyEdges);
        var classOfText = AllPoints(set).ToDictionary(p => p.Text, p => p.Labels);
        Assert.Equal(6, classOfText.Count);
        Assert.Equal([0], classOfText["animal: a living organism"]);
        Assert.Equal([0], classOfText["artifact, artefact: a man-made object"]);
        Assert.Equal([1], classOfText["dog, domestic dog: a member of the genus Canis; \"the dog barked\""]);
        Assert.Equal([2], classOfText["puppy: a young dog"]);
        Assert.Equal([2], classOfText["Rex: a famous dog"]);
        Assert.Equal([1], classOfText["cat: a feline"]);
        var s = set.Statistics;
        Assert.Equal((7, 6, 3, 0, 3, 3), (s.Synsets, s.Points, s.TrainPoints, s.HeldoutPoints, s.TestPoints, s.Labels));
        Assert.Null(set.Splits.Heldout);
        Assert.Equal(2, s.MedianPointsPerLabel); // every class has two points
        Assert.Equal((2, 1, 2), (s.HierarchyEdges, s.HierarchyRoots, s.HierarchyHeight));
        Assert.Equal("3.0", s.WordNetVersion);
    }

    [Fact]
    public void AncestorsSetHasEveryHypernymAncestorThroughBothParents()
    {
        var set = WordNetDatasets.Build(FixtureDictionary(), TextsOnly with { Task = WordNetTask.Ancestors });
        // Labels: every synset that is someone's ancestor, in file order: entity 0, animal 1, artifact 2, dog 3.
        Assert.Equal(["entity.n.00000010", "animal.n.00000020", "artifact.n.00000030", "dog.n.00000040"], set.Splits.Train.LabelNames);
        Assert.Equal([(-1, 0), (0, 1), (0, 2), (1, 3), (2, 3)], set.Splits.Train.LabelHierarchyEdges);
        var labelsOf = AllPoints(set).ToDictionary(p => p.Text[..p.Text.IndexOf(':')], p => p.Labels);
        Assert.Equal([0], labelsOf["animal"]);
        Assert.Equal([0], labelsOf["artifact, artefact"]);
        Assert.Equal([0, 1, 2], labelsOf["dog, domestic dog"]);
        Assert.Equal([0, 1, 2, 3], labelsOf["puppy"]);
        Assert.Equal([0, 1, 2, 3], labelsOf["Rex"]);
        Assert.Equal([0, 1], labelsOf["cat"]);
        Assert.Equal(15.0 / 6, set.Statistics.LabelsPerPoint, 12);
        // Points per label: entity 6, animal 4, artifact 3, dog 2 -> median (3 + 4) / 2.
        Assert.Equal(3.5, set.Statistics.MedianPointsPerLabel);
        Assert.Equal(2, set.Statistics.HierarchyHeight); // dog is two edges below entity, through either parent
    }

    [Fact]
    public void ALabelSampleKeepsItsPointsAndLinksEachLabelToItsNearestSampledAncestor()
    {
        // Each pair of the three classes, worked out by hand: the points whose first hypernym is kept, and the edges.
        var expected = new Dictionary<string, (string[] Points, (string Parent, string Child)[] Edges)>
        {
            ["entity animal"] = (["animal", "artifact, artefact", "dog, domestic dog", "cat"], [("", "entity"), ("entity", "animal")]),
            ["entity dog"] = (["animal", "artifact, artefact", "puppy", "Rex"], [("", "entity"), ("entity", "dog")]), // dog -> animal, artifact -> entity
            ["animal dog"] = (["dog, domestic dog", "cat", "puppy", "Rex"], [("", "animal"), ("animal", "dog")]), // artifact's line ends at entity, not kept
        };
        var dict = FixtureDictionary();
        var seen = new HashSet<string>();
        for (int seed = 0; seed < 12; seed++)
        {
            var set = WordNetDatasets.Build(dict, TextsOnly with { LabelSample = 2, Seed = seed });
            var names = set.Splits.Train.LabelNames!.Select(n => n[..n.IndexOf('.')]).ToArray();
            string key = string.Join(" ", names);
            var (points, edges) = expected[key];
            seen.Add(key);
            Assert.Equal(points.Order(), AllPoints(set).Select(p => p.Text[..p.Text.IndexOf(':')]).Order());
            Assert.Equal(edges, set.Splits.Train.LabelHierarchyEdges!.Select(e => (e.Parent < 0 ? "" : names[e.Parent], names[e.Child])));
            Assert.Equal(2, set.Statistics.LabelSample);
        }
        Assert.True(seen.Count > 1, "12 seeds drew the same sample");
    }

    [Fact]
    public void LabelTextsCutTheGlossAtAWordBoundary()
    {
        var dog = WordNetDataFile.ParseLine("00000040 05 n 02 dog 0 domestic_dog 0 000 | a member of the genus Canis; \"the dog barked\"", "f", 1);
        Assert.Equal("dog, domestic dog: a member …", WordNetDatasets.LabelText(dog, 10));
        Assert.Equal("dog, domestic dog: a member of the genus Canis", WordNetDatasets.LabelText(dog, 80));
        Assert.Equal("dog.n.00000040", WordNetDatasets.LabelName(dog));
    }

    [Fact]
    public void TheSplitIsFixedBySeedAndCoversEveryPointOnce()
    {
        var a = WordNetDatasets.SplitRows(1000, [0.7, 0.1, 0.2], seed: 5);
        var b = WordNetDatasets.SplitRows(1000, [0.7, 0.1, 0.2], seed: 5);
        var c = WordNetDatasets.SplitRows(1000, [0.7, 0.1, 0.2], seed: 6);
        Assert.Equal((700, 100, 200), (a.Train.Length, a.Heldout.Length, a.Test.Length));
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Heldout, b.Heldout);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
        Assert.Equal(Enumerable.Range(0, 1000), a.Train.Concat(a.Heldout).Concat(a.Test).Order());

        // The built data sets follow: the same seed gives the same texts in each split.
        var dict = FixtureDictionary();
        var first = WordNetDatasets.Build(dict, TextsOnly with { Seed = 3 });
        var again = WordNetDatasets.Build(dict, TextsOnly with { Seed = 3 });
        Assert.Equal(first.Splits.Test.Texts, again.Splits.Test.Texts);
        var seeds = Enumerable.Range(0, 20).Select(seed => string.Join("|", WordNetDatasets.Build(dict, TextsOnly with { Seed = seed }).Splits.Test.Texts!)).Distinct();
        Assert.True(seeds.Count() > 1, "20 seeds gave one split");
    }

    [Fact]
    public void TestPointsWhoseClassIsNotInTrainingStayAndAreCounted()
    {
        var set = WordNetDatasets.Build(FixtureDictionary(), TextsOnly with { Seed = 1 });
        var trainClasses = set.Splits.Train.Labels.Classes().ToHashSet();
        int unseen = set.Splits.Test.Labels.Classes().Count(c => !trainClasses.Contains(c));
        Assert.Equal(unseen, set.Statistics.TestPointsWithUnseenLabel);
        Assert.Equal(3, set.Splits.Test.NumPoints);
        Assert.Equal(trainClasses.Count, set.Statistics.LabelsInTrain);
    }

    [Fact]
    public void OptionsNameTheBadSplit()
    {
        var error = Assert.Throws<ArgumentException>(() => new WordNetDatasetOptions { Split = [0.7, 0.2, 0.2] }.Validate());
        Assert.Equal("Split", error.ParamName);
        Assert.Throws<ArgumentException>(() => new WordNetDatasetOptions { Split = [0.7, 0.3] }.Validate());
    }

    [Fact]
    public void CommandWritesSplitsHierarchyLabelTextsAndStatsThatReadBack()
    {
        var outDir = TestData.TempDir();
        int rc = XcnCli.Run(["data", "wordnet", "--dict", FixtureDictionary(), "--out", outDir, "--task", "ancestors", "--split", "0.5,0,0.5", "--seed", "2"]);
        Assert.Equal(0, rc);
        var names = File.ReadAllLines(Path.Combine(outDir, "labels.txt"));
        Assert.Equal(["entity.n.00000010", "animal.n.00000020", "artifact.n.00000030", "dog.n.00000040"], names);
        Assert.Equal("dog, domestic dog: a member of the genus Canis", File.ReadAllLines(Path.Combine(outDir, "label-texts.txt"))[3]);
        // The edge list reads back as the same DAG (one root, dog under animal and artifact).
        var hierarchy = LabelHierarchy.FromEdgeListFile(Path.Combine(outDir, "hierarchy.edgelist"), names);
        Assert.Equal(0, hierarchy.Root);
        Assert.Equal([1, 2], hierarchy.Parents(3).Order());
        Assert.Equal(4, hierarchy.NumNodes);
        // XMLRepository and LIBSVM splits with TF-IDF rows, and JSONL with label names, hold the same points.
        var xml = XmlRepositoryFormat.Read(Path.Combine(outDir, "wordnet-noun-ancestors.train.txt"));
        var jsonl = JsonLinesFormat.Read(Path.Combine(outDir, "wordnet-noun-ancestors.train.jsonl"), new JsonLinesOptions { LabelVocabulary = names });
        Assert.Equal(3, xml.NumPoints);
        Assert.Equal(4, xml.NumLabels);
        Assert.True(xml.NumFeatures > 0);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(jsonl.Labels.LabelArray(i), xml.Labels.LabelArray(i));
            Assert.Equal(1.0, Math.Sqrt(xml.Features.RowValues(i).ToArray().Sum(v => (double)v * v)), 5); // unit rows
        }
        Assert.True(File.Exists(Path.Combine(outDir, "wordnet-noun-ancestors.test.svm")));
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "stats.json")));
        Assert.Equal(6, stats.RootElement.GetProperty("Points").GetInt32());
        Assert.Equal(4, stats.RootElement.GetProperty("Labels").GetInt32());
        Assert.Contains("WordNet 3.0 Copyright 2006 by Princeton University", File.ReadAllText(Path.Combine(outDir, "PROVENANCE.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void CommandFailsWithBadInputOnAMalformedFileOrSplit()
    {
        var dict = TestData.TempDir();
        File.WriteAllText(Path.Combine(dict, "data.noun"), Header + "00000010 03 n zz entity 0 000 | x\n");
        Assert.Equal(2, XcnCli.Run(["data", "wordnet", "--dict", dict, "--out", TestData.TempDir()]));
        Assert.Equal(2, XcnCli.Run(["data", "wordnet", "--dict", FixtureDictionary(), "--out", TestData.TempDir(), "--split", "0.5,0.6,0.1"]));
        Assert.Equal(2, XcnCli.Run(["data", "wordnet", "--dict", Path.Combine(dict, "missing"), "--out", TestData.TempDir()]));
    }

    [Fact]
    public void EdgeListWithSeveralRootsReadsBackUnderOneVirtualRoot()
    {
        var path = Path.Combine(TestData.TempDir(), "h.edgelist");
        EdgeListFile.Write(path, [(-1, 0), (-1, 1), (0, 2)], ["a", "b", "c"]);
        var hierarchy = LabelHierarchy.FromEdgeListFile(path, ["a", "b", "c"]);
        Assert.Equal(4, hierarchy.NumNodes);
        Assert.Equal([0, 1], hierarchy.Children(hierarchy.Root));
        Assert.Equal([0], hierarchy.Parents(2));
        Assert.Throws<ArgumentException>(() => EdgeListFile.Write(path, [(0, 1)], ["a b", "c"]));
    }

    [Fact]
    public void RealWordNetNounCounts()
    {
        var path = Path.Combine(WordNetDatasets.DebianDictionary, "data.noun");
        Assert.SkipWhen(!File.Exists(path), "WordNet 3.0 is not installed (apt-get install wordnet-base)");
        var data = WordNetDataFile.Read(path);
        Assert.Equal("3.0", data.Version);
        Assert.Equal(82_115, data.Synsets.Count);
        var hypernym = WordNetDatasets.Build(data, new WordNetDatasetOptions { Tfidf = null });
        var s = hypernym.Statistics;
        Assert.Equal((82_114, 16_897, 2.0, 1), (s.Points, s.Labels, s.MedianPointsPerLabel, s.HierarchyRoots));
        Assert.Equal((57_480, 8_211, 16_423), (s.TrainPoints, s.HeldoutPoints, s.TestPoints));
        Assert.Equal(17_281, s.HierarchyEdges);
        var hierarchy = hypernym.Hierarchy();
        Assert.Equal("entity.n.00001740", hierarchy.NodeName(hierarchy.Root));
        var ancestors = WordNetDatasets.Build(data, new WordNetDatasetOptions { Tfidf = null, Task = WordNetTask.Ancestors });
        Assert.InRange(ancestors.Statistics.LabelsPerPoint, 8, 10);
    }

    private static IEnumerable<(string Text, int[] Labels)> AllPoints(WordNetDataset set) =>
        set.Splits.All.SelectMany(d => Enumerable.Range(0, d.NumPoints).Select(i => (d.Texts![i], d.Labels.LabelArray(i))));
}
