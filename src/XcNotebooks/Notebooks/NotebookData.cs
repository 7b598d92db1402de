using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Data.Synthetic;
using XcNotebooks.Training;

namespace XcNotebooks.Notebooks;

/// <summary>
/// The data set a notebook or script runs on: the real one from ../shared/data when it is there (and not in fast
/// mode), else the embedded default, with a name for titles, the files read (for run reports) and, on the fallback,
/// a line saying why.
/// </summary>
/// <param name="Splits">Train, heldout (when there is one) and test.</param>
/// <param name="Name">A name for titles and captions ("sector (PD-Sparse split)").</param>
/// <param name="Files">What was read, by split (<see cref="Reports.RunReport.DatasetFiles"/>).</param>
/// <param name="FallbackReason">Why the embedded default stands in for the real data set; null when the real one was read.</param>
public sealed record NotebookData(DataSplits Splits, string Name, IReadOnlyDictionary<string, string> Files, string? FallbackReason)
{
    /// <summary>True when the real data set was read (not the embedded stand-in).</summary>
    public bool IsShared => FallbackReason is null;

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
        string reason = fast
            ? "Fast mode: the embedded default (64 synthetic classes) stands in for sector."
            : "../shared/data/sector is not on this machine: the embedded default (64 synthetic classes) stands in for it.";
        string source = heldoutPoints > 0 ? $"EmbeddedData.Default(heldoutPoints: {heldoutPoints})" : "EmbeddedData.Default()";
        return new NotebookData(heldoutPoints > 0 ? EmbeddedData.Default(heldoutPoints) : EmbeddedData.Default(),
            "the embedded default (synthetic, 64 classes)",
            new Dictionary<string, string> { ["embedded"] = $"{source} (SyntheticXc seed {EmbeddedData.DefaultOptions.Seed})" }, reason);
    }

    /// <summary>
    /// CLINC150 (150 intents; its train, validation and test splits; label texts = intent names) from ../shared/data
    /// when it is there, else the embedded multi-label default (128 synthetic labels with texts and label texts): the
    /// text data sets of the dual-encoder notebooks (DEXA, DEXML). Fast mode keeps CLINC150 (it loads in a second);
    /// size epochs with <see cref="NotebookEnv.Pick"/>.
    /// </summary>
    public static NotebookData Clinc150OrEmbedded(TrainingMonitor? monitor = null) => Clinc150OrEmbedded(NotebookEnv.SharedData("clinc150"), monitor);

    /// <summary>The same choice made explicitly: CLINC150 from <paramref name="clincFolder"/> (data_full.json) unless it is null.</summary>
    public static NotebookData Clinc150OrEmbedded(string? clincFolder, TrainingMonitor? monitor = null)
    {
        if (clincFolder is not null)
            return new NotebookData(TextDatasets.Clinc150(clincFolder, monitor: monitor), "CLINC150",
                new Dictionary<string, string> { ["train"] = Path.Combine(clincFolder, "data_full.json") }, null);
        return new NotebookData(EmbeddedData.DefaultMultiLabel(), "the embedded multi-label default (synthetic, 128 labels)",
            new Dictionary<string, string> { ["embedded"] = $"EmbeddedData.DefaultMultiLabel() (SyntheticXc seed {EmbeddedData.DefaultMultiLabelOptions.Seed})" },
            "../shared/data/clinc150 is not on this machine: the embedded multi-label default (128 synthetic labels with texts) stands in for it.");
    }
}
