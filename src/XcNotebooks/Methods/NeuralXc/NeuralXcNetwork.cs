using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.NeuralXc;

/// <summary>
/// The three unweighted terms of the NeuralXC loss on one batch (report eq. 1): input reconstruction
/// MSE(ψ_i(φ_i(x)), x), label reconstruction MSE(ψ_o(φ_o(y)), y) and classification BCE(ψ_o(f(φ_i(x))), y), each a
/// mean over batch × dimensions.
/// </summary>
public readonly record struct NeuralXcLosses(double InputReconstruction, double OutputReconstruction, double Classification)
{
    /// <summary>α · input reconstruction + β · label reconstruction + classification: what is minimised.</summary>
    public double Total(double alpha, double beta) => alpha * InputReconstruction + beta * OutputReconstruction + Classification;
}

/// <summary>
/// The NeuralXC network (Srinivasan, Rao, Agarwal 2018): input autoencoder (φ_i, ψ_i), label autoencoder over multi-hot
/// vectors (φ_o, ψ_o) and a regressor f from input codes to label codes, all trained jointly; label scores are
/// σ(ψ_o(f(φ_i(x)))) with the label decoder shared by both paths. Activations by default as the authors' Bibtex setup
/// (<see cref="NeuralXcActivations.Paper"/>); ψ_o's sigmoid is kept apart from its logits, so the BCE is computed
/// stably on logits.
/// Written once against <see cref="IComputeBackend"/>.
/// </summary>
public sealed class NeuralXcNetwork : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly ActivationLayer _labelSigmoid;
    private readonly MeanSquaredErrorLoss _inputLoss, _labelLoss;
    private readonly BinaryCrossEntropyLoss _classificationLoss;
    private Tensor? _codeGradient;

    /// <summary>A freshly initialised network of the given architecture (weights by <paramref name="init"/>, seeded).</summary>
    public NeuralXcNetwork(IComputeBackend backend, NeuralXcArchitecture architecture, NeuralXcActivations activations, WeightInit init, int seed)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        Activations = activations ?? throw new ArgumentNullException(nameof(activations));
        var a = activations;
        MlpOptions Block(string name, SeedStream stream, Activation hidden, Activation output) =>
            new() { Hidden = hidden, Output = output, Init = init, Seed = stream.Of(seed), Name = name };
        // A dense first weight (lazyRows: false): Adam's L2 decay reaches every feature's row, as with nn.Linear.
        InputEncoder = new SparseInputMlp(backend, architecture.InputEncoder,
            Block("input_encoder", SeedStreams.NeuralXc.InputEncoder, a.InputEncoderHidden, a.InputCode), lazyRows: false);
        InputDecoder = Mlp.Create(backend, architecture.InputDecoder, Block("input_decoder", SeedStreams.NeuralXc.InputDecoder, a.InputDecoderHidden, a.InputReconstruction));
        LabelEncoder = Mlp.Create(backend, architecture.LabelEncoder, Block("label_encoder", SeedStreams.NeuralXc.LabelEncoder, a.LabelEncoderHidden, a.LabelCode));
        LabelDecoder = Mlp.Create(backend, architecture.LabelDecoder, Block("label_decoder", SeedStreams.NeuralXc.LabelDecoder, a.LabelDecoderHidden, Activation.Identity));
        Regressor = Mlp.Create(backend, architecture.Regressor, Block("regressor", SeedStreams.NeuralXc.Regressor, a.RegressorHidden, a.RegressorOutput));
        Parameters = [.. InputEncoder.Parameters, .. InputDecoder.Parameters, .. LabelEncoder.Parameters, .. LabelDecoder.Parameters, .. Regressor.Parameters];
        _labelSigmoid = new ActivationLayer(backend, Activation.Sigmoid);
        _inputLoss = new MeanSquaredErrorLoss(backend);
        _labelLoss = new MeanSquaredErrorLoss(backend);
        _classificationLoss = new BinaryCrossEntropyLoss(backend);
    }

    /// <summary>The layer sizes.</summary>
    public NeuralXcArchitecture Architecture { get; }

    /// <summary>The blocks' non-linearities.</summary>
    public NeuralXcActivations Activations { get; }

    /// <summary>The backend holding the parameters.</summary>
    public IComputeBackend Backend => _backend;

    /// <summary>φ_i: sparse features to the input code.</summary>
    public SparseInputMlp InputEncoder { get; }

    /// <summary>ψ_i: input code to reconstructed features (sigmoid outputs).</summary>
    public Sequential InputDecoder { get; }

    /// <summary>φ_o: multi-hot labels to the label code.</summary>
    public Sequential LabelEncoder { get; }

    /// <summary>ψ_o: label code to label logits (σ of them are the reconstructed labels and the label scores).</summary>
    public Sequential LabelDecoder { get; }

    /// <summary>f: input code to label code.</summary>
    public Sequential Regressor { get; }

    /// <summary>Every parameter, in the order of the blocks (φ_i, ψ_i, φ_o, ψ_o, f): the order of saved models.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// One forward and backward pass on a batch: returns the three loss terms and adds the gradient of
    /// α · input reconstruction + β · label reconstruction + classification to every parameter's gradient (zero them
    /// first). <paramref name="features"/> is the batch's sparse rows, <paramref name="denseFeatures"/> the same rows
    /// dense (the reconstruction target), <paramref name="labels"/> the multi-hot targets.
    /// </summary>
    public NeuralXcLosses Accumulate(SparseTensor features, Tensor denseFeatures, Tensor labels, float alpha, float beta)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(denseFeatures);
        ArgumentNullException.ThrowIfNull(labels);
        if (denseFeatures.Rows != features.Rows || denseFeatures.Cols != features.Cols || labels.Rows != features.Rows)
            throw new ArgumentException($"batch shapes disagree: {features.Rows} x {features.Cols} sparse, {denseFeatures.Rows} x {denseFeatures.Cols} dense, {labels.Rows} label rows");

        // Input autoencoder; the code stays valid (owned by φ_i) until φ_i runs again.
        var code = InputEncoder.Forward(features);
        double inputLoss = _inputLoss.Compute(InputDecoder.Forward(code), denseFeatures);
        _backend.Scale(_inputLoss.Gradient, alpha);
        var fromDecoder = InputDecoder.Backward(_inputLoss.Gradient);
        _codeGradient = Buffers.Ensure(_backend, _codeGradient, fromDecoder.Rows, fromDecoder.Cols);
        _backend.Copy(fromDecoder, _codeGradient);

        // Label autoencoder: finished (forward and backward) before ψ_o is reused by the regression path.
        var reconstructed = _labelSigmoid.Forward(LabelDecoder.Forward(LabelEncoder.Forward(labels)));
        double labelLoss = _labelLoss.Compute(reconstructed, labels);
        _backend.Scale(_labelLoss.Gradient, beta);
        LabelEncoder.Backward(LabelDecoder.Backward(_labelSigmoid.Backward(_labelLoss.Gradient)));

        // Classification through the regressor and the shared label decoder.
        double classificationLoss = _classificationLoss.Compute(LabelDecoder.Forward(Regressor.Forward(code)), labels);
        var fromRegressor = Regressor.Backward(LabelDecoder.Backward(_classificationLoss.Gradient));
        _backend.Axpby(1f, fromRegressor, 1f, _codeGradient);
        InputEncoder.Backward(_codeGradient);
        return new NeuralXcLosses(inputLoss, labelLoss, classificationLoss);
    }

    /// <summary>The label logits ψ_o(f(φ_i(x))) of a batch (scores are their sigmoid); owned by the label decoder.</summary>
    public Tensor LabelLogits(SparseTensor features) =>
        LabelDecoder.Forward(Regressor.Forward(InputEncoder.Forward(features, training: false), training: false), training: false);

    /// <summary>The input codes φ_i(x) of a batch (owned by the input encoder).</summary>
    public Tensor InputCodes(SparseTensor features) => InputEncoder.Forward(features, training: false);

    /// <summary>Frees every layer and buffer.</summary>
    public void Dispose()
    {
        InputEncoder.Dispose();
        InputDecoder.Dispose();
        LabelEncoder.Dispose();
        LabelDecoder.Dispose();
        Regressor.Dispose();
        _labelSigmoid.Dispose();
        _inputLoss.Dispose();
        _labelLoss.Dispose();
        _classificationLoss.Dispose();
        _codeGradient?.Dispose();
    }
}
