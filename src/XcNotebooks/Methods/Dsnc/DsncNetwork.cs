using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// DSNC's network on a compute backend: encoder (sparse input layer, then optional ReLU MLP) to m code logits, the
/// stochastic binary code layer, and the decoder (linear or ReLU MLP) to class scores. Not thread-safe.
/// </summary>
internal sealed class DsncNetwork : IDisposable
{
    private const int PredictionBatch = 2048;
    private readonly SparseLinear _input;
    private readonly Sequential _encoder;
    private readonly StochasticBinaryLayer _code;
    private readonly Sequential? _decoder;
    private readonly SampledSoftmaxDecoder? _sampled;

    public DsncNetwork(IComputeBackend backend, int features, int classes, DsncOptions options)
    {
        if (!options.IsResolved) throw new ArgumentException("DSNC's network needs resolved options (DsncOptions.Resolve): a code length, encoder, epochs, batch size and learning rate");
        Backend = backend;
        NumFeatures = features;
        NumClasses = classes;
        Options = options;
        int m = options.CodeBits;
        var encoderSizes = options.EncoderHidden!.Append(m).ToArray();
        _input = new SparseLinear(backend, features, encoderSizes[0], SeedStreams.Dsnc.InputLayer.Of(options.Seed), name: "encoder.input");
        _encoder = encoderSizes.Length == 1
            ? new Sequential([])
            : new Sequential([new ActivationLayer(backend, Activation.Relu),
                Mlp.Create(backend, encoderSizes, new MlpOptions { Seed = SeedStreams.Dsnc.EncoderHidden.Of(options.Seed), Name = "encoder.hidden" })]);
        _code = new StochasticBinaryLayer(backend, SeedStreams.Dsnc.CodeLayer.Of(options.Seed), options.Estimator);
        if (options.UsesSampledSoftmax(classes))
            _sampled = new SampledSoftmaxDecoder(backend, m, classes, options.NegativeSamples, SeedStreams.Dsnc.Decoder.Of(options.Seed));
        else
            _decoder = Mlp.Create(backend, [m, .. options.DecoderHidden, classes], new MlpOptions { Seed = SeedStreams.Dsnc.Decoder.Of(options.Seed), Name = "decoder" });
        Parameters = [.. _input.Parameters, .. _encoder.Parameters, .. (_sampled is null ? _decoder!.Parameters : [_sampled.Weight, _sampled.Bias])];
    }

    public IComputeBackend Backend { get; }

    public int NumFeatures { get; }

    public int NumClasses { get; }

    public DsncOptions Options { get; }

    /// <summary>Every trainable parameter, in a fixed order (the order of the model file).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The code layer (its probabilities and codes of the latest forward pass).</summary>
    public StochasticBinaryLayer Code => _code;

    /// <summary>The m code logits of a batch (owned by the encoder).</summary>
    public Tensor Logits(SparseTensor x) => _encoder.Forward(_input.Forward(x), training: false);

    /// <summary>The sampled-softmax decoder, or null when the decoder is the dense softmax.</summary>
    public SampledSoftmaxDecoder? Sampled => _sampled;

    /// <summary>The codes of a batch: sampled when <paramref name="training"/>, else thresholded (owned by the code layer).</summary>
    public Tensor Codes(SparseTensor x, bool training) => _code.Forward(_encoder.Forward(_input.Forward(x), training), training);

    /// <summary>Class scores of a batch (dense decoder): sampled codes when <paramref name="training"/>, else thresholded ones.</summary>
    public Tensor Forward(SparseTensor x, bool training) =>
        (_decoder ?? throw new InvalidOperationException("the sampled-softmax decoder scores candidates (Sampled), not every class at once"))
            .Forward(Codes(x, training), training);

    /// <summary>
    /// Back-propagates the score gradient: through the decoder, then to the encoder by straight-through, or, with
    /// REINFORCE, by the score function of the per-point <paramref name="advantages"/> (rows x 1).
    /// </summary>
    public void Backward(Tensor scoreGradient, Tensor? advantages)
    {
        BackwardCodes(_decoder!.Backward(scoreGradient), advantages);
    }

    /// <summary>Back-propagates the gradient of the codes (rows x m) to the encoder (see <see cref="Backward"/>).</summary>
    public void BackwardCodes(Tensor codeGradient, Tensor? advantages)
    {
        var logitGradient = _code.Estimator == BinaryGradientEstimator.Reinforce
            ? _code.ReinforceBackward(advantages ?? throw new ArgumentNullException(nameof(advantages), "REINFORCE needs the per-point advantages"))
            : _code.Backward(codeGradient);
        _input.Backward(_encoder.Backward(logitGradient));
    }

    /// <summary>Host copies of every parameter's values (a snapshot to restore later).</summary>
    public float[][] Snapshot() => Parameters.Select(p => p.GetValues()).ToArray();

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot)
    {
        for (int i = 0; i < Parameters.Count; i++) Parameters[i].SetValues(snapshot[i]);
    }

    /// <summary>The code logits of every point (points x m), computed in batches.</summary>
    public RowMajorMatrix CodeLogits(CsrMatrix features)
    {
        int m = Options.CodeBits;
        var logits = new RowMajorMatrix(features.Rows, m);
        ForBatches(features, PredictionBatch, (start, x) => Logits(x).CopyTo(logits.Data.AsSpan(start * m, x.Rows * m)));
        return logits;
    }

    /// <summary>The decoder's k best classes of every point on deterministic codes, computed in batches.</summary>
    public TopKPredictions TopK(CsrMatrix features, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be positive, got {k}");
        var labels = new int[features.Rows * k];
        var scores = new float[features.Rows * k];
        ForBatches(features, PredictionBatch, (start, x) =>
        {
            if (_sampled is not null)
            {
                var (classes, top) = _sampled.TopK(Codes(x, training: false), k);
                classes.CopyTo(labels.AsSpan(start * k, x.Rows * k));
                top.CopyTo(scores.AsSpan(start * k, x.Rows * k));
                return;
            }
            var classScores = Forward(x, training: false);
            using var values = Backend.Allocate(x.Rows, k);
            using var indices = Backend.AllocateInt(x.Rows, k);
            Backend.TopK(classScores, values, indices);
            indices.CopyTo(labels.AsSpan(start * k, x.Rows * k));
            values.CopyTo(scores.AsSpan(start * k, x.Rows * k));
        });
        return new TopKPredictions(features.Rows, k, labels, scores);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on consecutive row batches of <paramref name="features"/> uploaded to the backend
    /// (first row of the batch, the batch).
    /// </summary>
    public void ForBatches(CsrMatrix features, int batchSize, Action<int, SparseTensor> body)
    {
        for (int start = 0; start < features.Rows; start += batchSize)
        {
            int count = Math.Min(batchSize, features.Rows - start);
            using var x = Backend.Upload(features.SelectRows(Enumerable.Range(start, count).ToArray()));
            body(start, x);
        }
    }

    public void Dispose()
    {
        _input.Dispose();
        _encoder.Dispose();
        _code.Dispose();
        _decoder?.Dispose();
        _sampled?.Dispose();
    }
}
