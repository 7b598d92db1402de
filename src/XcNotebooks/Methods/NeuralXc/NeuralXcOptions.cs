using XcNotebooks.Compute;
using XcNotebooks.Neural;

namespace XcNotebooks.Methods.NeuralXc;

/// <summary>
/// The layer sizes of the five NeuralXC blocks, each list from its input width to its output width:
/// input encoder φ_i (D … e_x), input decoder ψ_i (e_x … D), label encoder φ_o (L … e_y), label decoder ψ_o
/// (e_y … L) and regressor f (e_x … e_y). Every step is a Linear layer with bias.
/// </summary>
public sealed record NeuralXcArchitecture(
    IReadOnlyList<int> InputEncoder,
    IReadOnlyList<int> InputDecoder,
    IReadOnlyList<int> LabelEncoder,
    IReadOnlyList<int> LabelDecoder,
    IReadOnlyList<int> Regressor)
{
    /// <summary>The authors' Bibtex setup (D = 1836, L = 159; setups/bibtex/*.yml).</summary>
    public static NeuralXcArchitecture Bibtex { get; } = new([1836, 1152, 600, 256], [256, 600, 1152, 1836], [159, 96, 32], [32, 96, 159], [256, 112, 32]);

    /// <summary>Input code width e_x.</summary>
    public int InputCode => InputEncoder[^1];

    /// <summary>Label code width e_y.</summary>
    public int LabelCode => LabelEncoder[^1];

    /// <summary>
    /// The Bibtex shape scaled to <paramref name="features"/> and <paramref name="labels"/>: hidden and code widths are
    /// the same fractions of D and L as 1152/600/256 of 1836 and 96/32 of 159, the regressor's hidden width the same
    /// fraction of e_x + e_y as 112 of 256 + 32; decoders mirror encoders. Widths are at least 2 and at most
    /// <paramref name="maxWidth"/> (keeps the hidden layers bounded when D is large). Bibtex itself gets exactly
    /// <see cref="Bibtex"/>.
    /// </summary>
    public static NeuralXcArchitecture Scaled(int features, int labels, int maxWidth = 4096)
    {
        if (features < 1 || labels < 1) throw new ArgumentException($"need at least one feature and one label, got D = {features}, L = {labels}");
        if (maxWidth < 2) throw new ArgumentException($"maxWidth must be at least 2, got {maxWidth}");
        int Width(double value) => Math.Clamp((int)Math.Round(value), 2, maxWidth);
        int[] input = [Width(features * 1152.0 / 1836), Width(features * 600.0 / 1836), Width(features * 256.0 / 1836)];
        int[] label = [Width(labels * 96.0 / 159), Width(labels * 32.0 / 159)];
        int regressorHidden = Width((input[^1] + label[^1]) * 112.0 / 288);
        return Build(features, labels, input, null, label, null, [regressorHidden]);
    }

    /// <summary>
    /// Sizes from the widths after the input of each block: <paramref name="inputEncoder"/> = hidden widths then e_x;
    /// <paramref name="labelEncoder"/> = hidden widths then e_y; decoders' hidden widths (null: the encoder's in
    /// reverse); the regressor's hidden widths (may be empty).
    /// </summary>
    public static NeuralXcArchitecture Build(int features, int labels, IReadOnlyList<int> inputEncoder, IReadOnlyList<int>? inputDecoderHidden,
        IReadOnlyList<int> labelEncoder, IReadOnlyList<int>? labelDecoderHidden, IReadOnlyList<int> regressorHidden)
    {
        if (inputEncoder.Count == 0) throw new ArgumentException("the input encoder needs at least the code width");
        if (labelEncoder.Count == 0) throw new ArgumentException("the label encoder needs at least the code width");
        int ex = inputEncoder[^1], ey = labelEncoder[^1];
        var inputDecoder = inputDecoderHidden ?? inputEncoder.Take(inputEncoder.Count - 1).Reverse().ToArray();
        var labelDecoder = labelDecoderHidden ?? labelEncoder.Take(labelEncoder.Count - 1).Reverse().ToArray();
        return new NeuralXcArchitecture(
            [features, .. inputEncoder],
            [ex, .. inputDecoder, features],
            [labels, .. labelEncoder],
            [ey, .. labelDecoder, labels],
            [ex, .. regressorHidden, ey]).Validate(features, labels);
    }

    /// <summary>Checks that the blocks chain (D → e_x → D, L → e_y → L, e_x → e_y) and that every width is positive.</summary>
    public NeuralXcArchitecture Validate(int features, int labels)
    {
        foreach (var (block, sizes) in Blocks)
        {
            if (sizes is null || sizes.Count < 2) throw new ArgumentException($"{block}: needs at least an input and an output width");
            if (sizes.Any(s => s < 1)) throw new ArgumentException($"{block}: widths must be positive, got [{Join(sizes)}]");
        }
        void Chain(string block, IReadOnlyList<int> sizes, int from, int to)
        {
            if (sizes[0] != from || sizes[^1] != to)
                throw new ArgumentException($"{block}: runs {sizes[0]} → {sizes[^1]}, expected {from} → {to}");
        }
        Chain("input encoder", InputEncoder, features, InputCode);
        Chain("input decoder", InputDecoder, InputCode, features);
        Chain("label encoder", LabelEncoder, labels, LabelCode);
        Chain("label decoder", LabelDecoder, LabelCode, labels);
        Chain("regressor", Regressor, InputCode, LabelCode);
        return this;
    }

    /// <summary>The five blocks by name, in the order their parameters are saved.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(string Block, IReadOnlyList<int> Sizes)> Blocks =>
        [("input encoder", InputEncoder), ("input decoder", InputDecoder), ("label encoder", LabelEncoder), ("label decoder", LabelDecoder), ("regressor", Regressor)];

    /// <summary>Number of trainable values (weights and biases of every block).</summary>
    public long ParameterCount =>
        Blocks.Sum(b => Enumerable.Range(0, b.Sizes.Count - 1).Sum(l => (long)(b.Sizes[l] + 1) * b.Sizes[l + 1]));

    /// <summary>E.g. "φ_i 1836-1152-600-256, ψ_i 256-600-1152-1836, φ_o 159-96-32, ψ_o 32-96-159, f 256-112-32".</summary>
    public override string ToString() =>
        $"φ_i {Join(InputEncoder)}, ψ_i {Join(InputDecoder)}, φ_o {Join(LabelEncoder)}, ψ_o {Join(LabelDecoder)}, f {Join(Regressor)}";

    private static string Join(IReadOnlyList<int> sizes) => string.Join("-", sizes);
}

/// <summary>
/// The non-linearities of the five NeuralXC blocks: after every hidden layer of a block, and after its last layer.
/// <see cref="Paper"/> is the authors' Bibtex setup. The label decoder's output is always the sigmoid (its logits
/// feed the classification loss), so it has no entry here.
/// </summary>
public sealed record NeuralXcActivations
{
    /// <summary>φ_i hidden layers (paper: ReLU).</summary>
    public Activation InputEncoderHidden { get; init; } = Activation.Relu;

    /// <summary>φ_i output, the input code (paper: none).</summary>
    public Activation InputCode { get; init; } = Activation.Identity;

    /// <summary>ψ_i hidden layers (paper: LeakyReLU 0.2).</summary>
    public Activation InputDecoderHidden { get; init; } = Activation.LeakyRelu(0.2f);

    /// <summary>ψ_i output, the reconstructed features (paper: sigmoid; Eurlex: ReLU).</summary>
    public Activation InputReconstruction { get; init; } = Activation.Sigmoid;

    /// <summary>φ_o hidden layers (paper: LeakyReLU 0.1).</summary>
    public Activation LabelEncoderHidden { get; init; } = Activation.LeakyRelu(0.1f);

    /// <summary>φ_o output, the label code (paper: tanh).</summary>
    public Activation LabelCode { get; init; } = Activation.Tanh;

    /// <summary>ψ_o hidden layers (paper: ReLU).</summary>
    public Activation LabelDecoderHidden { get; init; } = Activation.Relu;

    /// <summary>f hidden layers (paper: ReLU).</summary>
    public Activation RegressorHidden { get; init; } = Activation.Relu;

    /// <summary>f output, the predicted label code (paper: tanh, like the label code).</summary>
    public Activation RegressorOutput { get; init; } = Activation.Tanh;

    /// <summary>The authors' activations.</summary>
    public static NeuralXcActivations Paper { get; } = new();

    /// <summary>
    /// The authors' activations without the tanh after the regressor: the predicted label code is linear. The
    /// report's tanh saturates on Bibtex and the ranking collapses to label popularity; this variant learns.
    /// </summary>
    public static NeuralXcActivations LinearRegressorOutput { get; } = new() { RegressorOutput = Activation.Identity };

    /// <summary>
    /// The authors' activations with linear codes: neither the label code nor the regressor's output goes through a
    /// tanh, so the regression targets are unbounded.
    /// </summary>
    public static NeuralXcActivations LinearCodes { get; } = new() { LabelCode = Activation.Identity, RegressorOutput = Activation.Identity };
}

/// <summary>
/// Settings of NeuralXC (defaults: the authors' report runs, train_neuralxc_with_args.sh: α = β = 0.01, Adam lr 3e-4 with
/// classic L2 weight decay 1e-4, batch 64, Xavier-uniform weights, seed 1729; the epoch count is not given there, the
/// script's default 10 is used). Immutable; serialisable to JSON.
/// </summary>
public sealed record NeuralXcOptions
{
    /// <summary>Weight α of the input reconstruction loss.</summary>
    public float Alpha { get; init; } = 0.01f;

    /// <summary>Weight β of the label reconstruction loss.</summary>
    public float Beta { get; init; } = 0.01f;

    /// <summary>Passes over the shuffled training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Points per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's step size.</summary>
    public float LearningRate { get; init; } = 3e-4f;

    /// <summary>L2 weight decay added to the gradient (PyTorch's Adam, not AdamW), on weights and biases alike.</summary>
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Initialisation of every weight matrix (biases: PyTorch's default U(±1/√fan_in)).</summary>
    public WeightInit Init { get; init; } = WeightInit.XavierUniform;

    /// <summary>The blocks' non-linearities (default: the authors').</summary>
    public NeuralXcActivations Activations { get; init; } = NeuralXcActivations.Paper;

    /// <summary>Input encoder widths after D (hidden widths, then e_x); null: the Bibtex shape scaled to D.</summary>
    public IReadOnlyList<int>? InputEncoderSizes { get; init; }

    /// <summary>Hidden widths of the input decoder; null: the encoder's hidden widths in reverse.</summary>
    public IReadOnlyList<int>? InputDecoderHiddenSizes { get; init; }

    /// <summary>Label encoder widths after L (hidden widths, then e_y); null: the Bibtex shape scaled to L.</summary>
    public IReadOnlyList<int>? LabelEncoderSizes { get; init; }

    /// <summary>Hidden widths of the label decoder; null: the label encoder's hidden widths in reverse.</summary>
    public IReadOnlyList<int>? LabelDecoderHiddenSizes { get; init; }

    /// <summary>Hidden widths of the regressor (may be empty); null: the Bibtex shape scaled.</summary>
    public IReadOnlyList<int>? RegressorHiddenSizes { get; init; }

    /// <summary>Upper bound on derived (not explicitly given) widths.</summary>
    public int MaxDerivedWidth { get; init; } = 4096;

    /// <summary>
    /// When D or L is above this, the network is built for large data (<see cref="NeuralXcNetwork.Sampled"/>): sparse,
    /// lazily stepped first layers in both encoders, and decoders that compute per batch only its non-zero columns
    /// plus <see cref="SampledFeatures"/> / <see cref="SampledLabels"/> sampled others (an unbiased estimate of the
    /// full reconstruction and classification losses); derived widths are capped at
    /// <see cref="SampledMaxDerivedWidth"/>. At or below it (bibtex, enron), the dense network of the paper.
    /// </summary>
    public int SampledAbove { get; init; } = 4096;

    /// <summary>Large data: features sampled per batch, besides the batch's non-zero ones, for the input reconstruction.</summary>
    public int SampledFeatures { get; init; } = 1024;

    /// <summary>Large data: labels sampled per batch, besides the batch's own, for the label reconstruction and classification.</summary>
    public int SampledLabels { get; init; } = 1024;

    /// <summary>Large data: upper bound on derived widths (the Bibtex shape scaled to D = 70k would be 4,096 wide).</summary>
    public int SampledMaxDerivedWidth { get; init; } = 256;

    /// <summary>Whether data of <paramref name="features"/> features and <paramref name="labels"/> labels gets the sampled network.</summary>
    public bool IsSampled(int features, int labels) => features > SampledAbove || labels > SampledAbove;

    /// <summary>After each epoch, P@k and nDCG@k over the whole training set (the original script's per-epoch line).</summary>
    public bool EvaluateTrainEachEpoch { get; init; } = true;

    /// <summary>
    /// Most training points the per-epoch training figures are computed on: a larger training set is represented by
    /// this many evenly spaced points (bibtex and enron are below it and use every point).
    /// </summary>
    public int MaxTrainEvaluationPoints { get; init; } = 10_000;

    /// <summary>Largest k of the per-epoch metrics.</summary>
    public int EvaluationK { get; init; } = 5;

    /// <summary>Points per prediction batch (the original tests in batches of 1000).</summary>
    public int PredictionBatchSize { get; init; } = 1000;

    /// <summary>Where the tensors live (Auto: a GPU when there is one).</summary>
    public BackendKind Backend { get; init; } = BackendKind.Auto;

    /// <summary>Seed of the initial weights and the per-epoch shuffles.</summary>
    public int Seed { get; init; } = 1729;

    /// <summary>
    /// Settings that learn on small data, found for the kit's demo (not the authors'): linear codes
    /// (<see cref="NeuralXcActivations.LinearCodes"/>), no weight decay (on 2,000 points the report's decay keeps the
    /// regressor near zero), Adam lr 3e-3, batches of 32. On the embedded multi-label default: P@1 57 against
    /// popularity's 31.
    /// </summary>
    public static NeuralXcOptions LinearCodes(int epochs) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 3e-3f,
        WeightDecay = 0,
        Activations = NeuralXcActivations.LinearCodes,
    };

    /// <summary>
    /// The best settings measured (benchmarks/results/autoencoders-table.md): linear codes, no weight decay, Adam
    /// lr 1e-3 in batches of 64, 20 epochs; bibtex P@1 55.07, enron 73.92. What `xcn neuralxc` runs by default.
    /// </summary>
    public static NeuralXcOptions Recommended { get; } = LinearCodes(20) with { LearningRate = 1e-3f, BatchSize = 64 };

    /// <summary>
    /// The authors' report settings (the record's defaults: tanh label codes and regressor output, weight decay 1e-4,
    /// lr 3e-4). On bibtex and enron the tanh regressor output saturates and, with the decay holding the regressor near
    /// zero, every point gets the same code: the ranking collapses to label popularity (bibtex P@1 13.96).
    /// </summary>
    public static NeuralXcOptions Report { get; } = new();

    /// <summary>The preset named <paramref name="name"/>: "recommended" (or "default") or "report".</summary>
    public static NeuralXcOptions Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "recommended" or "default" => Recommended,
        "report" or "paper" => Report,
        _ => throw new ArgumentException($"unknown NeuralXC preset '{name}': expected recommended or report"),
    };

    /// <summary>The architecture for <paramref name="features"/> and <paramref name="labels"/>: given widths where set, the scaled Bibtex shape elsewhere.</summary>
    public NeuralXcArchitecture ArchitectureFor(int features, int labels)
    {
        var scaled = NeuralXcArchitecture.Scaled(features, labels,
            IsSampled(features, labels) ? Math.Min(MaxDerivedWidth, SampledMaxDerivedWidth) : MaxDerivedWidth);
        return NeuralXcArchitecture.Build(features, labels,
            InputEncoderSizes ?? scaled.InputEncoder.Skip(1).ToArray(),
            InputDecoderHiddenSizes ?? (InputEncoderSizes is null ? scaled.InputDecoder.Skip(1).SkipLast(1).ToArray() : null),
            LabelEncoderSizes ?? scaled.LabelEncoder.Skip(1).ToArray(),
            LabelDecoderHiddenSizes ?? (LabelEncoderSizes is null ? scaled.LabelDecoder.Skip(1).SkipLast(1).ToArray() : null),
            RegressorHiddenSizes ?? scaled.Regressor.Skip(1).SkipLast(1).ToArray());
    }

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public NeuralXcOptions Validate()
    {
        if (!(Alpha >= 0) || !float.IsFinite(Alpha)) throw new ArgumentException($"alpha must be a finite non-negative weight, got {Alpha}");
        if (!(Beta >= 0) || !float.IsFinite(Beta)) throw new ArgumentException($"beta must be a finite non-negative weight, got {Beta}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (!(WeightDecay >= 0) || !float.IsFinite(WeightDecay)) throw new ArgumentException($"weight decay must be non-negative, got {WeightDecay}");
        if (EvaluationK < 1) throw new ArgumentException($"evaluation k must be at least 1, got {EvaluationK}");
        if (SampledAbove < 1) throw new ArgumentException($"the sampled-network threshold must be at least 1, got {SampledAbove}");
        if (SampledFeatures < 0 || SampledLabels < 0) throw new ArgumentException($"sampled columns must be non-negative, got {SampledFeatures} features and {SampledLabels} labels");
        if (SampledMaxDerivedWidth < 2) throw new ArgumentException($"the sampled network's widths must be at least 2, got {SampledMaxDerivedWidth}");
        if (MaxTrainEvaluationPoints < 1) throw new ArgumentException($"the training points evaluated per epoch must be at least 1, got {MaxTrainEvaluationPoints}");
        if (PredictionBatchSize < 1) throw new ArgumentException($"prediction batch size must be at least 1, got {PredictionBatchSize}");
        if (!Enum.IsDefined(Init)) throw new ArgumentException($"unknown weight initialisation {Init}");
        if (Activations is null) throw new ArgumentException("Activations are missing");
        return this;
    }
}
