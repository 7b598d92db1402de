using XcNotebooks.Compute;
using XcNotebooks.Methods.TwoTower;

namespace XcNotebooks.Methods.Dexml;

/// <summary>Which labels each training step scores the batch's queries against (DEXML's <c>net</c> / <c>neg_type</c>).</summary>
public enum DexmlNegatives
{
    /// <summary>Every label (DEXML's <c>dist-de-all</c>): the loss sees the whole label pool, through gradient caching.</summary>
    AllLabels,
    /// <summary>The union of one sampled positive per point of the batch.</summary>
    InBatch,
    /// <summary>
    /// In-batch until <see cref="DexmlOptions.HardNegativeStart"/>, then the batch's sampled positives plus labels drawn
    /// from each point's shortlist of nearest wrong labels, refreshed every <see cref="DexmlOptions.HardNegativeRefresh"/> epochs
    /// (DEXML's <c>dist-de-hnm</c>).
    /// </summary>
    HardMined,
    /// <summary>
    /// <see cref="AllLabels"/> up to <see cref="DexmlOptions.AllLabelsUpTo"/> labels, <see cref="HardMined"/> beyond: every
    /// step of an all-label pool encodes every label text forwards and backwards, so its cost grows with L (16,897
    /// WordNet classes: hours per run on 2 cores), while a hard-mined pool stays about twice the batch.
    /// </summary>
    Auto,
}

/// <summary>
/// The objective of one step: the loss, the temperature τ that divides the similarities (scores are cos(q, l)/τ: the
/// encoders' embeddings are unit norm, so dot product and cosine coincide, DEXML's <c>norm_embs</c>), and the
/// SoftTop-k settings.
/// </summary>
/// <param name="Loss">Softmax, DecoupledSoftmax or SoftTop-k.</param>
/// <param name="Temperature">τ (DEXML: 0.05 with unit-norm embeddings).</param>
/// <param name="SoftTopk">K, α and bisection steps of <see cref="DexmlLoss.SoftTopk"/>.</param>
public sealed record DexmlObjective(DexmlLoss Loss, float Temperature, SoftTopkOptions SoftTopk)
{
    /// <summary>Checks the values; returns this.</summary>
    public DexmlObjective Validate()
    {
        if (!(Temperature > 0) || float.IsInfinity(Temperature)) throw new ArgumentException($"temperature must be positive, got {Temperature}");
        ArgumentNullException.ThrowIfNull(SoftTopk);
        SoftTopk.Validate();
        return this;
    }
}

/// <summary>
/// DEXML settings. The defaults follow the authors' EURLex-4K configuration (unit-norm embeddings, τ = 0.05,
/// DecoupledSoftmax with one sampled positive per query, every label in the loss through gradient caching, AdamW with
/// weight decay 0.01 and 10% linear warm-up; SoftTop-k with K = 5, α = 2, 32 bisection steps; hard negatives from a
/// shortlist of 100 refreshed every 5 epochs), scaled to CPU-sized data and an encoder trained from scratch: DistilBERT
/// becomes DEXA's bag of embeddings (d = 256), 100 epochs become 30, batch 512 becomes 256, the gradient-cache chunk
/// 4,096 becomes 1,024 labels, and the learning rate for training from scratch is 2e-3 instead of 5e-5 for fine-tuning.
/// Every label is in the loss up to <see cref="AllLabelsUpTo"/> labels (the authors' EURLex-4K setting); above it the
/// pool is hard-mined (<see cref="DexmlNegatives.Auto"/>), which keeps a step's cost independent of the label count.
/// </summary>
public sealed record DexmlOptions : SiameseTextOptions
{
    // ---- objective -----------------------------------------------------------------------------------------------

    /// <summary>The loss.</summary>
    public DexmlLoss Loss { get; init; } = DexmlLoss.DecoupledSoftmax;

    /// <summary>τ: scores are cos(q, l)/τ.</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>SoftTop-k settings.</summary>
    public SoftTopkOptions SoftTopk { get; init; } = new();

    /// <summary>
    /// Sample the targets (DEXML's <c>loss_sample</c>): one positive per query (∝ relevance) for the softmax losses,
    /// min(K, |P|) without replacement for SoftTop-k. False: every positive is a target.
    /// </summary>
    public bool SamplePositives { get; init; } = true;

    /// <summary>The label pool of each step.</summary>
    public DexmlNegatives Negatives { get; init; } = DexmlNegatives.Auto;

    /// <summary>
    /// With <see cref="DexmlNegatives.Auto"/>, the most labels scored whole at every step (DEXML's all-label setting,
    /// which its authors ran on EURLex-4K's 3,993 labels); larger label sets take hard-mined pools.
    /// </summary>
    public int AllLabelsUpTo { get; init; } = 4096;

    /// <summary>The pool <see cref="Negatives"/> gives a data set of <paramref name="numLabels"/> labels (<see cref="DexmlNegatives.Auto"/> resolved).</summary>
    public DexmlNegatives NegativesFor(int numLabels) =>
        Negatives != DexmlNegatives.Auto ? Negatives : numLabels <= AllLabelsUpTo ? DexmlNegatives.AllLabels : DexmlNegatives.HardMined;

    /// <summary>Nearest wrong labels kept per training point for <see cref="DexmlNegatives.HardMined"/> (DEXML: 100).</summary>
    public int HardNegativeShortlist { get; init; } = 100;

    /// <summary>Shortlist labels drawn per point and step (DEXML: 1, 5 for Wikipedia-500K).</summary>
    public int HardNegativesPerPoint { get; init; } = 1;

    /// <summary>First epoch with hard negatives (earlier epochs are in-batch; DEXML: 5).</summary>
    public int HardNegativeStart { get; init; } = 5;

    /// <summary>Shortlists are rebuilt every this many epochs from <see cref="HardNegativeStart"/> on (DEXML: 5).</summary>
    public int HardNegativeRefresh { get; init; } = 5;

    // ---- optimisation --------------------------------------------------------------------------------------------

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Queries per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Peak learning rate (AdamW).</summary>
    public float LearningRate { get; init; } = 2e-3f;

    /// <summary>Share of the steps spent warming the learning rate up linearly (then linear decay to 0).</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Decoupled weight decay (not on biases and norms).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>
    /// Gradient caching: embed the pool in chunks without activations, take the loss gradient w.r.t. the label
    /// embeddings, then re-embed chunk by chunk and back-propagate it. False: one pass over the whole pool with its
    /// activations (the same gradients, memory growing with the pool).
    /// </summary>
    public bool GradientCaching { get; init; } = true;

    /// <summary>Labels per gradient-cache chunk (DEXML's <c>gc_bsz</c>).</summary>
    public int GradientCacheChunk { get; init; } = 1024;

    /// <summary>Epochs between measurements of the heldout split's P@1 (logged, and kept in the model's history; 0: never).</summary>
    public int EvaluateEvery { get; init; } = 5;

    // ---- inference -----------------------------------------------------------------------------------------------

    /// <summary>Texts encoded per chunk at inference.</summary>
    public int EncodeChunk { get; init; } = 512;

    /// <summary>Predictions retrieved per point before a filter removes pairs (DEXML's <c>eval_topk</c>: 100).</summary>
    public int RetrieveBeforeFilter { get; init; } = 100;

    /// <summary>Propensity parameter A (PSP in reports).</summary>
    public double PropensityA { get; init; } = 0.55;

    /// <summary>Propensity parameter B.</summary>
    public double PropensityB { get; init; } = 1.5;

    /// <summary>Where tensors live (Auto: a GPU when present).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>Seed of every random step (initial weights, shuffles, sampled positives, hard negatives).</summary>
    public int Seed { get; init; }

    /// <summary>The loss, temperature and SoftTop-k settings as one step's objective.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DexmlObjective Objective => new(Loss, Temperature, SoftTopk);

    /// <summary>Checks the values; returns this.</summary>
    public DexmlOptions Validate()
    {
        Objective.Validate();
        if (Epochs < 0) throw new ArgumentException($"epochs must be 0 or more, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"warm-up fraction must be in [0, 1), got {WarmupFraction}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"weight decay must be 0 or more, got {WeightDecay}");
        if (GradientCacheChunk < 1) throw new ArgumentException($"gradient-cache chunk must be positive, got {GradientCacheChunk}");
        if (EncodeChunk < 1) throw new ArgumentException($"encode chunk must be positive, got {EncodeChunk}");
        if (RetrieveBeforeFilter < 1) throw new ArgumentException($"retrieval depth must be positive, got {RetrieveBeforeFilter}");
        if (EvaluateEvery < 0) throw new ArgumentException($"evaluation interval must be 0 or more, got {EvaluateEvery}");
        ValidateText();
        if (HardNegativeShortlist < 1 || HardNegativesPerPoint < 1)
            throw new ArgumentException($"hard negatives: shortlist and draws per point must be positive, got {HardNegativeShortlist} and {HardNegativesPerPoint}");
        if (AllLabelsUpTo < 0) throw new ArgumentException($"all-label pools: the label count must be 0 or more, got {AllLabelsUpTo}");
        if (!Enum.IsDefined(Negatives)) throw new ArgumentException($"unknown label pool {Negatives}");
        if (HardNegativeStart < 0 || HardNegativeRefresh < 1)
            throw new ArgumentException($"hard negatives: start must be 0 or more and refresh positive, got {HardNegativeStart} and {HardNegativeRefresh}");
        if (Encoder == TextEncoderKind.Onnx) throw new ArgumentException("DEXML trains its encoder: use the bag-of-embeddings or transformer encoder (ONNX encoders are frozen)");
        return this;
    }
}
