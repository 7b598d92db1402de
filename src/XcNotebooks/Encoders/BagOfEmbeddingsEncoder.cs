using XcNotebooks.Text;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;
using DeviceTokens = XcNotebooks.Neural.DeviceTokenBatch;

namespace XcNotebooks.Encoders;

/// <summary>Shape of a <see cref="BagOfEmbeddingsEncoder"/> (DeepXML's Astec encoder, sized for CPU data).</summary>
public sealed record BagOfEmbeddingsOptions
{
    /// <summary>Embedding dimension d (Astec: 300; 256 here).</summary>
    public int Dimension { get; init; } = 256;

    /// <summary>Residual blocks h ← h + W₂ f(W₁ h + b₁) + b₂ after the bag (Astec: one).</summary>
    public int ResidualBlocks { get; init; } = 1;

    /// <summary>Width of each block's hidden layer (null: the embedding dimension).</summary>
    public int? HiddenSize { get; init; }

    /// <summary>The block non-linearity f.</summary>
    public Activation HiddenActivation { get; init; } = Activation.Relu;

    /// <summary>How the bag combines its tokens' embeddings.</summary>
    public EmbeddingBagMode Pooling { get; init; } = EmbeddingBagMode.Mean;

    /// <summary>Dropout on each block's hidden layer in training (0: none).</summary>
    public float Dropout { get; init; }

    /// <summary>Seed of the initial weights and dropout masks.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// The fast default encoder: an embedding bag over the sequence's tokens (words, word pieces or hashed n-grams),
/// then residual MLP blocks (Astec style, DeepXML), then L2 normalisation. The embedding table is a row-sparse
/// parameter, so a step updates only the rows of the batch's tokens.
/// </summary>
public sealed class BagOfEmbeddingsEncoder : TrainableTextEncoder<BagOfEmbeddingsOptions>
{
    internal const string KindName = "bag-of-embeddings";

    private readonly Parameter _table;
    private readonly Parameter[] _w1, _b1, _w2, _b2;
    private readonly int _hidden;
    private long _dropoutCalls;

    /// <summary>An encoder over ids 0..<paramref name="vocabularySize"/>-1 on <paramref name="backend"/>, seeded.</summary>
    public BagOfEmbeddingsEncoder(IComputeBackend backend, int vocabularySize, BagOfEmbeddingsOptions? options = null)
        : base(KindName, backend, vocabularySize, options ?? new BagOfEmbeddingsOptions())
    {
        if (Options.Dimension < 1) throw new ArgumentException($"dimension must be positive, got {Options.Dimension}");
        if (Options.ResidualBlocks < 0) throw new ArgumentException($"residual blocks must be 0 or more, got {Options.ResidualBlocks}");
        if (!(Options.Dropout >= 0 && Options.Dropout < 1)) throw new ArgumentException($"dropout must be in [0, 1), got {Options.Dropout}");
        int d = Options.Dimension;
        _hidden = Options.HiddenSize ?? d;
        if (_hidden < 1) throw new ArgumentException($"hidden size must be positive, got {_hidden}");
        // U(±1/√d): a bag of a few dozen tokens starts with norm ~0.1-1, where the residual blocks are neither
        // negligible nor dominant (N(0,1) rows would swamp them, fan-in over a huge vocabulary would vanish).
        _table = new Parameter(backend, "bag.embedding.weight", vocabularySize, d, rowSparse: true);
        _table.SetValues(Initializers.Weights(WeightInit.PyTorchDefault, d, d, vocabularySize * d, SeedStreams.BagOfEmbeddings.Table.Of(Options.Seed)));
        int blocks = Options.ResidualBlocks;
        _w1 = new Parameter[blocks];
        _b1 = new Parameter[blocks];
        _w2 = new Parameter[blocks];
        _b2 = new Parameter[blocks];
        for (int b = 0; b < blocks; b++)
        {
            (_w1[b], _b1[b]) = EncoderMath.Affine(backend, d, _hidden, SeedStreams.BagOfEmbeddings.BlockIn.Of(Options.Seed, b), $"bag.block{b}.0");
            (_w2[b], _b2[b]) = EncoderMath.Affine(backend, _hidden, d, SeedStreams.BagOfEmbeddings.BlockOut.Of(Options.Seed, b), $"bag.block{b}.1");
        }
        var parameters = new List<Parameter> { _table };
        for (int b = 0; b < blocks; b++) parameters.AddRange([_w1[b], _b1[b], _w2[b], _b2[b]]);
        Parameters = parameters;
    }

    /// <inheritdoc />
    public override int Dimension => Options.Dimension;

    /// <summary>The token embedding table (vocabulary x d).</summary>
    public Parameter EmbeddingTable => _table;

    /// <inheritdoc />
    public override EncoderPass Forward(TokenBatch batch, bool training = true)
    {
        CheckUsable(batch);
        var pass = new Pass(this, batch.Rows, training, training && Options.Dropout > 0);
        try
        {
            var b = Backend;
            pass.Tokens = DeviceTokens.Create(b, batch);
            var h = b.Allocate(batch.Rows, Dimension);
            b.EmbeddingBag(pass.Tokens.Tokens, pass.Tokens.Lengths, _table.Value, h, Options.Pooling);
            for (int k = 0; k < _w1.Length; k++)
            {
                pass.BlockInputs[k] = h;
                var u = pass.PreActivations[k] = b.Allocate(batch.Rows, _hidden);
                EncoderMath.Forward(b, h, _w1[k], _b1[k], u);
                var a = pass.Activations[k] = b.Allocate(batch.Rows, _hidden);
                b.Activate(Options.HiddenActivation, u, a);
                if (pass.Dropped)
                {
                    var dropped = pass.DroppedActivations[k] = b.Allocate(batch.Rows, _hidden);
                    b.Copy(a, dropped);
                    pass.Masks[k] = EncoderMath.Dropout(b, dropped, Options.Dropout, true, Options.Seed, ref _dropoutCalls);
                    a = dropped;
                }
                var next = b.Allocate(batch.Rows, Dimension);
                b.Copy(h, next);
                EncoderMath.Forward(b, a, _w2[k], _b2[k], next, accumulate: true);
                h = next;
            }
            pass.Unnormalized = h;
            pass.Norms = b.Allocate(batch.Rows, 1);
            b.L2Normalize(h, pass.Output, pass.Norms);
            return pass;
        }
        catch
        {
            pass.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override void Backward(EncoderPass pass, Tensor gradEmbeddings)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var p = EncoderPass.Of<Pass>(this, pass, gradEmbeddings);
        var b = Backend;
        int rows = p.Rows;
        var g = b.Allocate(rows, Dimension);
        using var gradHidden = _w1.Length > 0 ? b.Allocate(rows, _hidden) : null;
        using var gradBlockInput = _w1.Length > 0 ? b.Allocate(rows, Dimension) : null;
        try
        {
            b.L2NormalizeBackward(p.Output, p.Norms!, gradEmbeddings, g);
            for (int k = _w1.Length - 1; k >= 0; k--)
            {
                // next = h + a W₂ + b₂: g reaches h unchanged and the branch through W₂, f and W₁.
                var a = p.Dropped ? p.DroppedActivations[k]! : p.Activations[k]!;
                EncoderMath.Backward(b, a, _w2[k], _b2[k], g, gradHidden!);
                if (p.Dropped) b.Multiply(gradHidden!, p.Masks[k]!, gradHidden!);
                b.ActivationBackward(Options.HiddenActivation, p.PreActivations[k]!, p.Activations[k]!, gradHidden!, gradHidden!);
                EncoderMath.Backward(b, p.BlockInputs[k]!, _w1[k], _b1[k], gradHidden!, gradBlockInput!);
                b.Axpby(1f, gradBlockInput!, 1f, g);
            }
            b.EmbeddingBagBackward(p.Tokens!.Tokens, p.Tokens.Lengths, g, _table.Gradient, Options.Pooling);
            _table.MarkTouched(p.Tokens.DistinctTokens);
        }
        finally
        {
            g.Dispose();
        }
    }

    internal static BagOfEmbeddingsEncoder ReadPayload(BinaryReader reader, IComputeBackend backend, string source) =>
        Read(reader, source, (options, vocabulary) => new BagOfEmbeddingsEncoder(backend, vocabulary, options));

    /// <summary>Kind, vocabulary, dimension and blocks.</summary>
    public override string ToString() =>
        $"BagOfEmbeddingsEncoder {VocabularySize:N0} tokens -> {Dimension} ({Options.Pooling}, {Options.ResidualBlocks} residual block(s) of {_hidden}) on {Backend.Name}";

    private sealed class Pass : EncoderPass
    {
        public Pass(BagOfEmbeddingsEncoder encoder, int rows, bool training, bool dropped)
            : this(encoder, encoder.Backend.Allocate(rows, encoder.Dimension), training, dropped) { }

        private Pass(BagOfEmbeddingsEncoder encoder, Tensor output, bool training, bool dropped) : base(encoder, output, training)
        {
            Output = output;
            Dropped = dropped;
            int blocks = encoder._w1.Length;
            BlockInputs = new Tensor?[blocks];
            PreActivations = new Tensor?[blocks];
            Activations = new Tensor?[blocks];
            Masks = new Tensor?[blocks];
            DroppedActivations = new Tensor?[blocks];
        }

        public Tensor Output { get; }
        public bool Dropped { get; }
        public DeviceTokens? Tokens { get; set; }
        public Tensor?[] BlockInputs { get; }
        public Tensor?[] PreActivations { get; }
        public Tensor?[] Activations { get; }
        public Tensor?[] Masks { get; }
        public Tensor?[] DroppedActivations { get; }
        public Tensor? Unnormalized { get; set; }
        public Tensor? Norms { get; set; }

        protected override void DisposeActivations()
        {
            Tokens?.Dispose();
            foreach (var set in new[] { BlockInputs, PreActivations, Activations, Masks, DroppedActivations })
                foreach (var t in set) t?.Dispose();
            Unnormalized?.Dispose();
            Norms?.Dispose();
        }
    }
}
