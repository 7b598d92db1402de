using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>Layers applied one after the other; Backward runs them in reverse.</summary>
public sealed class Sequential : ILayer
{
    private readonly ILayer[] _layers;

    /// <summary>A chain of <paramref name="layers"/> (owned: disposed with the chain).</summary>
    public Sequential(IEnumerable<ILayer> layers)
    {
        _layers = layers.ToArray();
        Parameters = _layers.SelectMany(l => l.Parameters).ToArray();
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        foreach (var layer in _layers) input = layer.Forward(input, training);
        return input;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        for (int i = _layers.Length - 1; i >= 0; i--) gradOutput = _layers[i].Backward(gradOutput);
        return gradOutput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
    }
}

/// <summary>y = x + f(x) for an inner block f with as many outputs as inputs.</summary>
public sealed class Residual(IComputeBackend backend, ILayer inner) : ILayer
{
    private Tensor? _output, _gradInput;

    /// <summary>The block f.</summary>
    public ILayer Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc />
    public Tensor Forward(Tensor input, bool training = true)
    {
        var f = Inner.Forward(input, training);
        if (f.Rows != input.Rows || f.Cols != input.Cols)
            throw new InvalidOperationException($"residual block maps {input.Cols} columns to {f.Cols}; it must keep the width");
        _output = Buffers.Ensure(backend, _output, input.Rows, input.Cols);
        backend.Copy(f, _output);
        backend.Axpby(1f, input, 1f, _output);
        return _output;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor gradOutput)
    {
        var inner = Inner.Backward(gradOutput);
        _gradInput = Buffers.Ensure(backend, _gradInput, gradOutput.Rows, gradOutput.Cols);
        backend.Copy(inner, _gradInput);
        backend.Axpby(1f, gradOutput, 1f, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Inner.Dispose();
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}

/// <summary>Shape of a multi-layer perceptron built by <see cref="Mlp.Create"/>.</summary>
public sealed record MlpOptions
{
    /// <summary>Non-linearity after every hidden layer.</summary>
    public Activation Hidden { get; init; } = Activation.Relu;

    /// <summary>Non-linearity after the last layer (Identity: raw scores, e.g. logits).</summary>
    public Activation Output { get; init; } = Activation.Identity;

    /// <summary>Dropout probability after every hidden activation (0: none).</summary>
    public float Dropout { get; init; }

    /// <summary>Weight initialisation of every Linear layer.</summary>
    public WeightInit Init { get; init; } = WeightInit.PyTorchDefault;

    /// <summary>Seed of the initial weights and dropout masks.</summary>
    public int Seed { get; init; }

    /// <summary>Prefix of the parameter names ("mlp.0.weight").</summary>
    public string Name { get; init; } = "mlp";
}

/// <summary>Builds multi-layer perceptrons as <see cref="Sequential"/> chains.</summary>
public static class Mlp
{
    /// <summary>
    /// Linear layers of the given sizes (sizes[0] inputs, sizes[^1] outputs), each hidden one followed by
    /// <see cref="MlpOptions.Hidden"/> and optional dropout, the last by <see cref="MlpOptions.Output"/>.
    /// </summary>
    public static Sequential Create(IComputeBackend backend, IReadOnlyList<int> sizes, MlpOptions? options = null)
    {
        options ??= new MlpOptions();
        if (sizes.Count < 2) throw new ArgumentException($"an MLP needs at least an input and an output size, got {sizes.Count} sizes");
        var layers = new List<ILayer>();
        for (int l = 0; l + 1 < sizes.Count; l++)
        {
            layers.Add(new Linear(backend, sizes[l], sizes[l + 1], SeedStreams.Mlp.Linear.Of(options.Seed, l), init: options.Init,
                name: $"{options.Name}.{l}"));
            bool last = l + 2 == sizes.Count;
            var activation = last ? options.Output : options.Hidden;
            if (activation.Kind != ActivationKind.Identity) layers.Add(new ActivationLayer(backend, activation));
            if (!last && options.Dropout > 0) layers.Add(new Dropout(backend, options.Dropout, SeedStreams.Mlp.Dropout.Of(options.Seed, l)));
        }
        return new Sequential(layers);
    }
}
