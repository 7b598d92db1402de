using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Hierarchies;
using XcNotebooks.Text;

namespace XcNotebooks.Data.WordNet;

/// <summary>Which WordNet data file the points come from.</summary>
public enum WordNetPartOfSpeech
{
    /// <summary>data.noun (WordNet 3.0: 82,115 synsets, one root).</summary>
    Noun,
    /// <summary>data.verb (WordNet 3.0: 13,767 synsets, many roots).</summary>
    Verb,
}

/// <summary>What a synset's text is labelled with.</summary>
public enum WordNetTask
{
    /// <summary>Multi-class: its first direct hypernym ("@" or "@i").</summary>
    Hypernym,
    /// <summary>Multi-label: every hypernym ancestor (the transitive closure of "@" and "@i").</summary>
    Ancestors,
}

/// <summary>How <see cref="WordNetDatasets.Build(string, WordNetDatasetOptions?, TrainingMonitor?)"/> makes a data set.</summary>
public sealed record WordNetDatasetOptions
{
    /// <summary>The data file: noun or verb.</summary>
    public WordNetPartOfSpeech PartOfSpeech { get; init; } = WordNetPartOfSpeech.Noun;

    /// <summary>Hypernym classification (multi-class) or ancestors (multi-label).</summary>
    public WordNetTask Task { get; init; } = WordNetTask.Hypernym;

    /// <summary>Seed of the split by synset.</summary>
    public int Seed { get; init; }

    /// <summary>Fractions of the points in train, held-out and test (they sum to 1; held-out may be 0).</summary>
    public IReadOnlyList<double> Split { get; init; } = [0.7, 0.1, 0.2];

    /// <summary>
    /// Keep only a seeded random sample of this many labels (drawn with <see cref="Seed"/>) and the points that have one
    /// of them, for runs that cannot afford every class; the hierarchy then links each kept label to its nearest kept
    /// ancestors. Null keeps every label.
    /// </summary>
    public int? LabelSample { get; init; }

    /// <summary>
    /// Keep only a seeded random sample of this many points (synsets, drawn before any label sample), labelled as in the
    /// whole set: on the ancestors task each kept point keeps all its ancestors (a small multi-label set with the
    /// full set's labels per point, where a label sample keeps mostly single-label points). The labels are those the
    /// kept points carry; the hierarchy links each to its nearest kept ancestors. Null keeps every point.
    /// </summary>
    public int? PointSample { get; init; }

    /// <summary>At most this many characters of the gloss go into a label's readable text (cut at a word boundary).</summary>
    public int LabelGlossChars { get; init; } = 80;

    /// <summary>TF-IDF features fitted on the training texts; null leaves the features empty (texts only).</summary>
    [JsonIgnore]
    public TfidfOptions? Tfidf { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the option that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(PartOfSpeech)) throw new ArgumentException($"PartOfSpeech {PartOfSpeech} is not noun or verb", nameof(PartOfSpeech));
        if (!Enum.IsDefined(Task)) throw new ArgumentException($"Task {Task} is not hypernym or ancestors", nameof(Task));
        if (Split is null || Split.Count != 3 || Split.Any(f => !double.IsFinite(f) || f < 0) || Math.Abs(Split.Sum() - 1) > 1e-6 || Split[0] <= 0 || Split[2] <= 0)
            throw new ArgumentException($"Split must be three non-negative fractions train,heldout,test that sum to 1, with train and test above 0; got {(Split is null ? "null" : string.Join(",", Split))}", nameof(Split));
        if (LabelSample is < 1) throw new ArgumentException($"LabelSample must be at least 1, got {LabelSample}", nameof(LabelSample));
        if (PointSample is < 1) throw new ArgumentException($"PointSample must be at least 1, got {PointSample}", nameof(PointSample));
        if (LabelGlossChars < 0) throw new ArgumentException($"LabelGlossChars must be at least 0, got {LabelGlossChars}", nameof(LabelGlossChars));
    }
}

/// <summary>Counts of a built WordNet data set, as written to stats.json.</summary>
public sealed record WordNetStatistics
{
    public required string Source { get; init; }
    public string? WordNetVersion { get; init; }
    public required string PartOfSpeech { get; init; }
    public required string Task { get; init; }
    public int Seed { get; init; }
    public required IReadOnlyList<double> Split { get; init; }
    /// <summary>The number of labels sampled (null: all labels).</summary>
    public int? LabelSample { get; init; }
    /// <summary>The number of points sampled (null: all points).</summary>
    public int? PointSample { get; init; }
    /// <summary>Synsets in the data file.</summary>
    public int Synsets { get; init; }
    /// <summary>Synsets with a hypernym: the points.</summary>
    public int Points { get; init; }
    public int TrainPoints { get; init; }
    public int HeldoutPoints { get; init; }
    public int TestPoints { get; init; }
    public int Labels { get; init; }
    /// <summary>Labels with at least one training point.</summary>
    public int LabelsInTrain { get; init; }
    public double LabelsPerPoint { get; init; }
    /// <summary>Median, over labels, of the points (all splits) that carry the label.</summary>
    public double MedianPointsPerLabel { get; init; }
    public double MeanPointsPerLabel { get; init; }
    public int MaxPointsPerLabel { get; init; }
    /// <summary>Labels carried by exactly one point.</summary>
    public int SingletonLabels { get; init; }
    /// <summary>Held-out points with a label that no training point has (kept in their split).</summary>
    public int HeldoutPointsWithUnseenLabel { get; init; }
    /// <summary>Test points with a label that no training point has (kept in the test split; label texts make them predictable).</summary>
    public int TestPointsWithUnseenLabel { get; init; }
    /// <summary>Hypernym edges between labels (the class hierarchy), and the labels without a parent.</summary>
    public int HierarchyEdges { get; init; }
    public int HierarchyRoots { get; init; }
    /// <summary>The largest depth of a label in the class hierarchy (edges on its shortest path from the root).</summary>
    public int HierarchyHeight { get; init; }
    /// <summary>TF-IDF dimension (0 without features).</summary>
    public int Features { get; init; }
    public double NonZerosPerPoint { get; init; }
}

/// <summary>A built WordNet data set: the splits (texts, TF-IDF features, label names and texts, the hierarchy on every split), counts and the vectoriser.</summary>
public sealed record WordNetDataset(DataSplits Splits, WordNetStatistics Statistics, TfidfVectorizer? Vectorizer)
{
    /// <summary>The file-name stem of the written splits, e.g. "wordnet-noun-hypernym".</summary>
    public string Stem => $"wordnet-{Statistics.PartOfSpeech}-{Statistics.Task}";

    /// <summary>The class hierarchy (hypernym edges between labels).</summary>
    public LabelHierarchy Hierarchy() => LabelHierarchy.FromDataset(Splits.Train);
}

/// <summary>
/// Extreme-classification data sets built from the WordNet database (Princeton WordNet's wndb files): a synset's text
/// (its lemmas and gloss) labelled with its first direct hypernym (multi-class, ~17k classes for nouns) or with all
/// its hypernym ancestors (multi-label), with the class hierarchy, readable label texts and a seeded split by synset.
/// </summary>
public static class WordNetDatasets
{
    /// <summary>Debian's wordnet-base puts WordNet 3.0 here.</summary>
    public const string DebianDictionary = "/usr/share/wordnet";

    /// <summary>Reads data.noun or data.verb from <paramref name="dictionary"/> and builds the data set.</summary>
    public static WordNetDataset Build(string dictionary, WordNetDatasetOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new WordNetDatasetOptions();
        options.Validate();
        var path = Path.Combine(dictionary, options.PartOfSpeech == WordNetPartOfSpeech.Noun ? "data.noun" : "data.verb");
        if (!File.Exists(path) && !Directory.Exists(dictionary))
            throw new DirectoryNotFoundException($"{dictionary}: no such WordNet dictionary directory (Debian: apt-get install wordnet-base gives {DebianDictionary})");
        return Build(WordNetDataFile.Read(path, monitor), options, monitor);
    }

    /// <summary>Builds the data set from synsets already read.</summary>
    public static WordNetDataset Build(WordNetData data, WordNetDatasetOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new WordNetDatasetOptions();
        options.Validate();
        var synsets = data.Synsets;
        char pos = options.PartOfSpeech == WordNetPartOfSpeech.Noun ? 'n' : 'v';
        foreach (var s in synsets)
            if (s.PartOfSpeech != pos)
                throw new DataFormatException(data.Path, s.Line, $"synset type '{s.SynsetType}' in a {options.PartOfSpeech.ToString().ToLowerInvariant()} data file");
        var index = new Dictionary<long, int>(synsets.Count);
        for (int i = 0; i < synsets.Count; i++) index[synsets[i].Offset] = i;
        var hypernyms = synsets.Select(s => s.HypernymOffsets.Select(o => index[o]).ToArray()).ToArray();

        // Points: synsets with a hypernym. Labels: synset ids in file order, renumbered densely.
        var points = Enumerable.Range(0, synsets.Count).Where(i => hypernyms[i].Length > 0).ToArray();
        var pointLabels = options.Task == WordNetTask.Hypernym
            ? points.Select(i => new[] { hypernyms[i][0] }).ToArray()
            : Ancestors(hypernyms, points);
        bool pointSampled = options.PointSample is { } pointSample && pointSample < points.Length;
        if (pointSampled)
        {
            var order = Enumerable.Range(0, points.Length).ToArray();
            new SeededRandom(SeedStreams.WordNet.PointSample.Of(options.Seed)).Shuffle(order);
            var keep = order[..options.PointSample!.Value].Order().ToArray();
            points = keep.Select(p => points[p]).ToArray();
            pointLabels = keep.Select(p => pointLabels[p]).ToArray();
        }
        var isLabel = new bool[synsets.Count];
        foreach (var set in pointLabels) foreach (var l in set) isLabel[l] = true;
        bool sampled = options.LabelSample is { } sample && sample < isLabel.Count(x => x);
        if (sampled)
        {
            var candidates = Enumerable.Range(0, synsets.Count).Where(i => isLabel[i]).ToArray();
            new SeededRandom(SeedStreams.WordNet.LabelSample.Of(options.Seed)).Shuffle(candidates);
            Array.Clear(isLabel);
            foreach (int l in candidates[..options.LabelSample!.Value]) isLabel[l] = true;
            var kept = Enumerable.Range(0, points.Length).Where(p => pointLabels[p].Any(l => isLabel[l])).ToArray();
            points = kept.Select(p => points[p]).ToArray();
            pointLabels = kept.Select(p => pointLabels[p].Where(l => isLabel[l]).ToArray()).ToArray();
        }
        var labelOf = new int[synsets.Count];
        var labelSynsets = new List<int>();
        for (int i = 0; i < synsets.Count; i++) labelOf[i] = isLabel[i] ? AddTo(labelSynsets, i) : -1;
        int numLabels = labelSynsets.Count;
        var labels = LabelMatrix.FromLabelSets(pointLabels.Select(set => set.Select(s => labelOf[s]).Order()), numLabels);

        // The class hierarchy: every hypernym edge between two labels; a label without a label parent hangs from the root.
        var edges = new List<(int Parent, int Child)>();
        foreach (int s in labelSynsets)
        {
            var parents = sampled || pointSampled ? NearestLabelAncestors(hypernyms, isLabel, s) : hypernyms[s].Where(h => isLabel[h]).ToArray();
            if (parents.Length == 0) edges.Add((-1, labelOf[s]));
            foreach (int h in parents) edges.Add((labelOf[h], labelOf[s]));
        }
        var labelNames = labelSynsets.Select(s => LabelName(synsets[s])).ToArray();
        var labelTexts = labelSynsets.Select(s => LabelText(synsets[s], options.LabelGlossChars)).ToArray();
        var texts = points.Select(i => PointText(synsets[i])).ToArray();
        string posName = options.PartOfSpeech.ToString().ToLowerInvariant(), taskName = options.Task.ToString().ToLowerInvariant();
        var all = new Dataset(CsrMatrix.Empty(points.Length, 0), labels)
        {
            Name = $"wordnet-{posName}-{taskName}",
            Texts = texts,
            LabelNames = labelNames,
            LabelTexts = labelTexts,
            LabelHierarchyEdges = edges,
        }.Validate();
        var (train, heldout, test) = SplitRows(points.Length, options.Split, options.Seed);
        Dataset Part(int[] rows, string split) => all.SelectRows(rows) with { Name = $"{all.Name}.{split}" };
        var splits = new DataSplits(Part(train, "train"), heldout.Length == 0 ? null : Part(heldout, "heldout"), Part(test, "test"));
        monitor?.Write($"{all.Name}: {points.Length:N0} points, {numLabels:N0} labels; split {train.Length:N0} / {heldout.Length:N0} / {test.Length:N0}");

        TfidfVectorizer? vectorizer = null;
        if (options.Tfidf is { } tfidf)
            (splits, vectorizer) = splits.WithTfidfFeatures(tfidf, monitor);
        var hierarchy = LabelHierarchy.FromEdges(edges, numLabels, labelNames);
        var statistics = Statistics(data, options, splits, labels, edges, hierarchy);
        return new WordNetDataset(splits, statistics, vectorizer);
    }

    private static int AddTo(List<int> list, int item)
    {
        list.Add(item);
        return list.Count - 1;
    }

    /// <summary>The first labels met going up from <paramref name="synset"/> (breadth first; the walk stops at each label).</summary>
    private static int[] NearestLabelAncestors(int[][] hypernyms, bool[] isLabel, int synset)
    {
        var found = new List<int>();
        var seen = new HashSet<int>();
        var queue = new Queue<int>(hypernyms[synset]);
        while (queue.Count > 0)
        {
            int h = queue.Dequeue();
            if (!seen.Add(h)) continue;
            if (isLabel[h]) found.Add(h);
            else foreach (int g in hypernyms[h]) queue.Enqueue(g);
        }
        return [.. found];
    }

    /// <summary>Every hypernym ancestor of each point (memoised over the DAG; WordNet's hypernyms have no cycles).</summary>
    private static int[][] Ancestors(int[][] hypernyms, int[] points)
    {
        var memo = new int[]?[hypernyms.Length];
        var visiting = new bool[hypernyms.Length];
        int[] Of(int s)
        {
            if (memo[s] is { } known) return known;
            if (visiting[s]) throw new InvalidOperationException($"the hypernym pointers of synset {s} form a cycle");
            visiting[s] = true;
            var set = new SortedSet<int>();
            foreach (int h in hypernyms[s])
            {
                set.Add(h);
                set.UnionWith(Of(h));
            }
            visiting[s] = false;
            return memo[s] = [.. set];
        }
        return points.Select(Of).ToArray();
    }

    /// <summary>A unique name without whitespace (edge lists split on it): first word, part of speech, offset: "dog.n.02084071".</summary>
    public static string LabelName(WordNetSynset synset)
    {
        ArgumentNullException.ThrowIfNull(synset);
        return $"{synset.Words[0]}.{synset.PartOfSpeech}.{synset.Offset.ToString("D8", CultureInfo.InvariantCulture)}";
    }

    /// <summary>A point's text: "dog, domestic dog, Canis familiaris: a member of the genus Canis ...".</summary>
    public static string PointText(WordNetSynset synset)
    {
        ArgumentNullException.ThrowIfNull(synset);
        var lemmas = string.Join(", ", synset.Lemmas);
        return synset.Gloss.Length == 0 ? lemmas : $"{lemmas}: {synset.Gloss}";
    }

    /// <summary>A label's readable text: its lemmas and the start of its gloss, cut at a word boundary after at most <paramref name="glossChars"/> characters.</summary>
    public static string LabelText(WordNetSynset synset, int glossChars)
    {
        ArgumentNullException.ThrowIfNull(synset);
        var lemmas = string.Join(", ", synset.Lemmas);
        var gloss = synset.Gloss;
        int semicolon = gloss.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0) gloss = gloss[..semicolon]; // the definition, without the examples
        if (gloss.Length > glossChars)
        {
            int space = gloss.LastIndexOf(' ', Math.Max(glossChars - 1, 0));
            gloss = (space > 0 ? gloss[..space] : gloss[..glossChars]) + " …";
        }
        gloss = gloss.Trim();
        return gloss.Length == 0 ? lemmas : $"{lemmas}: {gloss}";
    }

    /// <summary>
    /// A seeded split of 0..<paramref name="count"/>-1 into train / held-out / test by the fractions (held-out rounded,
    /// test the rest); each part in increasing order.
    /// </summary>
    public static (int[] Train, int[] Heldout, int[] Test) SplitRows(int count, IReadOnlyList<double> fractions, int seed)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        var order = Enumerable.Range(0, count).ToArray();
        new SeededRandom(seed).Shuffle(order);
        int trainCount = (int)Math.Round(count * fractions[0]);
        int heldoutCount = Math.Min((int)Math.Round(count * fractions[1]), count - trainCount);
        return (order[..trainCount].Order().ToArray(),
            order[trainCount..(trainCount + heldoutCount)].Order().ToArray(),
            order[(trainCount + heldoutCount)..].Order().ToArray());
    }

    private static WordNetStatistics Statistics(WordNetData data, WordNetDatasetOptions options, DataSplits splits, LabelMatrix labels,
        List<(int Parent, int Child)> edges, LabelHierarchy hierarchy)
    {
        var counts = labels.LabelCounts();
        var sorted = counts.Order().ToArray();
        double median = sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2.0;
        var trainCounts = splits.Train.Labels.LabelCounts();
        int Unseen(Dataset? set)
        {
            if (set is null) return 0;
            int n = 0;
            for (int i = 0; i < set.NumPoints; i++)
                foreach (int l in set.Labels.LabelsOf(i))
                    if (trainCounts[l] == 0) { n++; break; }
            return n;
        }
        long nonZeros = splits.All.Sum(s => s.Features.NonZeros);
        return new WordNetStatistics
        {
            Source = data.Path,
            WordNetVersion = data.Version,
            PartOfSpeech = options.PartOfSpeech.ToString().ToLowerInvariant(),
            Task = options.Task.ToString().ToLowerInvariant(),
            Seed = options.Seed,
            Split = options.Split,
            LabelSample = options.LabelSample,
            PointSample = options.PointSample,
            Synsets = data.Synsets.Count,
            Points = labels.Rows,
            TrainPoints = splits.Train.NumPoints,
            HeldoutPoints = splits.Heldout?.NumPoints ?? 0,
            TestPoints = splits.Test.NumPoints,
            Labels = labels.NumLabels,
            LabelsInTrain = trainCounts.Count(c => c > 0),
            LabelsPerPoint = labels.LabelsPerPoint,
            MedianPointsPerLabel = median,
            MeanPointsPerLabel = counts.Length == 0 ? 0 : counts.Average(),
            MaxPointsPerLabel = counts.Length == 0 ? 0 : counts.Max(),
            SingletonLabels = counts.Count(c => c == 1),
            HeldoutPointsWithUnseenLabel = Unseen(splits.Heldout),
            TestPointsWithUnseenLabel = Unseen(splits.Test),
            HierarchyEdges = edges.Count(e => e.Parent >= 0),
            HierarchyRoots = edges.Count(e => e.Parent < 0),
            HierarchyHeight = hierarchy.Height - (hierarchy.HasVirtualRoot ? 1 : 0),
            Features = splits.Train.NumFeatures,
            NonZerosPerPoint = labels.Rows == 0 ? 0 : (double)nonZeros / labels.Rows,
        };
    }

    private static readonly JsonSerializerOptions StatisticsJson = new() { WriteIndented = true };

    /// <summary>
    /// Writes the data set into <paramref name="outDir"/>: STEM.{train,heldout,test}.txt (XMLRepository) and .svm
    /// (LIBSVM, 1-based features) with TF-IDF features, .jsonl with texts and label names plus labels.txt,
    /// label-texts.txt (one readable text per label, id order), hierarchy.edgelist ("parent child" names) and
    /// hierarchy-ids.edgelist (the same by label id, for the XMLRepository and LIBSVM files),
    /// tfidf.model (the vectoriser, to featurize new texts alike), stats.json and PROVENANCE.txt. Returns the files.
    /// </summary>
    public static IReadOnlyList<string> Write(WordNetDataset set, string outDir)
    {
        ArgumentNullException.ThrowIfNull(set);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var splits = set.Splits;
        var stem = Path.Combine(outDir, set.Stem);
        if (set.Vectorizer is { } vectorizer)
        {
            written.AddRange(DatasetWriter.WriteSplits(stem + ".txt", splits, DataFormat.XmlRepository));
            written.AddRange(DatasetWriter.WriteSplits(stem + ".svm", splits, DataFormat.LibSvm));
            var model = Path.Combine(outDir, "tfidf.model");
            vectorizer.Save(model);
            written.Add(model);
        }
        written.AddRange(DatasetWriter.WriteSplits(stem + ".jsonl", splits, DataFormat.JsonLines));
        var train = splits.Train;
        var labelTexts = Path.Combine(outDir, "label-texts.txt");
        InputFile.WriteTextAtomic(labelTexts, w => { foreach (var t in train.LabelTexts!) w.Write(t.ReplaceLineEndings(" ") + "\n"); });
        written.Add(labelTexts);
        var edgeList = Path.Combine(outDir, "hierarchy.edgelist");
        EdgeListFile.Write(edgeList, train.LabelHierarchyEdges!, train.LabelNames!);
        written.Add(edgeList);
        // The same edges by label id: formats without label names (XMLRepository, LIBSVM) name labels by their ids.
        var idEdgeList = Path.Combine(outDir, "hierarchy-ids.edgelist");
        EdgeListFile.Write(idEdgeList, train.LabelHierarchyEdges!, Enumerable.Range(0, train.NumLabels).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray());
        written.Add(idEdgeList);
        var stats = Path.Combine(outDir, "stats.json");
        InputFile.WriteTextAtomic(stats, w => w.Write(JsonSerializer.Serialize(set.Statistics, StatisticsJson) + "\n"));
        written.Add(stats);
        var provenance = Path.Combine(outDir, "PROVENANCE.txt");
        InputFile.WriteTextAtomic(provenance, w => w.Write(Provenance(set.Statistics)));
        written.Add(provenance);
        return written;
    }

    private static string Provenance(WordNetStatistics s) => string.Create(CultureInfo.InvariantCulture, $"""
        WordNet {s.PartOfSpeech} {s.Task} data set, built by XcNotebooks (`xcn data wordnet`, XcNotebooks.Data.WordNet.WordNetDatasets).

        Source: {s.Source} (Princeton WordNet {s.WordNetVersion ?? "(version not stated in the file header)"}; Debian package wordnet-base).
        License: the WordNet {s.WordNetVersion ?? "3.0"} license (a BSD-style permissive license), whose full text heads every WordNet
        data file (the lines that start with two spaces) and is at https://wordnet.princeton.edu/license-and-commercial-use
        and /usr/share/doc/wordnet-base/copyright. "WordNet {s.WordNetVersion ?? "3.0"} Copyright 2006 by Princeton University.
        All rights reserved." The license asks that the copyright notice and its statements appear on all copies.

        {(s.PointSample is { } points ? $"Point sample: {points} points drawn at random (seed {s.Seed}) with all their labels; the hierarchy links each label to its nearest kept ancestors.\n" : "")}{(s.LabelSample is { } sample ? $"Label sample: {sample} labels drawn at random (seed {s.Seed}) and the points that have one of them; the hierarchy links each to its nearest sampled ancestors.\n" : "")}Points: every {s.PartOfSpeech} synset with a hypernym ("@" or "@i"); text = its lemmas (underscores as spaces), then ": "
        and its gloss. Labels: {(s.Task == "hypernym" ? "the first direct hypernym (multi-class)" : "every hypernym ancestor (multi-label)")};
        label names FIRSTWORD.POS.OFFSET, label texts = lemmas and the start of the gloss (label-texts.txt).
        Class hierarchy: every hypernym edge between two labels (hierarchy.edgelist, "parent child" per line).
        Split by synset, seed {s.Seed}, fractions {string.Join(",", s.Split)}: {s.TrainPoints} train / {s.HeldoutPoints} held-out / {s.TestPoints} test.
        Features: TF-IDF (sublinear tf, smooth idf, L2 rows) fitted on the training texts only: {s.Features} dimensions.

        Counts: {s.Synsets} synsets, {s.Points} points, {s.Labels} labels ({s.LabelsInTrain} with a training point),
        {s.LabelsPerPoint:F2} labels per point, points per label median {s.MedianPointsPerLabel:G4} / mean {s.MeanPointsPerLabel:F2} / max {s.MaxPointsPerLabel},
        {s.SingletonLabels} labels with one point. Test points with a label unseen in training: {s.TestPointsWithUnseenLabel}
        (held-out: {s.HeldoutPointsWithUnseenLabel}); they stay in their split. Hierarchy: {s.HierarchyEdges} edges,
        {s.HierarchyRoots} root label(s), height {s.HierarchyHeight}.

        """);
}
