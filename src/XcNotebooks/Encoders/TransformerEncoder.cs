using XcNotebooks.Text;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;
using DeviceTokens = XcNotebooks.Neural.DeviceTokenBatch;

namespace XcNotebooks.Encoders;

/// <summary>Shape of a <see cref="TransformerEncoder"/> (a small one, trained from scratch).</summary>
public sealed record TransformerEncoderOptions
{
    /// <summary>Model width d (DistilBERT: 768; 128 here).</summary>
    public int Dimension { get; init; } = 128;

    /// <summary>Encoder layers (DistilBERT: 6).</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads; d must be a multiple.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Width of the feed-forward layer (4·d in BERT).</summary>
    public int FeedForward { get; init; } = 512;

    /// <summary>Longest sequence (learned positions).</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>Dropout on embeddings, attention output and feed-forward output in training (BERT: 0.1).</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Seed of the initial weights and dropout masks.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// A transformer encoder trained from scratch: token plus learned position embeddings, pre-norm layers of masked
/// multi-head self-attention and a GELU feed-forward block, each with a residual connection, a final layer norm, then
/// mean pooling over the real tokens (sentence-transformers' pooling, as DEXA's DistilBERT) and L2 normalisation.
/// Pre-norm (rather than BERT's post-norm) trains stably from scratch without a long warm-up. All on the compute
/// backend: attention through <see cref="AttentionOperations"/>, pooling as a sparse product.
/// </summary>
public sealed class TransformerEncoder : TrainableTextEncoder<TransformerEncoderOptions>
{
    internal const string KindName = "transformer";

    private readonly Parameter _tokens, _positions, _finalGain, _finalBias;
    private readonly Layer[] _layers;
    private long _dropoutCalls;

    private sealed record Layer(Parameter Norm1Gain, Parameter Norm1Bias, Parameter Qkv, Parameter QkvBias, Parameter Out, Parameter OutBias,
        Parameter Norm2Gain, Parameter Norm2Bias, Parameter Up, Parameter UpBias, Parameter Down, Parameter DownBias);

    /// <summary>An encoder over ids 0..<paramref name="vocabularySize"/>-1 on <paramref name="backend"/>, seeded.</summary>
    public TransformerEncoder(IComputeBackend backend, int vocabularySize, TransformerEncoderOptions? options = null)
        : base(KindName, backend, vocabularySize, options ?? new TransformerEncoderOptions())
    {
        var o = Options;
        if (o.Dimension < 1 || o.Heads < 1 || o.Dimension % o.Heads != 0)
            throw new ArgumentException($"dimension {o.Dimension} must be a positive multiple of the {o.Heads} heads");
        if (o.Layers < 1 || o.FeedForward < 1 || o.MaxPositions < 1) throw new ArgumentException("layers, feed-forward width and positions must be positive");
        if (!(o.Dropout >= 0 && o.Dropout < 1)) throw new ArgumentException($"dropout must be in [0, 1), got {o.Dropout}");
        int d = o.Dimension;
        _tokens = Table("transformer.token_embedding.weight", vocabularySize, d, SeedStreams.Transformer.Tokens, rowSparse: true);
        _positions = Table("transformer.position_embedding.weight", o.MaxPositions, d, SeedStreams.Transformer.Positions, rowSparse: false);
        _layers = new Layer[o.Layers];
        var parameters = new List<Parameter> { _tokens, _positions };
        for (int l = 0; l < o.Layers; l++)
        {
            string n = $"transformer.layer{l}";
            var (g1, b1) = Norm($"{n}.attention_norm");
            var (qkv, qkvb) = EncoderMath.Affine(backend, d, 3 * d, SeedStreams.Transformer.AttentionQkv.Of(o.Seed, l), $"{n}.attention.qkv");
            var (wo, bo) = EncoderMath.Affine(backend, d, d, SeedStreams.Transformer.AttentionOut.Of(o.Seed, l), $"{n}.attention.out");
            var (g2, b2) = Norm($"{n}.ffn_norm");
            var (up, upb) = EncoderMath.Affine(backend, d, o.FeedForward, SeedStreams.Transformer.FeedForwardUp.Of(o.Seed, l), $"{n}.ffn.0");
            var (down, downb) = EncoderMath.Affine(backend, o.FeedForward, d, SeedStreams.Transformer.FeedForwardDown.Of(o.Seed, l), $"{n}.ffn.1");
            _layers[l] = new Layer(g1, b1, qkv, qkvb, wo, bo, g2, b2, up, upb, down, downb);
            parameters.AddRange([g1, b1, qkv, qkvb, wo, bo, g2, b2, up, upb, down, downb]);
        }
        (_finalGain, _finalBias) = Norm("transformer.final_norm");
        parameters.AddRange([_finalGain, _finalBias]);
        Parameters = parameters;
    }

    private Parameter Table(string name, int rows, int d, SeedStream stream, bool rowSparse)
    {
        var p = new Parameter(Backend, name, rows, d, rowSparse);
        p.SetValues(Initializers.Weights(WeightInit.PyTorchDefault, d, d, rows * d, stream.Of(Options.Seed)));
        return p;
    }

    private (Parameter Gain, Parameter Bias) Norm(string name)
    {
        var gain = new Parameter(Backend, name + ".weight", 1, Options.Dimension);
        gain.SetValues(Enumerable.Repeat(1f, Options.Dimension).ToArray());
        return (gain, new Parameter(Backend, name + ".bias", 1, Options.Dimension));
    }

    /// <inheritdoc />
    public override int Dimension => Options.Dimension;

    /// <inheritdoc />
    public override EncoderPass Forward(TokenBatch batch, bool training = true)
    {
        CheckUsable(batch);
        int rows = batch.Rows, length = batch.Columns, n = rows * length, d = Dimension;
        if (length > Options.MaxPositions) throw new ArgumentException($"{Kind}: sequences of {length} tokens, the encoder has {Options.MaxPositions} positions");
        var b = Backend;
        var p = new Pass(this, b.Allocate(rows, d), training, rows, length);
        try
        {
            var present = new int[n];
            var positionIds = new int[n];
            var ones = new int[n];
            var poolRows = new CsrBuilder(n);
            for (int i = 0; i < rows; i++)
            {
                for (int t = 0; t < length; t++)
                {
                    present[i * length + t] = t < batch.Lengths[i] ? 1 : 0;
                    positionIds[i * length + t] = t;
                    ones[i * length + t] = 1;
                    if (t < batch.Lengths[i]) poolRows.Add(i * length + t, 1f / batch.Lengths[i]);
                }
                poolRows.EndRow();
            }
            p.TokenIds = DeviceTokens.Create(b, new TokenBatch(n, 1, batch.Ids, present, new float[n]));
            p.PositionIds = DeviceTokens.Create(b, new TokenBatch(n, 1, positionIds, ones, new float[n]));
            p.Lengths = b.UploadInt(batch.Lengths, rows, 1);
            p.Pool = b.Upload(poolRows.Build());

            var x = p.Keep(b.Allocate(n, d));
            b.EmbeddingBag(p.TokenIds.Tokens, p.TokenIds.Lengths, _tokens.Value, x, EmbeddingBagMode.Sum);
            using (var pos = b.Allocate(n, d))
            {
                b.EmbeddingBag(p.PositionIds.Tokens, p.PositionIds.Lengths, _positions.Value, pos, EmbeddingBagMode.Sum);
                b.Axpby(1f, pos, 1f, x);
            }
            p.EmbeddingMask = Keep(p, EncoderMath.Dropout(b, x, Options.Dropout, training, Options.Seed, ref _dropoutCalls));
            foreach (var layer in _layers)
            {
                var a = new LayerPass { Input = x };
                a.Norm1 = p.Keep(b.Allocate(n, d));
                a.Norm1Stats = p.Keep(b.Allocate(n, 2));
                b.LayerNorm(x, layer.Norm1Gain.Value, layer.Norm1Bias.Value, a.Norm1, a.Norm1Stats);
                a.Qkv = p.Keep(b.Allocate(n, 3 * d));
                EncoderMath.Forward(b, a.Norm1, layer.Qkv, layer.QkvBias, a.Qkv);
                a.Attention = p.Keep(b.Allocate(n, d));
                a.Probabilities = p.Keep(b.Allocate(rows * Options.Heads * length, length));
                b.MultiHeadAttention(a.Qkv, p.Lengths, Options.Heads, a.Attention, a.Probabilities);
                var mid = p.Keep(b.Allocate(n, d));
                EncoderMath.Forward(b, a.Attention, layer.Out, layer.OutBias, mid);
                a.AttentionMask = Keep(p, EncoderMath.Dropout(b, mid, Options.Dropout, training, Options.Seed, ref _dropoutCalls));
                b.Axpby(1f, x, 1f, mid);
                a.Middle = mid;
                a.Norm2 = p.Keep(b.Allocate(n, d));
                a.Norm2Stats = p.Keep(b.Allocate(n, 2));
                b.LayerNorm(mid, layer.Norm2Gain.Value, layer.Norm2Bias.Value, a.Norm2, a.Norm2Stats);
                a.Up = p.Keep(b.Allocate(n, Options.FeedForward));
                EncoderMath.Forward(b, a.Norm2, layer.Up, layer.UpBias, a.Up);
                a.Gelu = p.Keep(b.Allocate(n, Options.FeedForward));
                b.Activate(Activation.Gelu, a.Up, a.Gelu);
                var output = p.Keep(b.Allocate(n, d));
                EncoderMath.Forward(b, a.Gelu, layer.Down, layer.DownBias, output);
                a.FeedForwardMask = Keep(p, EncoderMath.Dropout(b, output, Options.Dropout, training, Options.Seed, ref _dropoutCalls));
                b.Axpby(1f, mid, 1f, output);
                p.Layers.Add(a);
                x = output;
            }
            p.Last = x;
            p.Final = p.Keep(b.Allocate(n, d));
            p.FinalStats = p.Keep(b.Allocate(n, 2));
            b.LayerNorm(x, _finalGain.Value, _finalBias.Value, p.Final, p.FinalStats);
            p.Pooled = p.Keep(b.Allocate(rows, d));
            b.SparseMultiply(p.Pool, p.Final, p.Pooled);
            p.Norms = p.Keep(b.Allocate(rows, 1));
            b.L2Normalize(p.Pooled, p.Output, p.Norms);
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    private static Tensor? Keep(Pass p, Tensor? t) => t is null ? null : p.Keep(t);

    /// <inheritdoc />
    public override void Backward(EncoderPass pass, Tensor gradEmbeddings)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var p = EncoderPass.Of<Pass>(this, pass, gradEmbeddings);
        var b = Backend;
        int rows = p.Rows, n = rows * p.Length, d = Dimension;
        var scratch = new List<Tensor>();
        Tensor New(int r, int c)
        {
            var t = b.Allocate(r, c);
            scratch.Add(t);
            return t;
        }
        try
        {
            var gPooled = New(rows, d);
            b.L2NormalizeBackward(p.Output, p.Norms!, gradEmbeddings, gPooled);
            var gFinal = New(n, d);
            b.SparseTransposeMultiply(p.Pool!, gPooled, gFinal);
            var g = New(n, d);
            b.LayerNormBackward(p.Last!, _finalGain.Value, p.FinalStats!, gFinal, g, _finalGain.Gradient, _finalBias.Gradient);
            var gBranch = New(n, d);
            var gHidden = New(n, Options.FeedForward);
            var gNorm = New(n, d);
            var gQkv = New(n, 3 * d);
            var gAttention = New(n, d);
            var gScores = New(p.Layers.Count == 0 ? 1 : p.Layers[0].Probabilities!.Rows, p.Length);
            for (int l = _layers.Length - 1; l >= 0; l--)
            {
                var layer = _layers[l];
                var a = p.Layers[l];
                // output = middle + drop(FFN(LN2(middle))): g reaches middle directly and through the block.
                b.Copy(g, gBranch);
                if (a.FeedForwardMask is not null) b.Multiply(gBranch, a.FeedForwardMask, gBranch);
                EncoderMath.Backward(b, a.Gelu!, layer.Down, layer.DownBias, gBranch, gHidden);
                b.ActivationBackward(Activation.Gelu, a.Up!, a.Gelu!, gHidden, gHidden);
                EncoderMath.Backward(b, a.Norm2!, layer.Up, layer.UpBias, gHidden, gNorm);
                b.LayerNormBackward(a.Middle!, layer.Norm2Gain.Value, a.Norm2Stats!, gNorm, gBranch, layer.Norm2Gain.Gradient, layer.Norm2Bias.Gradient);
                b.Axpby(1f, gBranch, 1f, g);
                // middle = input + drop(Attention(LN1(input)) Wo + bo).
                b.Copy(g, gBranch);
                if (a.AttentionMask is not null) b.Multiply(gBranch, a.AttentionMask, gBranch);
                EncoderMath.Backward(b, a.Attention!, layer.Out, layer.OutBias, gBranch, gAttention);
                b.MultiHeadAttentionBackward(a.Qkv!, p.Lengths!, Options.Heads, a.Probabilities!, gAttention, gQkv, gScores);
                EncoderMath.Backward(b, a.Norm1!, layer.Qkv, layer.QkvBias, gQkv, gNorm);
                b.LayerNormBackward(a.Input!, layer.Norm1Gain.Value, a.Norm1Stats!, gNorm, gBranch, layer.Norm1Gain.Gradient, layer.Norm1Bias.Gradient);
                b.Axpby(1f, gBranch, 1f, g);
            }
            if (p.EmbeddingMask is not null) b.Multiply(g, p.EmbeddingMask, g);
            b.EmbeddingBagBackward(p.TokenIds!.Tokens, p.TokenIds.Lengths, g, _tokens.Gradient, EmbeddingBagMode.Sum);
            _tokens.MarkTouched(p.TokenIds.DistinctTokens);
            b.EmbeddingBagBackward(p.PositionIds!.Tokens, p.PositionIds.Lengths, g, _positions.Gradient, EmbeddingBagMode.Sum);
        }
        finally
        {
            foreach (var t in scratch) t.Dispose();
        }
    }

    internal static TransformerEncoder ReadPayload(BinaryReader reader, IComputeBackend backend, string source) =>
        Read(reader, source, (options, vocabulary) => new TransformerEncoder(backend, vocabulary, options));

    /// <summary>Shape and backend.</summary>
    public override string ToString() =>
        $"TransformerEncoder {VocabularySize:N0} tokens -> {Dimension} ({Options.Layers} layers, {Options.Heads} heads, feed-forward {Options.FeedForward}) on {Backend.Name}";

    private sealed class LayerPass
    {
        public Tensor? Input, Norm1, Norm1Stats, Qkv, Attention, Probabilities, AttentionMask, Middle, Norm2, Norm2Stats, Up, Gelu, FeedForwardMask;
    }

    private sealed class Pass(TransformerEncoder encoder, Tensor output, bool training, int rows, int length) : EncoderPass(encoder, output, training)
    {
        private readonly List<Tensor> _owned = [];

        public Tensor Output { get; } = output;
        public int Length { get; } = length;
        public int Sequences { get; } = rows;
        public List<LayerPass> Layers { get; } = [];
        public DeviceTokens? TokenIds, PositionIds;
        public IntTensor? Lengths;
        public SparseTensor? Pool;
        public Tensor? EmbeddingMask, Last, Final, FinalStats, Pooled, Norms;

        public Tensor Keep(Tensor t)
        {
            _owned.Add(t);
            return t;
        }

        protected override void DisposeActivations()
        {
            foreach (var t in _owned) t.Dispose();
            TokenIds?.Dispose();
            PositionIds?.Dispose();
            Lengths?.Dispose();
            Pool?.Dispose();
        }
    }
}
