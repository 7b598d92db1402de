using System.Text.Json.Serialization;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Text;
using XcNotebooks.Methods.TwoTower;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// DEXA settings. The defaults follow the authors' LF-AmazonTitles-131K configuration, scaled to CPU-sized data
/// sets and encoders trained from scratch: the paper's 300 M1 epochs with clusters growing at epochs
/// 10/25/50/.../200 become 40 epochs with clusters growing at 3/8/16/24/32; batch 1,600 becomes 256; 65,536 tail
/// vectors for 131K labels (two labels per vector) become (L − H)/2 rounded up to a power of two, and the 1,000 head
/// vectors H = ⌈L/100⌉; the learning rate for an encoder trained from scratch is 2e-3 instead of 2e-4 for fine-tuning.
/// </summary>
public sealed record DexaOptions : SiameseTextOptions
{
    // ---- auxiliary vectors ---------------------------------------------------------------------------------------

    /// <summary>Add auxiliary vectors to the label side (false: NGAME's M1, the "encoder only" ablation).</summary>
    public bool Auxiliary { get; init; } = true;

    /// <summary>Vectors owned by one head label each (null: ⌈L/100⌉; DEXA: 1,000 of 131K).</summary>
    public int? AuxiliaryHeadVectors { get; init; }

    /// <summary>Vectors shared by clusters of tail labels, a power of two (null: (L − H)/2 rounded up to a power of two).</summary>
    public int? AuxiliaryClusterVectors { get; init; }

    // ---- M1: encoder and auxiliary vectors ---------------------------------------------------------------------------

    /// <summary>M1 epochs.</summary>
    public int EncoderEpochs { get; init; } = 40;

    /// <summary>M1 batch size (documents, each with one sampled positive label).</summary>
    public int EncoderBatchSize { get; init; } = 256;

    /// <summary>M1 peak learning rate (AdamW).</summary>
    public float EncoderLearningRate { get; init; } = 2e-3f;

    /// <summary>M1 linear warm-up steps.</summary>
    public int EncoderWarmupSteps { get; init; } = 100;

    /// <summary>M1 weight decay (not on biases, norms or auxiliary vectors).</summary>
    public float EncoderWeightDecay { get; init; } = 0.01f;

    /// <summary>M1 loss.</summary>
    public InBatchTripletOptions EncoderLoss { get; init; } = new();

    /// <summary>M1 clustering curriculum (DEXA: clusters of 4, growing at 10, 25, 50, ... of 300 epochs, refresh every 5).</summary>
    public NgameCurriculum EncoderCurriculum { get; init; } = new(4, [3, 8, 16, 24, 32], 2);

    // ---- M-IV: classifiers ---------------------------------------------------------------------------------------

    /// <summary>Train one-vs-all classifiers after M1 (the "+ classifier" stage).</summary>
    public bool Classifiers { get; init; } = true;

    /// <summary>M-IV epochs.</summary>
    public int ClassifierEpochs { get; init; } = 30;

    /// <summary>M-IV batch size.</summary>
    public int ClassifierBatchSize { get; init; } = 512;

    /// <summary>M-IV peak learning rate (lazy Adam on the classifier rows of the batch's labels).</summary>
    public float ClassifierLearningRate { get; init; } = 1e-3f;

    /// <summary>M-IV linear warm-up steps.</summary>
    public int ClassifierWarmupSteps { get; init; } = 50;

    /// <summary>M-IV loss.</summary>
    public MultiPositiveTripletOptions ClassifierLoss { get; init; } = new();

    /// <summary>Dropout on the frozen document embeddings during M-IV.</summary>
    public float DocumentDropout { get; init; } = 0.5f;

    /// <summary>M-IV clustering curriculum (DEXA: clusters of 32, doubling once at epoch 20 of 100, refresh every 5).</summary>
    public NgameCurriculum ClassifierCurriculum { get; init; } = new(32, [6], 2);

    // ---- prediction ----------------------------------------------------------------------------------------------

    /// <summary>Labels retrieved from each index (label embeddings, classifiers) per point (DEXA: 300).</summary>
    public int ShortlistSize { get; init; } = 100;

    /// <summary>How the two shortlists are fused.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>
    /// Fuse a sparse score with the dense ones: the cosine of a text's TF-IDF row and its label's TF-IDF centroid
    /// (<see cref="TfidfCentroids"/>, fitted in the M-IV stage on the training and label texts), a fourth feature of
    /// the fusion tree and a term γ S_sp of the fused score (<see cref="FusionOptions.SparseWeight"/>).
    /// </summary>
    public bool SparseScores { get; init; } = true;

    /// <summary>Weight of the label text's TF-IDF row in its label's centroid (beside the sum of its training rows).</summary>
    public double SparseLabelTextWeight { get; init; } = 1.0;

    /// <summary>Propensity parameter A (fusion feature and PSP).</summary>
    public double PropensityA { get; init; } = 0.55;

    /// <summary>Propensity parameter B.</summary>
    public double PropensityB { get; init; } = 1.5;

    /// <summary>Texts encoded per chunk at inference.</summary>
    public int EncodeChunk { get; init; } = 512;

    /// <summary>Where tensors live (Auto: a GPU when present).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>Seed of every random step (initial weights, positives, clusters, dropout, fusion sample).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// (point, label) pairs removed from the fusion's fitting shortlists: the filter of the points the fusion is
    /// fitted on (an LF-* directory's filter_labels_train.txt when there is no heldout split). Not written to JSON
    /// (reports, model files): it belongs to the data.
    /// </summary>
    [JsonIgnore]
    public LabelFilter? FusionFilter { get; init; }

    /// <summary>Checks the values; returns this.</summary>
    public DexaOptions Validate()
    {
        if (EncoderEpochs < 0 || ClassifierEpochs < 0) throw new ArgumentException("epochs must be 0 or more");
        if (EncoderBatchSize < 2) throw new ArgumentException($"M1 batch size must be at least 2 (in-batch negatives), got {EncoderBatchSize}");
        if (ClassifierBatchSize < 1) throw new ArgumentException($"M-IV batch size must be positive, got {ClassifierBatchSize}");
        if (!(EncoderLearningRate > 0) || !(ClassifierLearningRate > 0)) throw new ArgumentException("learning rates must be positive");
        if (!(SparseLabelTextWeight >= 0) || double.IsInfinity(SparseLabelTextWeight))
            throw new ArgumentException($"the sparse label text weight must be finite and 0 or more, got {SparseLabelTextWeight}");
        if (ShortlistSize < 1) throw new ArgumentException($"shortlist size must be positive, got {ShortlistSize}");
        if (!(DocumentDropout >= 0 && DocumentDropout < 1)) throw new ArgumentException($"document dropout must be in [0, 1), got {DocumentDropout}");
        ValidateText();
        if (AuxiliaryHeadVectors is < 0) throw new ArgumentException($"head vectors must be 0 or more, got {AuxiliaryHeadVectors}");
        if (AuxiliaryClusterVectors is { } c && (c < 1 || (c & (c - 1)) != 0))
            throw new ArgumentException($"cluster vectors must be a power of two, got {c}");
        if (Encoder == TextEncoderKind.Onnx && (OnnxModel is null || Tokenizer != TextTokenizerKind.WordPiece))
            throw new ArgumentException("an ONNX encoder needs OnnxModel and the WordPiece tokenizer with the model's vocabulary (WordPieceVocabulary)");
        EncoderCurriculum.Validate();
        ClassifierCurriculum.Validate();
        return this;
    }
}
