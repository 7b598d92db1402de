using XcNotebooks.Compute;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// Settings of a DSNC run (Gerald, Baskiotis, Denoyer, Léon 2019). The paper fixes the model's shape (an encoder
/// from sparse features to m stochastic bits, straight-through gradients, a learned decoder trained with
/// cross-entropy) but its summary gives no sizes; the defaults here are ours: a linear encoder (the code layer is
/// the first layer, so encoding costs as much as W-LTLS's edge predictors at equal bits), a linear decoder,
/// m = 32 bits, Adam with step 0.03 (1e-3 and 0.01 learn a
/// linear encoder more slowly and less well on sector and on the synthetic default), batches of 64, 20 epochs. Immutable; serialisable to JSON.
/// </summary>
public sealed record DsncOptions
{
    /// <summary>Code length m (1..64; the paper uses a few times log2 K).</summary>
    public int CodeBits { get; init; } = 32;

    /// <summary>Hidden layer sizes of the encoder before the code layer (empty: a linear encoder), ReLU between them.</summary>
    public IReadOnlyList<int> EncoderHidden { get; init; } = [];

    /// <summary>Hidden layer sizes of the decoder from the code to the class scores (empty: linear), ReLU between them.</summary>
    public IReadOnlyList<int> DecoderHidden { get; init; } = [];

    /// <summary>How gradients cross the sampled bits.</summary>
    public BinaryGradientEstimator Estimator { get; init; } = BinaryGradientEstimator.StraightThrough;

    /// <summary>REINFORCE only: decay of the moving average of the batch loss used as the baseline.</summary>
    public float ReinforceBaselineDecay { get; init; } = 0.9f;

    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Points per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam step size.</summary>
    public float LearningRate { get; init; } = 0.03f;

    /// <summary>Decoupled weight decay (AdamW; 0: plain Adam).</summary>
    public float WeightDecay { get; init; }

    /// <summary>With a heldout split, keep the epoch of best validation accuracy (learned decoder) rather than the last.</summary>
    public bool KeepBestEpoch { get; init; } = true;

    /// <summary>Neighbour order of the code lookup.</summary>
    public NeighbourOrder LookupOrder { get; init; } = NeighbourOrder.HammingThenConfidence;

    /// <summary>
    /// Neighbours a lookup probes before it falls back to scanning the code table. The answer does not depend on it
    /// (the scan returns what the unbounded search would); it bounds the cost of a point whose code is far from every
    /// class code.
    /// </summary>
    public int MaxNeighbours { get; init; } = 256;

    /// <summary>Compute backend of training and prediction (Auto: ILGPU on a GPU, else the CPU backend).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>Seed of the initial weights, shuffles and code samples.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options; returns them.</summary>
    public DsncOptions Validate()
    {
        if (CodeBits < 1 || CodeBits > BinaryCodeTable.MaxBits)
            throw new ArgumentException($"code length must be between 1 and {BinaryCodeTable.MaxBits} bits, got {CodeBits}");
        if (EncoderHidden is null || EncoderHidden.Any(h => h < 1)) throw new ArgumentException("encoder hidden sizes must be positive");
        if (DecoderHidden is null || DecoderHidden.Any(h => h < 1)) throw new ArgumentException("decoder hidden sizes must be positive");
        if (!Enum.IsDefined(Estimator)) throw new ArgumentException($"unknown gradient estimator {Estimator}");
        if (!(ReinforceBaselineDecay >= 0 && ReinforceBaselineDecay < 1))
            throw new ArgumentException($"the REINFORCE baseline decay must be in [0, 1), got {ReinforceBaselineDecay}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"weight decay must be non-negative, got {WeightDecay}");
        if (!Enum.IsDefined(LookupOrder)) throw new ArgumentException($"unknown neighbour order {LookupOrder}");
        if (MaxNeighbours < 0) throw new ArgumentException($"the neighbour cap must be non-negative, got {MaxNeighbours}");
        if (!Enum.IsDefined(Backend)) throw new ArgumentException($"unknown backend {Backend}");
        return this;
    }
}
