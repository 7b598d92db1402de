using System.Text.Json.Serialization;
using XcNotebooks.Compute;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Settings of a W-LTLS run (defaults: the paper's sector setting: b = 5, AROW, exponential loss, random assignment,
/// 5 epochs; decoding with the responses doubled, see <see cref="DecodingScale"/>). Immutable; serialisable to JSON.
/// </summary>
public sealed record WltlsOptions
{
    /// <summary>
    /// The settings chosen on WordNet's held-out split (all 16,897 noun hypernym classes, benchmarks/results/wordnet.md):
    /// b = 16, the similarity assignment with the smallest subtrees first (give the class hierarchy as
    /// <see cref="ClassHierarchy"/>), AROW with r = 2 for 3 epochs (the online learners fit the 57k training points
    /// almost perfectly by epoch 3; later epochs lower validation accuracy). The CLI's equivalent:
    /// <c>--slice-width 16 --path-assignment similarity --hierarchy FILE --similarity-child-order smallest-subtree-first
    /// --epochs 3 --learner-arow-r 2</c>.
    /// </summary>
    public static WltlsOptions WordNet => new()
    {
        SliceWidth = 16,
        PathAssignment = PathAssignmentPolicy.Similarity,
        SimilarityChildOrder = HierarchyChildOrder.SmallestSubtreeFirst,
        Epochs = 3,
        Learner = new BinaryLearnerOptions { ArowR = 2 },
    };

    /// <summary>Slice width b of the trellis graph (2 &lt;= b &lt;= K; b = 2 is LTLS).</summary>
    public int SliceWidth { get; init; } = 5;

    /// <summary>The loss of loss-based decoding.</summary>
    public DecodingLoss DecodingLoss { get; init; } = DecodingLoss.Exponential;

    /// <summary>
    /// Loss-based decoding applies the loss to the responses times this factor, L(s c_e z_e): above 1 the exponential
    /// loss weighs the worst-fitting bits more; 1 is the paper's decoding. Training is not affected. The default 2 was
    /// at least as accurate as 1 on sector, the generator and WordNet (+0.5 P@1 there; benchmarks/results/wordnet.md).
    /// </summary>
    public double DecodingScale { get; init; } = 2;

    /// <summary>Training epochs (passes over the shuffled training data).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Stop after two epochs in a row without a better validation accuracy.</summary>
    public bool EarlyStopping { get; init; }

    /// <summary>How codewords are given to classes.</summary>
    public PathAssignmentPolicy PathAssignment { get; init; } = PathAssignmentPolicy.Random;

    /// <summary>For <see cref="PathAssignmentPolicy.Fixed"/>: the codeword of each class (a permutation of 0..K-1).</summary>
    public IReadOnlyList<int>? CodewordOfClass { get; init; }

    /// <summary>
    /// For <see cref="PathAssignmentPolicy.Similarity"/>: a class hierarchy over the K classes whose depth-first
    /// pre-order gives the assignment. Null (the default): cluster Euclidean distances between the training class
    /// means with <see cref="SimilarityLinkage"/>. Not written to JSON (reports, model files): the assignment itself
    /// is kept.
    /// </summary>
    [JsonIgnore]
    public LabelHierarchy? ClassHierarchy { get; init; }

    /// <summary>For <see cref="PathAssignmentPolicy.Similarity"/>: the order the depth-first walk visits children in (the authors': as given).</summary>
    public HierarchyChildOrder SimilarityChildOrder { get; init; } = HierarchyChildOrder.AsGiven;

    /// <summary>For <see cref="PathAssignmentPolicy.Similarity"/> without a given hierarchy: the linkage (the authors': average).</summary>
    public LinkageMethod SimilarityLinkage { get; init; } = LinkageMethod.Average;

    /// <summary>
    /// Compute the Eq. 5 score (AISTATS 2023) of the assignment used, and of random ones, for the report, up to
    /// <see cref="ScoreAssignmentMaxClasses"/> classes.
    /// </summary>
    public bool ScoreAssignment { get; init; } = true;

    /// <summary>
    /// The most classes for which the report scores the assignment: the score needs the class means and two K x K
    /// distance tables (at 10^4 classes ~1 GB, forty times a b = 2 model), so a larger problem is not charged for a
    /// report figure. At most <see cref="CondensedDistances.MaxCount"/>.
    /// </summary>
    public int ScoreAssignmentMaxClasses { get; init; } = 4096;

    /// <summary>How many heaviest paths the greedy policy considers for a newly seen class.</summary>
    public int GreedyCandidates { get; init; } = 20;

    /// <summary>The binary learner of each edge and its settings.</summary>
    public BinaryLearnerOptions Learner { get; init; } = new();

    /// <summary>Seed of the shuffles and of the random assignment.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Where TopK and Predict decode: Cpu (the list Viterbi, parallel over points), Ilgpu (the trellis kernel, one
    /// point per device thread: a GPU when one is present, else ILGPU's CPU accelerator; same predictions), or Auto
    /// (Ilgpu when a GPU is present). Training decodes on the CPU.
    /// </summary>
    public BackendKind Backend { get; init; } = BackendKind.Cpu;

    /// <summary>
    /// When set, the best-validated model is saved here whenever it improves (the original's model.npz); without a
    /// heldout split, the last epoch's model once training ends.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Points per segment of an online epoch (0: about 4M margins, at least 256 points): the pre-update margins of a
    /// segment are decoded for the online train accuracy before the next segment runs. Any value gives the same models
    /// and figures (tests set it small to check that); only memory and synchronisation change. Not in JSON.
    /// </summary>
    internal int EpochSegmentRows { get; init; }

    /// <summary>
    /// Blocks of edges trained one after another, each through every epoch, so that only one block's learner state
    /// (AROW's weights and covariance, the perceptron's weights and sums: twice the block's share of the model) is held
    /// beside the model (0: automatic, enough blocks that a block's state is at most an eighth of the model or 32 MB;
    /// 1: every edge at once). Used for an online learner, a path assignment fixed before training, one process and no
    /// heldout split; otherwise every edge trains at once. The edges are independent binary problems, so any value gives
    /// the same models and figures bit for bit; the online margins of the blocks wait in a temporary file until every
    /// edge has them. Not in JSON.
    /// </summary>
    internal int EdgeBlocks { get; init; }

    /// <summary>Checks what needs no data (the CLI calls it before reading any); throws ArgumentException naming the option.</summary>
    public WltlsOptions Validate()
    {
        if (SliceWidth < 2) throw new ArgumentException($"slice width must be at least 2, got {SliceWidth}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (!(DecodingScale > 0) || !double.IsFinite(DecodingScale)) throw new ArgumentException($"decoding scale must be positive and finite, got {DecodingScale}");
        if (GreedyCandidates < 1) throw new ArgumentException($"greedy candidates must be at least 1, got {GreedyCandidates}");
        if (ScoreAssignmentMaxClasses < 0 || ScoreAssignmentMaxClasses > CondensedDistances.MaxCount)
            throw new ArgumentException($"score assignment max classes must be between 0 and {CondensedDistances.MaxCount}, got {ScoreAssignmentMaxClasses}");
        if (!Enum.IsDefined(DecodingLoss)) throw new ArgumentException($"unknown decoding loss {DecodingLoss}");
        if (!Enum.IsDefined(Backend)) throw new ArgumentException($"unknown backend {Backend}");
        if (!Enum.IsDefined(PathAssignment)) throw new ArgumentException($"unknown path assignment policy {PathAssignment}");
        if (PathAssignment == PathAssignmentPolicy.Fixed && CodewordOfClass is null)
            throw new ArgumentException("the fixed path assignment needs CodewordOfClass");
        if (PathAssignment == PathAssignmentPolicy.Similarity && !Enum.IsDefined(SimilarityLinkage))
            throw new ArgumentException($"unknown linkage {SimilarityLinkage}");
        if (!Enum.IsDefined(SimilarityChildOrder)) throw new ArgumentException($"unknown child order {SimilarityChildOrder}");
        (Learner ?? throw new ArgumentException("Learner options are missing")).Validate();
        return this;
    }

    /// <summary>Checks the options against a problem with <paramref name="numClasses"/> classes.</summary>
    public WltlsOptions Validate(int numClasses)
    {
        Validate();
        if (SliceWidth > numClasses)
            throw new ArgumentException($"slice width must be between 2 and the number of classes ({numClasses}), got {SliceWidth}");
        if (PathAssignment == PathAssignmentPolicy.Fixed && CodewordOfClass!.Count != numClasses)
            throw new ArgumentException($"CodewordOfClass has {CodewordOfClass.Count} entries, the data has {numClasses} classes");
        if (PathAssignment == PathAssignmentPolicy.Similarity)
        {
            if (ClassHierarchy is not null && ClassHierarchy.NumLabels != numClasses)
                throw new ArgumentException($"the class hierarchy has {ClassHierarchy.NumLabels} labels, the data has {numClasses} classes");
            if (ClassHierarchy is null && numClasses > CondensedDistances.MaxCount)
                throw new ArgumentException(
                    $"the similarity assignment clusters all {numClasses:N0} classes, which needs O(K^2) memory (at most {CondensedDistances.MaxCount:N0}); give a ClassHierarchy");
        }
        return this;
    }
}
