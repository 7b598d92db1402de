using XcNotebooks.Core;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Methods.Wltls;

namespace XcNotebooks.Experiments;

/// <summary>
/// The settings of issue 16's WordNet table: which W-LTLS slice widths, and the epochs of the methods that train
/// for epochs (the run names say the counts used). The defaults are the full run's; <see cref="Fast"/> is the
/// notebooks' and scripts' fast mode.
/// </summary>
public sealed record WordNetComparisonOptions
{
    /// <summary>W-LTLS slice widths b: each runs with a random and with a similarity-preserving assignment.</summary>
    public IReadOnlyList<int> SliceWidths { get; init; } = [2, 16];

    /// <summary>W-LTLS epochs (AROW learners; the paper's 5).</summary>
    public int WltlsEpochs { get; init; } = 5;

    /// <summary>Run one-vs-rest (L2-SVM by dual coordinate descent, LIBLINEAR -s 1's problem): its cost grows as L x D.</summary>
    public bool OneVsRest { get; init; } = true;

    /// <summary>DSNC epochs (sparse profile: linear encoder, 32 bits, code lookup).</summary>
    public int DsncEpochs { get; init; } = 3;

    /// <summary>DEXA's encoder (M1) epochs.</summary>
    public int DexaEncoderEpochs { get; init; } = 40;

    /// <summary>DEXA's classifier (M-IV) epochs.</summary>
    public int DexaClassifierEpochs { get; init; } = 30;

    /// <summary>DEXML epochs (its default label pool: every label up to DexmlOptions.AllLabelsUpTo labels, hard-mined above).</summary>
    public int DexmlEpochs { get; init; } = 30;

    /// <summary>NeuralXC epochs (the recommended linear-codes settings) on the multi-label set.</summary>
    public int NeuralXcEpochs { get; init; } = 20;

    /// <summary>NeuralXC's input encoder widths (hidden layers then the code); null: NeuralXC's own, scaled to the data.</summary>
    public IReadOnlyList<int>? NeuralXcInputEncoderSizes { get; init; }

    /// <summary>NeuralXC's label encoder widths (hidden layers then the code); null: NeuralXC's own, scaled to the data.</summary>
    public IReadOnlyList<int>? NeuralXcLabelEncoderSizes { get; init; }

    /// <summary>The seed of every run.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Fast mode: b = 2 and 16, few epochs and a small NeuralXC (encoders 512-256 and 256-128 instead of widths scaled
    /// to the data, ~95M parameters on 2,000 WordNet points), so that a few hundred WordNet classes run in about a minute on 2 cores.
    /// </summary>
    public static WordNetComparisonOptions Fast { get; } = new()
    {
        WltlsEpochs = 3,
        DsncEpochs = 3,
        DexaEncoderEpochs = 6,
        DexaClassifierEpochs = 4,
        DexmlEpochs = 4,
        NeuralXcEpochs = 3,
        NeuralXcInputEncoderSizes = [512, 256],
        NeuralXcLabelEncoderSizes = [256, 128],
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public WordNetComparisonOptions Validate()
    {
        if (SliceWidths is null || SliceWidths.Count == 0 || SliceWidths.Any(b => b < 2))
            throw new ArgumentException($"SliceWidths must list widths of at least 2, got {(SliceWidths is null ? "null" : string.Join(",", SliceWidths))}", nameof(SliceWidths));
        foreach (var (name, value) in new[] { (nameof(WltlsEpochs), WltlsEpochs), (nameof(DsncEpochs), DsncEpochs), (nameof(DexaEncoderEpochs), DexaEncoderEpochs),
                     (nameof(DexaClassifierEpochs), DexaClassifierEpochs), (nameof(DexmlEpochs), DexmlEpochs), (nameof(NeuralXcEpochs), NeuralXcEpochs) })
            if (value < 1) throw new ArgumentException($"{name} must be at least 1, got {value}", name);
        return this;
    }
}

/// <summary>
/// Issue 16 §2's comparison on the WordNet data sets (<see cref="Data.WordNet.WordNetDatasets"/>), as lists of runs
/// for <see cref="MethodComparison.Run(DataSplits, IEnumerable{ComparisonRun}, int, TrainingMonitor?)"/>: on the
/// hypernym set (multi-class), W-LTLS with random and with similarity-preserving assignments from the data's class
/// hierarchy, one-vs-rest, DSNC with code lookup, DEXA and DEXML (label texts), k-NN and popularity; on the
/// ancestors set (multi-label), NeuralXC and HierarchicalXC beside popularity and k-NN.
/// </summary>
public static class WordNetComparison
{
    /// <summary>
    /// The runs on a multi-class set: the similarity-preserving assignment takes the class hierarchy of
    /// <paramref name="train"/> (its <see cref="Dataset.LabelHierarchyEdges"/>, WordNet's hypernym edges) in
    /// pre-order, or clusters the class means where the data has no hierarchy (the run's name says which). DEXA and
    /// DEXML run only when the data carries texts and label texts.
    /// </summary>
    public static IReadOnlyList<ComparisonRun> HypernymRuns(Dataset train, WordNetComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new WordNetComparisonOptions()).Validate();
        var hierarchy = train.LabelHierarchyEdges is null ? null : LabelHierarchy.FromDataset(train);
        string similarity = hierarchy is null ? "similarity assignment (class-mean clustering)" : "similarity assignment (the class hierarchy)";
        var runs = new List<ComparisonRun>
        {
            new("popularity", LabelPopularity.MethodName, new LabelPopularityOptions()),
            new("kNN (cosine, 10 neighbours)", KNearestNeighbours.MethodName, new KNearestNeighboursOptions()),
        };
        foreach (int b in options.SliceWidths)
        {
            var wltls = new WltlsOptions { SliceWidth = b, Epochs = options.WltlsEpochs, Seed = options.Seed };
            runs.Add(new($"W-LTLS b = {b}, random assignment", Wltls.MethodName, wltls));
            runs.Add(new($"W-LTLS b = {b}, {similarity}", Wltls.MethodName,
                wltls with { PathAssignment = PathAssignmentPolicy.Similarity, ClassHierarchy = hierarchy }));
        }
        if (options.OneVsRest)
        {
            var ovr = new OneVsRestOptions();
            runs.Add(new($"one-vs-rest ({ovr.Description})", OneVsRestLinear.MethodName, ovr));
        }
        runs.Add(new($"DSNC (code lookup, {options.DsncEpochs} epochs)", Dsnc.MethodName, new DsncOptions { Epochs = options.DsncEpochs, Seed = options.Seed }));
        if (train.Texts is not null && train.LabelTexts is not null)
        {
            runs.Add(new($"DEXA ({options.DexaEncoderEpochs} + {options.DexaClassifierEpochs} epochs)", "dexa",
                new DexaOptions { EncoderEpochs = options.DexaEncoderEpochs, ClassifierEpochs = options.DexaClassifierEpochs, Seed = options.Seed }));
            runs.Add(new($"DEXML ({options.DexmlEpochs} epochs)", "dexml", new DexmlOptions { Epochs = options.DexmlEpochs, Seed = options.Seed }));
        }
        return runs;
    }

    /// <summary>The runs on a multi-label set (WordNet's ancestors): popularity, k-NN, NeuralXC (recommended settings) and HierarchicalXC.</summary>
    public static IReadOnlyList<ComparisonRun> AncestorsRuns(WordNetComparisonOptions? options = null)
    {
        options = (options ?? new WordNetComparisonOptions()).Validate();
        return
        [
            new("popularity", LabelPopularity.MethodName, new LabelPopularityOptions()),
            new("kNN (cosine, 10 neighbours)", KNearestNeighbours.MethodName, new KNearestNeighboursOptions()),
            new($"NeuralXC (linear codes{(options.NeuralXcInputEncoderSizes is { } sizes ? $", encoder {string.Join("-", sizes)}" : "")}, {options.NeuralXcEpochs} epochs)", NeuralXc.MethodName,
                NeuralXcOptions.Recommended with
                {
                    Epochs = options.NeuralXcEpochs,
                    InputEncoderSizes = options.NeuralXcInputEncoderSizes,
                    LabelEncoderSizes = options.NeuralXcLabelEncoderSizes,
                    Seed = options.Seed,
                }),
            new("HierarchicalXC", HierarchicalXc.MethodName, new HierarchicalXcOptions { Seed = options.Seed }),
        ];
    }
}
