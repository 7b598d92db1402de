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
    // Dense network: ψ_i, φ_o, ψ_o as MLPs.
    private readonly Sequential? _inputDecoder, _labelEncoder, _labelDecoder;
    // Sampled network: ψ_i and ψ_o as hidden layers (null when none) plus a sampled output layer; φ_o reads sparse labels.
    private readonly Sequential? _inputTrunk, _labelTrunk;
    private readonly SampledLinear? _inputOutput, _labelOutput;
    private readonly SparseInputMlp? _sparseLabelEncoder;
    private Tensor? _allLogits;

    /// <summary>A freshly initialised network of the given architecture (weights by <paramref name="init"/>, seeded).</summary>
    public NeuralXcNetwork(IComputeBackend backend, NeuralXcArchitecture architecture, NeuralXcActivations activations, WeightInit init, int seed)
        : this(backend, architecture, activations, init, seed, sampled: false)
    {
    }

    /// <summary>
    /// A freshly initialised network; with <paramref name="sampled"/> it is built for large D and L (see
    /// <see cref="Sampled"/>): the first layers of both encoders read sparse rows and step only the rows a batch
    /// touches, and both decoders' output layers are <see cref="SampledLinear"/> layers trained through
    /// <see cref="AccumulateSampled"/>.
    /// </summary>
    public NeuralXcNetwork(IComputeBackend backend, NeuralXcArchitecture architecture, NeuralXcActivations activations, WeightInit init, int seed, bool sampled)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        Activations = activations ?? throw new ArgumentNullException(nameof(activations));
        var a = activations;
        MlpOptions Block(string name, SeedStream stream, Activation hidden, Activation output) =>
            new() { Hidden = hidden, Output = output, Init = init, Seed = stream.Of(seed), Name = name };
        Sampled = sampled;
        // Dense: the first weight is an ordinary parameter (lazyRows: false), so Adam's L2 decay reaches every
        // feature's row, as with nn.Linear. Sampled: only the batch's rows are stepped (lazy Adam).
        InputEncoder = new SparseInputMlp(backend, architecture.InputEncoder,
            Block("input_encoder", SeedStreams.NeuralXc.InputEncoder, a.InputEncoderHidden, a.InputCode), lazyRows: sampled);
        var inputDecoder = Block("input_decoder", SeedStreams.NeuralXc.InputDecoder, a.InputDecoderHidden, a.InputReconstruction);
        var labelEncoder = Block("label_encoder", SeedStreams.NeuralXc.LabelEncoder, a.LabelEncoderHidden, a.LabelCode);
        var labelDecoder = Block("label_decoder", SeedStreams.NeuralXc.LabelDecoder, a.LabelDecoderHidden, Activation.Identity);
        if (!sampled)
        {
            _inputDecoder = Mlp.Create(backend, architecture.InputDecoder, inputDecoder);
            _labelEncoder = Mlp.Create(backend, architecture.LabelEncoder, labelEncoder);
            _labelDecoder = Mlp.Create(backend, architecture.LabelDecoder, labelDecoder);
        }
        else
        {
            (_inputTrunk, _inputOutput) = SampledBlock(backend, architecture.InputDecoder, inputDecoder);
            _sparseLabelEncoder = new SparseInputMlp(backend, architecture.LabelEncoder, labelEncoder, lazyRows: true);
            (_labelTrunk, _labelOutput) = SampledBlock(backend, architecture.LabelDecoder, labelDecoder);
        }
        Regressor = Mlp.Create(backend, architecture.Regressor, Block("regressor", SeedStreams.NeuralXc.Regressor, a.RegressorHidden, a.RegressorOutput));
        IEnumerable<Parameter> Of(Sequential? trunk, SampledLinear? output) => [.. trunk?.Parameters ?? [], .. output?.Parameters ?? []];
        Parameters = sampled
            ? [.. InputEncoder.Parameters, .. Of(_inputTrunk, _inputOutput), .. _sparseLabelEncoder!.Parameters, .. Of(_labelTrunk, _labelOutput), .. Regressor.Parameters]
            : [.. InputEncoder.Parameters, .. _inputDecoder!.Parameters, .. _labelEncoder!.Parameters, .. _labelDecoder!.Parameters, .. Regressor.Parameters];
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

    /// <summary>
    /// Built for large D and L: sparse, lazily stepped first layers in both encoders, and decoders whose output
    /// layer computes only a batch's columns (its non-zero features / labels plus sampled others); train with
    /// <see cref="AccumulateSampled"/>. False: the dense network of the paper, trained with <see cref="Accumulate"/>.
    /// </summary>
    public bool Sampled { get; }

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
        if (Sampled) throw new InvalidOperationException("this network is built for sampled outputs: train it with AccumulateSampled");
        if (denseFeatures.Rows != features.Rows || denseFeatures.Cols != features.Cols || labels.Rows != features.Rows)
            throw new ArgumentException($"batch shapes disagree: {features.Rows} x {features.Cols} sparse, {denseFeatures.Rows} x {denseFeatures.Cols} dense, {labels.Rows} label rows");

        // Input autoencoder; the code stays valid (owned by φ_i) until φ_i runs again.
        var code = InputEncoder.Forward(features);
        var inputDecoder = _inputDecoder!;
        var labelEncoder = _labelEncoder!;
        var labelDecoder = _labelDecoder!;
        double inputLoss = _inputLoss.Compute(inputDecoder.Forward(code), denseFeatures);
        _backend.Scale(_inputLoss.Gradient, alpha);
        var fromDecoder = inputDecoder.Backward(_inputLoss.Gradient);
        _codeGradient = Buffers.Ensure(_backend, _codeGradient, fromDecoder.Rows, fromDecoder.Cols);
        _backend.Copy(fromDecoder, _codeGradient);

        // Label autoencoder: finished (forward and backward) before ψ_o is reused by the regression path.
        var reconstructed = _labelSigmoid.Forward(labelDecoder.Forward(labelEncoder.Forward(labels)));
        double labelLoss = _labelLoss.Compute(reconstructed, labels);
        _backend.Scale(_labelLoss.Gradient, beta);
        labelEncoder.Backward(labelDecoder.Backward(_labelSigmoid.Backward(_labelLoss.Gradient)));

        // Classification through the regressor and the shared label decoder.
        double classificationLoss = _classificationLoss.Compute(labelDecoder.Forward(Regressor.Forward(code)), labels);
        var fromRegressor = Regressor.Backward(labelDecoder.Backward(_classificationLoss.Gradient));
        _backend.Axpby(1f, fromRegressor, 1f, _codeGradient);
        InputEncoder.Backward(_codeGradient);
        return new NeuralXcLosses(inputLoss, labelLoss, classificationLoss);
    }

    /// <summary>The label logits ψ_o(f(φ_i(x))) of a batch, every label (scores are their sigmoid); owned by the network.</summary>
    public Tensor LabelLogits(SparseTensor features)
    {
        var predicted = Regressor.Forward(InputEncoder.Forward(features, training: false), training: false);
        if (!Sampled) return _labelDecoder!.Forward(predicted, training: false);
        var hidden = _labelTrunk?.Forward(predicted, training: false) ?? predicted;
        _allLogits = Buffers.Ensure(_backend, _allLogits, hidden.Rows, _labelOutput!.Outputs);
        _labelOutput.ForwardAll(hidden, _allLogits);
        return _allLogits;
    }

    /// <summary>
    /// One forward and backward pass of the sampled network on a batch (rows <paramref name="features"/> and
    /// <paramref name="labels"/>, the batch's columns in <paramref name="columns"/>): returns the three loss terms
    /// and adds the gradient of α · input reconstruction + β · label reconstruction + classification to every
    /// parameter's gradient (zero them first). Each term is an unbiased estimate of the dense term (the mean over
    /// batch x dimensions): the batch's non-zero columns count once, each sampled zero column
    /// <see cref="NeuralXcColumns.FeatureWeight"/> (<see cref="NeuralXcColumns.LabelWeight"/>) times. With every
    /// column in the sample (weight 1) the terms and gradients are the dense network's.
    /// </summary>
    public NeuralXcLosses AccumulateSampled(CsrMatrix features, CsrMatrix labels, NeuralXcColumns columns, float alpha, float beta)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(columns);
        if (!Sampled) throw new InvalidOperationException("this network is dense: train it with Accumulate");
        int rows = features.Rows, d = Architecture.InputEncoder[0], l = Architecture.LabelEncoder[0];
        if (features.Cols != d || labels.Cols != l || labels.Rows != rows)
            throw new ArgumentException($"batch shapes disagree: {features.Rows} x {features.Cols} features, {labels.Rows} x {labels.Cols} labels, the network reads {d} features and {l} labels");
        using var x = _backend.Upload(features);
        using var y = _backend.Upload(labels);
        var heads = new List<IDisposable>();
        try
        {
            // Input autoencoder; the code stays valid (owned by φ_i) until φ_i runs again.
            var code = InputEncoder.Forward(x);
            var inputHidden = _inputTrunk?.Forward(code) ?? code;
            using var inputHiddenGradient = _backend.Allocate(inputHidden.Rows, inputHidden.Cols);
            float inputScale = alpha / ((float)rows * d);
            double inputLoss = Head(_inputOutput!, inputHidden, features, columns.FeaturePositives, 1, Activations.InputReconstruction, mse: true, inputScale, inputHiddenGradient, 0f, heads)
                + Head(_inputOutput!, inputHidden, null, columns.FeatureNegatives, columns.FeatureWeight, Activations.InputReconstruction, mse: true, inputScale, inputHiddenGradient, 1f, heads);
            var fromDecoder = _inputTrunk?.Backward(inputHiddenGradient) ?? inputHiddenGradient;
            _codeGradient = Buffers.Ensure(_backend, _codeGradient, fromDecoder.Rows, fromDecoder.Cols);
            _backend.Copy(fromDecoder, _codeGradient);

            // Label autoencoder: finished (forward and backward) before ψ_o is reused by the regression path.
            float labelScale = 1f / ((float)rows * l);
            var labelCode = _sparseLabelEncoder!.Forward(y);
            var labelHidden = _labelTrunk?.Forward(labelCode) ?? labelCode;
            using var labelHiddenGradient = _backend.Allocate(labelHidden.Rows, labelHidden.Cols);
            double labelLoss = Head(_labelOutput!, labelHidden, labels, columns.LabelPositives, 1, Activation.Sigmoid, mse: true, beta * labelScale, labelHiddenGradient, 0f, heads)
                + Head(_labelOutput!, labelHidden, null, columns.LabelNegatives, columns.LabelWeight, Activation.Sigmoid, mse: true, beta * labelScale, labelHiddenGradient, 1f, heads);
            _sparseLabelEncoder.Backward(_labelTrunk?.Backward(labelHiddenGradient) ?? labelHiddenGradient);

            // Classification through the regressor and the shared label decoder.
            var predicted = Regressor.Forward(code);
            var predictedHidden = _labelTrunk?.Forward(predicted) ?? predicted;
            double classificationLoss = Head(_labelOutput!, predictedHidden, labels, columns.LabelPositives, 1, null, mse: false, labelScale, labelHiddenGradient, 0f, heads)
                + Head(_labelOutput!, predictedHidden, null, columns.LabelNegatives, columns.LabelWeight, null, mse: false, labelScale, labelHiddenGradient, 1f, heads);
            var fromRegressor = Regressor.Backward(_labelTrunk?.Backward(labelHiddenGradient) ?? labelHiddenGradient);
            _backend.Axpby(1f, fromRegressor, 1f, _codeGradient);
            InputEncoder.Backward(_codeGradient);
            return new NeuralXcLosses(inputLoss / ((double)rows * d), labelLoss / ((double)rows * l), classificationLoss / ((double)rows * l));
        }
        finally
        {
            foreach (var h in heads) h.Dispose();
        }
    }

    /// <summary>
    /// One block of output columns: forward through <paramref name="layer"/>, the loss against the targets (the
    /// columns of <paramref name="targets"/>, or zeros when null) with every element weighted by
    /// <paramref name="weight"/>, and the backward pass into <paramref name="hiddenGradient"/> (× beta plus the new
    /// part). MSE on <paramref name="activation"/>'s output, or BCE on the logits. Returns the weighted sum of the
    /// elements' losses (0 for no columns). Buffers are added to <paramref name="owned"/>.
    /// </summary>
    private double Head(SampledLinear layer, Tensor hidden, CsrMatrix? targets, IReadOnlyList<int> columns, double weight, Activation? activation,
        bool mse, float scale, Tensor hiddenGradient, float beta, List<IDisposable> owned)
    {
        int rows = hidden.Rows;
        if (columns.Count == 0)
        {
            if (beta == 0f) _backend.Fill(hiddenGradient, 0f);
            return 0;
        }
        var selected = layer.Select(columns);
        owned.Add(selected);
        var target = _backend.Upload(TargetBlock(targets, rows, columns), rows, columns.Count);
        owned.Add(target);
        var logits = _backend.Allocate(rows, columns.Count);
        var gradient = _backend.Allocate(rows, columns.Count);
        owned.Add(logits);
        owned.Add(gradient);
        layer.Forward(hidden, selected, logits);
        double loss;
        float elementScale = (float)(scale * weight);
        if (mse)
        {
            var outputs = _backend.Allocate(rows, columns.Count);
            var outputGradient = _backend.Allocate(rows, columns.Count);
            owned.Add(outputs);
            owned.Add(outputGradient);
            _backend.Activate(activation!, logits, outputs);
            loss = _backend.SquaredError(outputs, target, outputGradient, elementScale);
            _backend.ActivationBackward(activation!, logits, outputs, outputGradient, gradient);
        }
        else
            loss = _backend.BinaryCrossEntropyWithLogits(logits, target, gradient, elementScale);
        layer.Backward(hidden, selected, gradient, hiddenGradient, beta);
        return weight * loss;
    }

    /// <summary>Rows x columns of <paramref name="targets"/>' values at <paramref name="columns"/> (zeros when null), row-major.</summary>
    private static float[] TargetBlock(CsrMatrix? targets, int rows, IReadOnlyList<int> columns)
    {
        var block = new float[rows * columns.Count];
        if (targets is null) return block;
        var position = new Dictionary<int, int>(columns.Count);
        for (int j = 0; j < columns.Count; j++) position[columns[j]] = j;
        for (int i = 0; i < rows; i++)
        {
            var idx = targets.RowIndices(i);
            var val = targets.RowValues(i);
            for (int t = 0; t < idx.Length; t++)
                if (position.TryGetValue(idx[t], out int j)) block[i * columns.Count + j] = val[t];
        }
        return block;
    }

    /// <summary>A decoder as its hidden layers (null when it has none) and a sampled output layer, seeded as the dense MLP's layers.</summary>
    private static (Sequential? Trunk, SampledLinear Output) SampledBlock(IComputeBackend backend, IReadOnlyList<int> sizes, MlpOptions options)
    {
        var trunk = sizes.Count > 2 ? Mlp.Create(backend, sizes.Take(sizes.Count - 1).ToArray(), options with { Output = options.Hidden }) : null;
        var output = new SampledLinear(backend, sizes[^2], sizes[^1], SeedStreams.Mlp.Linear.Of(options.Seed, sizes.Count - 2), options.Init, $"{options.Name}.{sizes.Count - 2}");
        return (trunk, output);
    }

    /// <summary>The input codes φ_i(x) of a batch (owned by the input encoder).</summary>
    public Tensor InputCodes(SparseTensor features) => InputEncoder.Forward(features, training: false);

    /// <summary>Frees every layer and buffer.</summary>
    public void Dispose()
    {
        InputEncoder.Dispose();
        _inputDecoder?.Dispose();
        _labelEncoder?.Dispose();
        _labelDecoder?.Dispose();
        _inputTrunk?.Dispose();
        _labelTrunk?.Dispose();
        _inputOutput?.Dispose();
        _labelOutput?.Dispose();
        _sparseLabelEncoder?.Dispose();
        _allLogits?.Dispose();
        Regressor.Dispose();
        _labelSigmoid.Dispose();
        _inputLoss.Dispose();
        _labelLoss.Dispose();
        _classificationLoss.Dispose();
        _codeGradient?.Dispose();
    }
}

/// <summary>
/// The output columns of one batch of the sampled network: for the input decoder, the features non-zero in some row
/// (<see cref="FeaturePositives"/>) and a uniform sample of the others (<see cref="FeatureNegatives"/>), each sampled
/// column standing for <see cref="FeatureWeight"/> = (D − |positives|) / |sample| columns; the same for the labels.
/// </summary>
public sealed record NeuralXcColumns(
    IReadOnlyList<int> FeaturePositives, IReadOnlyList<int> FeatureNegatives, double FeatureWeight,
    IReadOnlyList<int> LabelPositives, IReadOnlyList<int> LabelNegatives, double LabelWeight)
{
    /// <summary>
    /// The columns of a batch: every column non-zero in <paramref name="features"/> (<paramref name="labels"/>), and
    /// <paramref name="featureSamples"/> (<paramref name="labelSamples"/>) of the other columns drawn uniformly without
    /// replacement by <paramref name="random"/>, or all of them when there are no more; increasing.
    /// </summary>
    public static NeuralXcColumns Sample(CsrMatrix features, CsrMatrix labels, int featureSamples, int labelSamples, Random random)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        var (fp, fn, fw) = Of(features, featureSamples, random);
        var (lp, ln, lw) = Of(labels, labelSamples, random);
        return new NeuralXcColumns(fp, fn, fw, lp, ln, lw);
    }

    /// <summary>Every column as a positive or a negative of weight 1: the dense network's loss (for small data and checks).</summary>
    public static NeuralXcColumns All(CsrMatrix features, CsrMatrix labels) =>
        Sample(features, labels, features.Cols, labels.Cols, new Random(0));

    private static (int[] Positives, int[] Negatives, double Weight) Of(CsrMatrix rows, int samples, Random random)
    {
        if (samples < 0) throw new ArgumentException($"the number of sampled columns must be non-negative, got {samples}");
        var positives = rows.ColumnIndices.AsSpan(0, (int)rows.NonZeros).ToArray().Distinct().Order().ToArray();
        int others = rows.Cols - positives.Length;
        if (others == 0 || samples == 0) return (positives, [], 0);
        var isPositive = new HashSet<int>(positives);
        int[] negatives;
        if (samples >= others)
            negatives = Enumerable.Range(0, rows.Cols).Where(c => !isPositive.Contains(c)).ToArray();
        else
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < samples)
            {
                int c = random.Next(rows.Cols);
                if (!isPositive.Contains(c)) chosen.Add(c);
            }
            negatives = [.. chosen.Order()];
        }
        return (positives, negatives, (double)others / negatives.Length);
    }
}
