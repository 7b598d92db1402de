using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>y = x W + b, with W stored inputs x outputs (so that sparse rows of x pick rows of W).</summary>
public sealed class Linear : ILayer
{
    private readonly IComputeBackend _backend;
    private Tensor? _input, _output, _gradInput;

    /// <summary>A layer with seeded initial weights (<paramref name="init"/>) and biases (PyTorch's default).</summary>
    public Linear(IComputeBackend backend, int inputs, int outputs, int seed, bool bias = true,
        WeightInit init = WeightInit.PyTorchDefault, string name = "linear")
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        (Weight, Bias) = AffineParameters.Create(backend, inputs, outputs, seed, bias, init, name, rowSparse: false);
        Parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>W (inputs x outputs).</summary>
    public Parameter Weight { get; }

    /// <summary>b (1 x outputs), or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        _input = input;
        _output = Buffers.Ensure(_backend, _output, input.Rows, Weight.Cols);
        _backend.Gemm(input, false, Weight.Value, false, _output);
        if (Bias is not null) _backend.AddRowVector(Bias.Value, _output);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var input = Buffers.Cached(_input, Weight.Name);
        _backend.Gemm(input, true, gradOutput, false, Weight.Gradient, beta: 1f);
        if (Bias is not null) _backend.ColumnSums(gradOutput, Bias.Gradient, beta: 1f);
        _gradInput = Buffers.Ensure(_backend, _gradInput, gradOutput.Rows, Weight.Rows);
        _backend.Gemm(gradOutput, false, Weight.Value, true, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in Parameters) p.Dispose();
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}

/// <summary>The weight (inputs x outputs) and optional bias of an affine layer, seeded.</summary>
internal static class AffineParameters
{
    public static (Parameter Weight, Parameter? Bias) Create(IComputeBackend backend, int inputs, int outputs, int seed, bool bias,
        WeightInit init, string name, bool rowSparse)
    {
        if (inputs < 1 || outputs < 1) throw new ArgumentException($"{name}: sizes must be positive, got {inputs} -> {outputs}");
        var weight = new Parameter(backend, name + ".weight", inputs, outputs, rowSparse);
        weight.SetValues(Initializers.Weights(init, inputs, outputs, inputs * outputs, SeedStreams.Layer.Weights.Of(seed)));
        if (!bias) return (weight, null);
        var b = new Parameter(backend, name + ".bias", 1, outputs);
        b.SetValues(Initializers.Bias(inputs, outputs, SeedStreams.Layer.Bias.Of(seed)));
        return (weight, b);
    }
}

/// <summary>An element-wise non-linearity.</summary>
public sealed class ActivationLayer(IComputeBackend backend, Activation activation) : ILayer
{
    private Tensor? _input, _output, _gradInput;

    /// <summary>The function applied.</summary>
    public Activation Activation { get; } = activation ?? throw new ArgumentNullException(nameof(activation));

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        _input = input;
        _output = Buffers.Ensure(backend, _output, input.Rows, input.Cols);
        backend.Activate(Activation, input, _output);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var input = Buffers.Cached(_input, Activation.ToString());
        _gradInput = Buffers.Ensure(backend, _gradInput, input.Rows, input.Cols);
        backend.ActivationBackward(Activation, input, _output!, gradOutput, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}

/// <summary>
/// Inverted dropout: in training, zeroes each value with probability p and scales the rest by 1/(1 − p); the
/// identity at evaluation. Masks come from (seed, call number, element index), so runs repeat exactly.
/// </summary>
public sealed class Dropout : ILayer
{
    private readonly IComputeBackend _backend;
    private readonly int _seed;
    private long _calls;
    private bool _applied;
    private Tensor? _mask, _output, _gradInput;

    /// <summary>Dropout with probability <paramref name="probability"/> in [0, 1).</summary>
    public Dropout(IComputeBackend backend, float probability, int seed)
    {
        if (!(probability >= 0 && probability < 1)) throw new ArgumentException($"dropout probability must be in [0, 1), got {probability}");
        _backend = backend;
        Probability = probability;
        _seed = seed;
    }

    /// <summary>The drop probability.</summary>
    public float Probability { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        _applied = training && Probability > 0;
        if (!_applied) return input;
        _mask = Buffers.Ensure(_backend, _mask, input.Rows, input.Cols);
        _output = Buffers.Ensure(_backend, _output, input.Rows, input.Cols);
        _backend.DropoutMask(_mask, Probability, (ulong)(uint)_seed << 32 | (ulong)_calls++);
        _backend.Multiply(input, _mask, _output);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        if (!_applied) return gradOutput;
        _gradInput = Buffers.Ensure(_backend, _gradInput, gradOutput.Rows, gradOutput.Cols);
        _backend.Multiply(gradOutput, _mask!, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mask?.Dispose();
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}

/// <summary>Layer normalisation over each row with a learned gain (init 1) and bias (init 0).</summary>
public sealed class LayerNormalization : ILayer
{
    private readonly IComputeBackend _backend;
    private Tensor? _input, _output, _statistics, _gradInput;

    /// <summary>Layer norm over <paramref name="features"/> columns.</summary>
    public LayerNormalization(IComputeBackend backend, int features, float epsilon = 1e-5f, string name = "layer_norm")
    {
        _backend = backend;
        Epsilon = epsilon;
        Gain = new Parameter(backend, name + ".weight", 1, features);
        Gain.SetValues(Enumerable.Repeat(1f, features).ToArray());
        Bias = new Parameter(backend, name + ".bias", 1, features);
        Parameters = [Gain, Bias];
    }

    /// <summary>The variance guard ε.</summary>
    public float Epsilon { get; }

    /// <summary>Per-feature gain.</summary>
    public Parameter Gain { get; }

    /// <summary>Per-feature bias.</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        _input = input;
        _output = Buffers.Ensure(_backend, _output, input.Rows, input.Cols);
        _statistics = Buffers.Ensure(_backend, _statistics, input.Rows, 2);
        _backend.LayerNorm(input, Gain.Value, Bias.Value, _output, _statistics, Epsilon);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var input = Buffers.Cached(_input, Gain.Name);
        _gradInput = Buffers.Ensure(_backend, _gradInput, input.Rows, input.Cols);
        _backend.LayerNormBackward(input, Gain.Value, _statistics!, gradOutput, _gradInput, Gain.Gradient, Bias.Gradient);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Gain.Dispose();
        Bias.Dispose();
        _output?.Dispose();
        _statistics?.Dispose();
        _gradInput?.Dispose();
    }
}

/// <summary>Scales each row to unit L2 norm (embeddings compared by cosine similarity).</summary>
public sealed class L2Normalization(IComputeBackend backend, float epsilon = 1e-12f) : ILayer
{
    private Tensor? _output, _norms, _gradInput;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        _output = Buffers.Ensure(backend, _output, input.Rows, input.Cols);
        _norms = Buffers.Ensure(backend, _norms, input.Rows, 1);
        backend.L2Normalize(input, _output, _norms, epsilon);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var output = Buffers.Cached(_output, "l2_normalization");
        _gradInput = Buffers.Ensure(backend, _gradInput, output.Rows, output.Cols);
        backend.L2NormalizeBackward(output, _norms!, gradOutput, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _output?.Dispose();
        _norms?.Dispose();
        _gradInput?.Dispose();
    }
}
