using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Data.WordNet;
using XcNotebooks.Core;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Notebooks;

/// <summary>
/// The data set a notebook or script runs on: the real one from ../shared/data when it is there (and not in fast
/// mode), else the embedded default, with a name for titles, the files read (for run reports) and, on the fallback,
/// a line saying why.
/// </summary>
/// <param name="Splits">Train, heldout (when there is one) and test.</param>
/// <param name="Name">A name for titles and captions ("sector (PD-Sparse split)").</param>
/// <param name="Files">What was read, by split (<see cref="Core.RunReport.DatasetFiles"/>).</param>
/// <param name="FallbackReason">Why the embedded default stands in for the real data set; null when the real one was read.</param>
public sealed record NotebookData(DataSplits Splits, string Name, IReadOnlyDictionary<string, string> Files, string? FallbackReason)
{
    /// <summary>True when the real data set was read (not the embedded stand-in).</summary>
    public bool IsShared => FallbackReason is null;

    /// <summary>The WordNet data set (statistics, hierarchy, vectoriser) when <see cref="WordNetOrEmbedded(WordNetTask, int?, int?, TrainingMonitor?)"/> built one; null otherwise.</summary>
    public WordNetDataset? WordNet { get; init; }

    /// <summary>
    /// The WordNet 3.0 noun data set for <paramref name="task"/> (hypernym: multi-class with the class hierarchy and
    /// label texts; ancestors: multi-label), built in memory by <see cref="WordNetDatasets.Build(string, WordNetDatasetOptions?, TrainingMonitor?)"/>
    /// from the dictionary folder named by <c>XCN_WORDNET</c> or Debian's <c>/usr/share/wordnet</c> (package
    /// wordnet-base), on a seeded sample of <paramref name="labelSample"/> labels and their points, or of
    /// <paramref name="pointSample"/> points with all their labels (null: all), with the default split
    /// (seed 0, 0.7 / 0.1 / 0.2 by synset). Without the dictionary: the embedded default (hypernym: 64 synthetic
    /// classes whose points and classes carry generated texts; ancestors: the embedded multi-label default), with the
    /// reason.
    /// </summary>
    public static NotebookData WordNetOrEmbedded(WordNetTask task, int? labelSample = null, int? pointSample = null, TrainingMonitor? monitor = null)
    {
        var folder = Environment.GetEnvironmentVariable("XCN_WORDNET") is { Length: > 0 } named ? named : WordNetDatasets.DebianDictionary;
        return WordNetOrEmbedded(File.Exists(Path.Combine(folder, "data.noun")) ? folder : null, task, labelSample, pointSample, monitor);
    }

    /// <summary>The same choice made explicitly: WordNet from <paramref name="dictionary"/> (the folder holding data.noun) unless it is null.</summary>
    public static NotebookData WordNetOrEmbedded(string? dictionary, WordNetTask task, int? labelSample = null, int? pointSample = null, TrainingMonitor? monitor = null)
    {
        if (dictionary is not null)
        {
            var wordnet = WordNetDatasets.Build(dictionary, new WordNetDatasetOptions { Task = task, LabelSample = labelSample, PointSample = pointSample }, monitor);
            var stats = wordnet.Statistics;
            string sample = (stats.LabelSample, stats.PointSample) switch
            {
                (not null, _) => $", a seeded sample of {stats.Labels:N0} labels",
                (null, not null) => $", a seeded sample of {stats.Points:N0} points ({stats.Labels:N0} labels)",
                _ => $", all {stats.Labels:N0} labels",
            };
            string version = stats.WordNetVersion is { } v ? $"WordNet {v}" : "WordNet";
            return new NotebookData(wordnet.Splits, $"{version} nouns, {(task == WordNetTask.Hypernym ? "hypernym classes" : "hypernym ancestors")}{sample}",
                new Dictionary<string, string> { ["wordnet"] = Path.Combine(dictionary, "data.noun") }, null) { WordNet = wordnet };
        }
        string missing = $"WordNet is not on this machine (no data.noun in {WordNetDatasets.DebianDictionary} or $XCN_WORDNET; Debian: apt-get install wordnet-base)";
        return task == WordNetTask.Hypernym
            ? new NotebookData(EmbeddedData.Default(), "the embedded default (synthetic, 64 classes)",
                new Dictionary<string, string> { ["embedded"] = $"EmbeddedData.Default() (SyntheticXc seed {EmbeddedData.DefaultOptions.Seed})" },
                $"{missing}: the embedded default (64 synthetic classes with generated texts, no class hierarchy) stands in for it.")
            : new NotebookData(EmbeddedData.DefaultMultiLabel(), "the embedded multi-label default (synthetic, 128 labels)",
                new Dictionary<string, string> { ["embedded"] = $"EmbeddedData.DefaultMultiLabel() (SyntheticXc seed {EmbeddedData.DefaultMultiLabelOptions.Seed})" },
                $"{missing}: the embedded multi-label default (128 synthetic labels) stands in for it.");
    }

    /// <summary>
    /// Sector (105 classes, the PD-Sparse train/heldout/test split of the W-LTLS paper) from ../shared/data, or in fast
    /// mode or without it the embedded multi-class default (64 classes) with a heldout split of
    /// <paramref name="heldoutPoints"/> points (0: none).
    /// </summary>
    public static NotebookData SectorOrEmbedded(int heldoutPoints = 400, TrainingMonitor? monitor = null) =>
        SectorOrEmbedded(NotebookEnv.SharedData("sector"), NotebookEnv.Fast, heldoutPoints, monitor);

    /// <summary>
    /// The same choice made explicitly: sector from <paramref name="sectorFolder"/> (the folder holding sector.train,
    /// .heldout (optional) and .test, plain, .bz2 or .gz) unless it is null or <paramref name="fast"/>, else the
    /// embedded default.
    /// </summary>
    public static NotebookData SectorOrEmbedded(string? sectorFolder, bool fast, int heldoutPoints = 400, TrainingMonitor? monitor = null)
    {
        if (heldoutPoints < 0) throw new ArgumentException($"heldout points must not be negative, got {heldoutPoints}");
        if (sectorFolder is not null && !fast)
        {
            var splits = LibSvmFormat.ReadPdSparse(Path.Combine(sectorFolder, "sector"), monitor: monitor);
            var files = new Dictionary<string, string>();
            foreach (var split in new[] { "train", "heldout", "test" })
                if (Directory.GetFiles(sectorFolder, $"sector.{split}*").Order(StringComparer.Ordinal).FirstOrDefault() is { } file) files[split] = file;
            return new NotebookData(splits, "sector (PD-Sparse split)", files, null);
        }
        return EmbeddedDefault("sector", fast, heldoutPoints);
    }

    /// <summary>
    /// Bibtex (159 labels, 4,880 train / 2,515 test points: the NeuralXC report's data set) from
    /// ../shared/data/bibtex, or in fast mode or without it the embedded multi-label default (128 labels).
    /// </summary>
    public static NotebookData BibtexOrEmbedded(TrainingMonitor? monitor = null) =>
        BibtexOrEmbedded(NotebookEnv.SharedData("bibtex"), NotebookEnv.Fast, monitor);

    /// <summary>The same choice made explicitly: bibtex_train.txt and bibtex_test.txt from <paramref name="bibtexFolder"/> unless it is null or <paramref name="fast"/>.</summary>
    public static NotebookData BibtexOrEmbedded(string? bibtexFolder, bool fast, TrainingMonitor? monitor = null)
    {
        if (bibtexFolder is not null && !fast)
        {
            var files = new Dictionary<string, string>
            {
                ["train"] = Path.Combine(bibtexFolder, "bibtex_train.txt"),
                ["test"] = Path.Combine(bibtexFolder, "bibtex_test.txt"),
            };
            return new NotebookData(DatasetReader.ReadSplits(files["train"], null, files["test"], DataFormat.Auto, monitor), "bibtex", files, null);
        }
        string reason = FallbackLine("bibtex", "the embedded multi-label default (128 synthetic labels)", fast);
        return new NotebookData(EmbeddedData.DefaultMultiLabel(), "the embedded multi-label default (synthetic, 128 labels)",
            new Dictionary<string, string> { ["embedded"] = $"EmbeddedData.DefaultMultiLabel() (SyntheticXc seed {EmbeddedData.DefaultMultiLabelOptions.Seed})" },
            reason);
    }

    /// <summary>
    /// CLINC150 (150 intents; texts, with the intent names as label texts; train / validation / test) from
    /// ../shared/data/clinc150, or in fast mode or without it the embedded default, whose points and classes carry
    /// synthetic texts, with a heldout split of <paramref name="heldoutPoints"/> points (0: none).
    /// </summary>
    public static NotebookData Clinc150OrEmbedded(int heldoutPoints = 400, TrainingMonitor? monitor = null) =>
        Clinc150OrEmbedded(NotebookEnv.SharedData("clinc150"), NotebookEnv.Fast, heldoutPoints, monitor);

    /// <summary>The same choice made explicitly: data_full.json and domains.json from <paramref name="clincFolder"/> unless it is null or <paramref name="fast"/>.</summary>
    public static NotebookData Clinc150OrEmbedded(string? clincFolder, bool fast, int heldoutPoints = 400, TrainingMonitor? monitor = null)
    {
        if (heldoutPoints < 0) throw new ArgumentException($"heldout points must not be negative, got {heldoutPoints}");
        if (clincFolder is not null && !fast)
            return new NotebookData(TextDatasets.Clinc150(clincFolder, monitor: monitor), "CLINC150",
                new Dictionary<string, string> { ["data"] = Path.Combine(clincFolder, "data_full.json"), ["domains"] = Path.Combine(clincFolder, "domains.json") },
                null);
        return EmbeddedDefault("CLINC150", fast, heldoutPoints);
    }

    /// <summary>The embedded multi-class default standing in for <paramref name="dataSet"/>.</summary>
    private static NotebookData EmbeddedDefault(string dataSet, bool fast, int heldoutPoints)
    {
        string source = heldoutPoints > 0 ? $"EmbeddedData.Default(heldoutPoints: {heldoutPoints})" : "EmbeddedData.Default()";
        return new NotebookData(heldoutPoints > 0 ? EmbeddedData.Default(heldoutPoints) : EmbeddedData.Default(),
            "the embedded default (synthetic, 64 classes)",
            new Dictionary<string, string> { ["embedded"] = $"{source} (SyntheticXc seed {EmbeddedData.DefaultOptions.Seed})" },
            FallbackLine(dataSet, "the embedded default (64 synthetic classes)", fast));
    }

    private static string FallbackLine(string dataSet, string standIn, bool fast) => fast
        ? $"Fast mode: {standIn} stands in for {dataSet}."
        : $"../shared/data/{dataSet.ToLowerInvariant()} is not on this machine: {standIn} stands in for it.";
}
