using XcNotebooks.Compute;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;

namespace XcNotebooks.Methods.HierarchicalXc;

/// <summary>How HierarchicalXC turns the label tree into a top-k ranking.</summary>
public enum HierarchicalXcRanking
{
    /// <summary>
    /// Every label scored by the product of the node probabilities on its root-to-leaf path; the k best found by
    /// best-first search, which evaluates only the classifiers of the nodes it expands (exact: a path's product
    /// never grows going down).
    /// </summary>
    BestFirst,
    /// <summary>
    /// The paper's inference: only the labels the none/one/both traversal reaches (every classifier on the path said
    /// yes), ranked by the same path product; points that reach fewer than k labels are padded.
    /// </summary>
    Traversal,
}

/// <summary>
/// Settings of HierarchicalXC (defaults: the authors' train_hierarchicalXC.py: complete linkage on −co-occurrence, no
/// input autoencoder). Immutable; serialisable to JSON.
/// </summary>
public sealed record HierarchicalXcOptions
{
    /// <summary>How label co-occurrence becomes a clustering distance (−count, or −IoU).</summary>
    public CoOccurrenceDistance Distance { get; init; } = CoOccurrenceDistance.NegativeCount;

    /// <summary>Agglomerative linkage (the paper: complete).</summary>
    public LinkageMethod Linkage { get; init; } = LinkageMethod.Complete;

    /// <summary>
    /// Code width of the deep linear input autoencoder (layers halving the width down to this); 0: the node
    /// classifiers read the raw features (the original's default, --input_ae_dim -1).
    /// </summary>
    public int AutoencoderDimension { get; init; }

    /// <summary>Training epochs of the input autoencoder.</summary>
    public int AutoencoderEpochs { get; init; } = 10;

    /// <summary>Adam learning rate of the input autoencoder.</summary>
    public float AutoencoderLearningRate { get; init; } = 1e-3f;

    /// <summary>Points per autoencoder mini-batch.</summary>
    public int AutoencoderBatchSize { get; init; } = 64;

    /// <summary>Where the autoencoder trains (Auto: a GPU when there is one).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>
    /// The binary multi-label classifier of each inner node: a one-vs-rest linear model with two outputs (one per
    /// child), its margins Platt-scaled into probabilities. The original used an RBF SVC per output.
    /// </summary>
    public OneVsRestOptions NodeClassifier { get; init; } = new() { Bias = 1, Learner = new BinaryLearnerOptions(), NormalizeRows = false };

    /// <summary>How top-k predictions are formed from the tree.</summary>
    public HierarchicalXcRanking Ranking { get; init; } = HierarchicalXcRanking.BestFirst;

    /// <summary>Seed of the autoencoder and of each node classifier's shuffles.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public HierarchicalXcOptions Validate()
    {
        if (!Enum.IsDefined(Distance)) throw new ArgumentException($"unknown co-occurrence distance {Distance}");
        if (!Enum.IsDefined(Linkage)) throw new ArgumentException($"unknown linkage {Linkage}");
        if (!Enum.IsDefined(Ranking)) throw new ArgumentException($"unknown ranking {Ranking}");
        if (AutoencoderDimension < 0) throw new ArgumentException($"autoencoder dimension must be 0 (none) or positive, got {AutoencoderDimension}");
        if (AutoencoderEpochs < 1) throw new ArgumentException($"autoencoder epochs must be at least 1, got {AutoencoderEpochs}");
        if (AutoencoderBatchSize < 1) throw new ArgumentException($"autoencoder batch size must be at least 1, got {AutoencoderBatchSize}");
        if (!(AutoencoderLearningRate > 0) || !float.IsFinite(AutoencoderLearningRate))
            throw new ArgumentException($"autoencoder learning rate must be positive, got {AutoencoderLearningRate}");
        (NodeClassifier ?? throw new ArgumentException("NodeClassifier options are missing")).Validate();
        return this;
    }
}
