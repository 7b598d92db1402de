using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// An affine output layer over many outputs (e.g. 17k labels or 70k features) that computes only the outputs a batch
/// asks for: y[:, C] = x W[C, :]ᵀ + b[C] for a column set C (a <see cref="OutputColumns"/>). The weight is stored one
/// row per output (outputs x inputs) and is row-sparse: a backward pass writes gradient only into the rows of C, so
/// lazy Adam steps only those. <see cref="ForwardAll"/> gives every output (prediction, in batches).
/// </summary>
public sealed class SampledLinear : IDisposable
{
    private readonly IComputeBackend _backend;
    private Tensor? _ones;

    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/>, weights by <paramref name="init"/> (fan-in = inputs), seeded.</summary>
    public SampledLinear(IComputeBackend backend, int inputs, int outputs, int seed, WeightInit init = WeightInit.PyTorchDefault, string name = "sampled_linear")
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        if (inputs < 1 || outputs < 1) throw new ArgumentException($"{name}: sizes must be positive, got {inputs} -> {outputs}");
        Weight = new Parameter(backend, name + ".weight", outputs, inputs, rowSparse: true);
        Weight.SetValues(Initializers.Weights(init, inputs, outputs, inputs * outputs, SeedStreams.Layer.Weights.Of(seed)));
        Bias = new Parameter(backend, name + ".bias", outputs, 1, rowSparse: true);
        Bias.SetValues(Initializers.Bias(inputs, outputs, SeedStreams.Layer.Bias.Of(seed)));
        Parameters = [Weight, Bias];
    }

    /// <summary>W, one row per output (outputs x inputs), row-sparse.</summary>
    public Parameter Weight { get; }

    /// <summary>b, one row per output (outputs x 1), row-sparse.</summary>
    public Parameter Bias { get; }

    /// <summary>The weight and the bias.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of inputs.</summary>
    public int Inputs => Weight.Cols;

    /// <summary>Number of outputs.</summary>
    public int Outputs => Weight.Rows;

    /// <summary>Gathers the rows of <paramref name="columns"/> (ids below <see cref="Outputs"/>) for the batches that use them.</summary>
    public OutputColumns Select(IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
            if ((uint)c >= (uint)Outputs) throw new ArgumentException($"{Weight.Name}: output {c} outside 0..{Outputs - 1}");
        return new OutputColumns(this, columns.ToArray());
    }

    /// <summary>output ← input W[C, :]ᵀ + b[C] (rows x |C|), with the rows of C as they are now.</summary>
    public void Forward(Tensor input, OutputColumns columns, Tensor output)
    {
        Check(input, columns);
        columns.Gather();
        _backend.Gemm(input, false, columns.Weights, true, output);
        _backend.Gemm(Ones(input.Rows), false, columns.Biases, true, output, 1f, 1f);
    }

    /// <summary>
    /// Back-propagates <paramref name="gradOutput"/> (rows x |C|, the gradient of <see cref="Forward"/>'s output):
    /// adds into W's and b's gradient rows of C and marks them touched, and sets
    /// gradInput ← gradOutput W[C, :] + <paramref name="beta"/> · gradInput.
    /// </summary>
    public void Backward(Tensor input, OutputColumns columns, Tensor gradOutput, Tensor gradInput, float beta = 0f)
    {
        Check(input, columns);
        _backend.Gemm(gradOutput, true, input, false, columns.WeightGradient);
        _backend.EmbeddingBagBackward(columns.Tokens, columns.Lengths, columns.WeightGradient, Weight.Gradient, EmbeddingBagMode.Sum);
        _backend.Gemm(gradOutput, true, Ones(input.Rows), false, columns.BiasGradient);
        _backend.EmbeddingBagBackward(columns.Tokens, columns.Lengths, columns.BiasGradient, Bias.Gradient, EmbeddingBagMode.Sum);
        Weight.MarkTouched(columns.Columns);
        Bias.MarkTouched(columns.Columns);
        _backend.Gemm(gradOutput, false, columns.Weights, false, gradInput, 1f, beta);
    }

    /// <summary>output ← input Wᵀ + bᵀ: every output (rows x <see cref="Outputs"/>).</summary>
    public void ForwardAll(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Cols != Inputs) throw new ArgumentException($"{Weight.Name}: input has {input.Cols} columns, the layer reads {Inputs}");
        _backend.Gemm(input, false, Weight.Value, true, output);
        _backend.Gemm(Ones(input.Rows), false, Bias.Value, true, output, 1f, 1f);
    }

    private void Check(Tensor input, OutputColumns columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(columns);
        if (!ReferenceEquals(columns.Layer, this)) throw new ArgumentException($"{Weight.Name}: the columns were selected on another layer");
        if (input.Cols != Inputs) throw new ArgumentException($"{Weight.Name}: input has {input.Cols} columns, the layer reads {Inputs}");
    }

    private Tensor Ones(int rows)
    {
        if (_ones is null || _ones.Rows != rows)
        {
            _ones?.Dispose();
            _ones = _backend.Allocate(rows, 1);
            _backend.Fill(_ones, 1f);
        }
        return _ones;
    }

    /// <summary>Frees the parameters and buffers.</summary>
    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
        _ones?.Dispose();
    }
}

/// <summary>
/// A set of output columns of a <see cref="SampledLinear"/> with its gathered weight rows and gradient buffers (valid
/// for one batch: gather happens at each forward). Dispose after the batch.
/// </summary>
public sealed class OutputColumns : IDisposable
{
    internal OutputColumns(SampledLinear layer, int[] columns)
    {
        Layer = layer;
        Columns = columns;
        if (columns.Length == 0) throw new ArgumentException($"{layer.Weight.Name}: an empty set of output columns");
        var backend = layer.Weight.Backend;
        Tokens = backend.UploadInt(columns, columns.Length, 1);
        Lengths = backend.UploadInt(Enumerable.Repeat(1, columns.Length).ToArray(), columns.Length, 1);
        Weights = backend.Allocate(columns.Length, layer.Inputs);
        Biases = backend.Allocate(columns.Length, 1);
        WeightGradient = backend.Allocate(columns.Length, layer.Inputs);
        BiasGradient = backend.Allocate(columns.Length, 1);
    }

    /// <summary>The layer the columns belong to.</summary>
    public SampledLinear Layer { get; }

    /// <summary>The output ids, in the order of the computed columns.</summary>
    public IReadOnlyList<int> Columns { get; }

    /// <summary>Number of columns.</summary>
    public int Count => Columns.Count;

    internal IntTensor Tokens { get; }
    internal IntTensor Lengths { get; }
    internal Tensor Weights { get; }
    internal Tensor Biases { get; }
    internal Tensor WeightGradient { get; }
    internal Tensor BiasGradient { get; }

    internal void Gather()
    {
        var backend = Layer.Weight.Backend;
        backend.EmbeddingBag(Tokens, Lengths, Layer.Weight.Value, Weights, EmbeddingBagMode.Sum);
        backend.EmbeddingBag(Tokens, Lengths, Layer.Bias.Value, Biases, EmbeddingBagMode.Sum);
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        Tokens.Dispose();
        Lengths.Dispose();
        Weights.Dispose();
        Biases.Dispose();
        WeightGradient.Dispose();
        BiasGradient.Dispose();
    }
}
