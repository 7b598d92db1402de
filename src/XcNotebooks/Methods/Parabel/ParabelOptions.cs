using XcNotebooks.Learners;

namespace XcNotebooks.Methods.Parabel;

/// <summary>
/// Settings of the Parabel-style label tree. Defaults: an ensemble of 3 trees, leaves of at most 100 labels, beam 10,
/// L2-loss SVMs with C = 1 on unit-norm features with a bias, balanced 2-means stopped at a gain of 1e-4 (Parabel's and
/// Omikuji's), and leaf classifiers trained on the points under the leaf's grandparent (LeafNegativeLevels = 2, not
/// Parabel's: on WordNet's 3,000-class sample it brings the tree within 2 P@1 of one-vs-rest; <see cref="Paper"/> is
/// Parabel's own setting).
/// </summary>
public sealed record ParabelOptions
{
    /// <summary>A node with more labels than this is split in two; leaves hold at most this many labels.</summary>
    public int MaxLeafLabels { get; init; } = 100;

    /// <summary>
    /// Trees in the ensemble (Parabel's paper uses 3): each built and trained with its own seed, a label's score the
    /// mean over the trees of its path probability (0 in a tree whose beam misses it). Prediction costs this many
    /// beam searches.
    /// </summary>
    public int Trees { get; init; } = 3;

    /// <summary>Nodes kept per level of the beam search at prediction.</summary>
    public int Beam { get; init; } = 10;

    /// <summary>
    /// The binary learner of every node and leaf label: the L2-SVM by dual coordinate descent, C = 1, with weights
    /// below 0.1 dropped (Parabel's and Omikuji's pruning threshold: smaller models, faster prediction).
    /// </summary>
    public BinaryLearnerOptions Learner { get; init; } = new() { Kind = BinaryLearnerKind.SvmL2LossDual, PruneBelow = 0.1 };

    /// <summary>
    /// Where a leaf's label classifiers take their negatives from: 0, the points of the leaf's own labels (Parabel);
    /// n &gt; 0, the points under the leaf's ancestor n levels up (its sibling's points too at 1: the points the beam
    /// confuses most with the leaf's, as PECOS's teacher-forced negatives), so a label with one or two points meets
    /// more of the points that reach its leaf at prediction.
    /// </summary>
    public int LeafNegativeLevels { get; init; } = 2;

    /// <summary>Passes over the data when <see cref="Learner"/> is an online learner.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Value of the constant bias feature (0: none).</summary>
    public float Bias { get; init; } = 1;

    /// <summary>Scale each point's features to unit L2 norm (training and prediction), as Parabel does.</summary>
    public bool NormalizeRows { get; init; } = true;

    /// <summary>Balanced 2-means stops when the mean similarity gains less than this.</summary>
    public double ClusteringTolerance { get; init; } = 1e-4;

    /// <summary>Most iterations of one balanced 2-means split.</summary>
    public int ClusteringMaxIterations { get; init; } = 50;

    /// <summary>Seed of the 2-means starts and of the learners.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Parabel's paper (Prabhu et al. 2018): 3 trees, leaves of at most 100 labels, beam 10, C = 1, each leaf's
    /// classifiers trained on the points of its own labels (LeafNegativeLevels = 0).
    /// </summary>
    public static ParabelOptions Paper { get; } = new() { Trees = 3, LeafNegativeLevels = 0 };

    /// <summary>A single tree as Parabel trains one (the fastest to predict; the kit's defaults before ensembles).</summary>
    public static ParabelOptions SingleTree { get; } = new() { Trees = 1, LeafNegativeLevels = 0 };

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public ParabelOptions Validate()
    {
        if (MaxLeafLabels < 2) throw new ArgumentException($"max leaf labels must be at least 2, got {MaxLeafLabels}");
        if (Trees < 1) throw new ArgumentException($"trees must be at least 1, got {Trees}");
        if (Beam < 1) throw new ArgumentException($"beam must be at least 1, got {Beam}");
        if (LeafNegativeLevels < 0) throw new ArgumentException($"leaf negative levels must be 0 or more, got {LeafNegativeLevels}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (!float.IsFinite(Bias) || Bias < 0) throw new ArgumentException($"bias must be a finite non-negative value, got {Bias}");
        if (!(ClusteringTolerance >= 0)) throw new ArgumentException($"clustering tolerance must be 0 or positive, got {ClusteringTolerance}");
        if (ClusteringMaxIterations < 1) throw new ArgumentException($"clustering iterations must be at least 1, got {ClusteringMaxIterations}");
        (Learner ?? throw new ArgumentException("Learner options are missing")).Validate();
        return this;
    }
}
