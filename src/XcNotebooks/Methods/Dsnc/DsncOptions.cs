using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>Which of DSNC's two sets of settings fills the options left at 0 (or null): see <see cref="DsncOptions.Resolve"/>.</summary>
public enum DsncProfile
{
    /// <summary>
    /// <see cref="Dense"/> when the training features are dense and low-dimensional (<see cref="DsncOptions.IsDenseInput"/>:
    /// at most 10,000 features and on average at least half of them non-zero in a point), else <see cref="Sparse"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// Sparse high-dimensional input (text): a linear encoder, m = 32 bits, Adam 0.03, batches of 64, 20 epochs (the
    /// kit's first defaults, measured on sector and the synthetic default).
    /// </summary>
    Sparse,

    /// <summary>
    /// Dense low-dimensional input (image or signal descriptors): one hidden ReLU layer of 512 units in the encoder,
    /// m = 64 bits, Adam 0.003, batches of 32, 100 epochs or at least 12,000 updates (<see cref="DsncOptions.DenseEpochs"/>; measured on ImCLEF07A and Diatoms against an MLP classifier,
    /// benchmarks/results/dsnc-dense-cpu.md). A linear encoder underfits there: a code bit is then a linear threshold
    /// of a few dozen features, and small training sets take few updates per epoch.
    /// </summary>
    Dense,
}

/// <summary>
/// Settings of a DSNC run (Gerald, Baskiotis, Denoyer, Léon 2019). The paper fixes the model's shape (an encoder
/// from features to m stochastic bits, straight-through gradients, a learned decoder trained with cross-entropy) but
/// its summary gives no sizes; the defaults here are ours and depend on the input (<see cref="Profile"/>): the code
/// length, encoder, learning rate, batch size and epochs left at 0 (encoder: null) take the values of the
/// <see cref="DsncProfile.Sparse"/> profile on sparse high-dimensional data (a linear encoder, so encoding costs as
/// much as W-LTLS's edge predictors at equal bits; m = 32; Adam 0.03, as 1e-3 and 0.01 learn a linear encoder more
/// slowly and less well on sector and the synthetic default; batches of 64; 20 epochs) and of the
/// <see cref="DsncProfile.Dense"/> profile on dense low-dimensional data; a value set explicitly is kept.
/// <see cref="Resolve"/> gives the values a run uses (a trained model's <c>Options</c> are resolved). Immutable;
/// serialisable to JSON.
/// </summary>
public sealed record DsncOptions
{
    /// <summary>Which settings fill the options left at 0: auto (by the input's density and dimension), sparse or dense.</summary>
    public DsncProfile Profile { get; init; } = DsncProfile.Auto;

    /// <summary>Code length m (1..64; the paper uses a few times log2 K); 0: the profile's (sparse 32, dense 64).</summary>
    public int CodeBits { get; init; }

    /// <summary>
    /// Hidden layer sizes of the encoder before the code layer (empty: a linear encoder), ReLU between them; unset: the
    /// profile's (sparse none, dense [512]).
    /// </summary>
    public IReadOnlyList<int>? EncoderHidden { get; init; }

    /// <summary>Hidden layer sizes of the decoder from the code to the class scores (empty: linear), ReLU between them.</summary>
    public IReadOnlyList<int> DecoderHidden { get; init; } = [];

    /// <summary>
    /// Least number of classes at which a linear decoder trains by sampled softmax (<see cref="NegativeSamples"/>
    /// drawn classes plus the batch's own, logQ-corrected) instead of the dense softmax over all classes, whose cost
    /// per step (batch x m x K, and an Adam step over all m x K weights) dominates DSNC's training from about 10^4
    /// classes on (benchmarks/results/scale-cpu.md). 0: never. Below it the model is what it always was (same seed,
    /// same weights); a decoder with hidden layers always uses the dense softmax.
    /// </summary>
    public int SampledSoftmaxMinClasses { get; init; } = 20_000;

    /// <summary>Classes drawn per step by the sampled softmax (<see cref="SampledSoftmaxMinClasses"/>); at least the class count makes it exact.</summary>
    public int NegativeSamples { get; init; } = 1024;

    /// <summary>True when a run with <paramref name="classes"/> classes trains its decoder by sampled softmax.</summary>
    public bool UsesSampledSoftmax(int classes) =>
        DecoderHidden.Count == 0 && SampledSoftmaxMinClasses > 0 && classes >= SampledSoftmaxMinClasses;

    /// <summary>How gradients cross the sampled bits.</summary>
    public BinaryGradientEstimator Estimator { get; init; } = BinaryGradientEstimator.StraightThrough;

    /// <summary>REINFORCE only: decay of the moving average of the batch loss used as the baseline.</summary>
    public float ReinforceBaselineDecay { get; init; } = 0.9f;

    /// <summary>Training epochs; 0: the profile's (sparse 20, dense 100 or at least 12,000 updates).</summary>
    public int Epochs { get; init; }

    /// <summary>Points per mini-batch; 0: the profile's (sparse 64, dense 32).</summary>
    public int BatchSize { get; init; }

    /// <summary>Adam step size; 0: the profile's (sparse 0.03, dense 0.003).</summary>
    public float LearningRate { get; init; }

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

    /// <summary>
    /// The sparse profile's settings, written out: a linear encoder, m = 32, Adam 0.03, batches of 64, 20 epochs (the
    /// kit's defaults before they depended on the input, what `xcn dsnc --profile sparse` runs).
    /// </summary>
    public static DsncOptions LinearEncoder { get; } = new()
    {
        Profile = DsncProfile.Sparse, CodeBits = 32, EncoderHidden = [], LearningRate = 0.03f, BatchSize = 64, Epochs = 20,
    };

    /// <summary>
    /// The dense profile's settings, written out for a training set of at least 3,840 points (where 100 epochs make
    /// 12,000 updates): encoder [512], m = 64, Adam 0.003, batches of 32, 100 epochs. <c>new DsncOptions { Profile =
    /// DsncProfile.Dense }</c> gives a smaller set more epochs (<see cref="DenseEpochs"/>).
    /// </summary>
    public static DsncOptions DenseInput { get; } = new()
    {
        Profile = DsncProfile.Dense, CodeBits = 64, EncoderHidden = [512], LearningRate = 0.003f, BatchSize = 32, Epochs = 100,
    };

    /// <summary>Most features an input may have to count as low-dimensional.</summary>
    public const int DenseMaxFeatures = 10_000;

    /// <summary>Least mean share of non-zero features per point for an input to count as dense.</summary>
    public const double DenseMinDensity = 0.5;

    /// <summary>
    /// The rule of <see cref="DsncProfile.Auto"/>: dense and low-dimensional means at most <see cref="DenseMaxFeatures"/>
    /// features and, on average, at least <see cref="DenseMinDensity"/> of them non-zero in a point.
    /// </summary>
    public static bool IsDenseInput(int features, double meanNonZerosPerPoint) =>
        features >= 1 && features <= DenseMaxFeatures && meanNonZerosPerPoint >= DenseMinDensity * features;

    /// <summary>The profile <see cref="DsncProfile.Auto"/> picks for these training features.</summary>
    public static DsncProfile ProfileFor(CsrMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return IsDenseInput(features.Cols, features.Rows == 0 ? 0 : (double)features.NonZeros / features.Rows) ? DsncProfile.Dense : DsncProfile.Sparse;
    }

    /// <summary>Least number of Adam updates of the dense profile: a small training set gets more than 100 epochs.</summary>
    public const int DenseMinUpdates = 12_000;

    /// <summary>
    /// The dense profile's epochs for <paramref name="points"/> training points in batches of <paramref name="batchSize"/>:
    /// 100, or enough for <see cref="DenseMinUpdates"/> updates when that takes more (Diatoms, 1,859 points: 204).
    /// </summary>
    public static int DenseEpochs(int points, int batchSize)
    {
        int batches = Math.Max(1, (points + Math.Max(1, batchSize) - 1) / Math.Max(1, batchSize));
        return Math.Max(DenseInput.Epochs, (DenseMinUpdates + batches - 1) / batches);
    }

    /// <summary>True when every setting a profile fills is set, as in the options a run uses (and a model file holds).</summary>
    public bool IsResolved => CodeBits > 0 && EncoderHidden is not null && Epochs > 0 && BatchSize > 0 && LearningRate > 0;

    /// <summary>
    /// The options a run on <paramref name="trainFeatures"/> uses: the profile (Auto: by <see cref="IsDenseInput"/>)
    /// fills every setting left at 0 (encoder: null); explicit values are kept.
    /// </summary>
    public DsncOptions Resolve(CsrMatrix trainFeatures)
    {
        ArgumentNullException.ThrowIfNull(trainFeatures);
        var profile = Profile == DsncProfile.Auto ? ProfileFor(trainFeatures) : Profile;
        var values = profile == DsncProfile.Dense ? DenseInput : LinearEncoder;
        return this with
        {
            Profile = profile,
            CodeBits = CodeBits > 0 ? CodeBits : values.CodeBits,
            EncoderHidden = EncoderHidden ?? values.EncoderHidden,
            Epochs = Epochs > 0 ? Epochs : profile == DsncProfile.Dense ? DenseEpochs(trainFeatures.Rows, BatchSize > 0 ? BatchSize : values.BatchSize) : values.Epochs,
            BatchSize = BatchSize > 0 ? BatchSize : values.BatchSize,
            LearningRate = LearningRate > 0 ? LearningRate : values.LearningRate,
        };
    }

    /// <summary>Checks the options; returns them.</summary>
    public DsncOptions Validate()
    {
        if (!Enum.IsDefined(Profile)) throw new ArgumentException($"unknown profile {Profile}");
        if (CodeBits < 0 || CodeBits > BinaryCodeTable.MaxBits)
            throw new ArgumentException($"code length must be between 1 and {BinaryCodeTable.MaxBits} bits (0: the profile's), got {CodeBits}");
        if (EncoderHidden is not null && EncoderHidden.Any(h => h < 1)) throw new ArgumentException("encoder hidden sizes must be positive");
        if (DecoderHidden is null || DecoderHidden.Any(h => h < 1)) throw new ArgumentException("decoder hidden sizes must be positive");
        if (!Enum.IsDefined(Estimator)) throw new ArgumentException($"unknown gradient estimator {Estimator}");
        if (!(ReinforceBaselineDecay >= 0 && ReinforceBaselineDecay < 1))
            throw new ArgumentException($"the REINFORCE baseline decay must be in [0, 1), got {ReinforceBaselineDecay}");
        if (Epochs < 0) throw new ArgumentException($"epochs must be at least 1 (0: the profile's), got {Epochs}");
        if (BatchSize < 0) throw new ArgumentException($"batch size must be positive (0: the profile's), got {BatchSize}");
        if (!(LearningRate >= 0) || !float.IsFinite(LearningRate))
            throw new ArgumentException($"learning rate must be positive (0: the profile's), got {LearningRate}");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"weight decay must be non-negative, got {WeightDecay}");
        if (SampledSoftmaxMinClasses < 0) throw new ArgumentException($"the sampled-softmax class threshold must be non-negative (0: never), got {SampledSoftmaxMinClasses}");
        if (NegativeSamples < 1) throw new ArgumentException($"negative samples must be positive, got {NegativeSamples}");
        if (!Enum.IsDefined(LookupOrder)) throw new ArgumentException($"unknown neighbour order {LookupOrder}");
        if (MaxNeighbours < 0) throw new ArgumentException($"the neighbour cap must be non-negative, got {MaxNeighbours}");
        if (!Enum.IsDefined(Backend)) throw new ArgumentException($"unknown backend {Backend}");
        return this;
    }
}
