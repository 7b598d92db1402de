using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// A multi-layer perceptron whose first layer reads a sparse mini-batch (<see cref="SparseLinear"/>) and whose other
/// layers are an <see cref="Mlp"/>: the input encoder of the autoencoder methods. Hidden layers get
/// <see cref="MlpOptions.Hidden"/> (and dropout), the last layer <see cref="MlpOptions.Output"/>, as in
/// <see cref="Mlp.Create"/>.
/// </summary>
public sealed class SparseInputMlp : IDisposable
{
    /// <summary>
    /// Layers of the given sizes (sizes[0] = number of features). With <paramref name="lazyRows"/> false the first
    /// weight is a dense parameter (every row decayed and stepped, as a dense layer would be).
    /// </summary>
    public SparseInputMlp(IComputeBackend backend, IReadOnlyList<int> sizes, MlpOptions? options = null, bool lazyRows = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(sizes);
        options ??= new MlpOptions();
        if (sizes.Count < 2) throw new ArgumentException($"{options.Name}: an MLP needs at least an input and an output size, got {sizes.Count} sizes");
        var all = sizes.ToArray();
        Sizes = all;
        First = new SparseLinear(backend, sizes[0], sizes[1], SeedStreams.SparseInputMlp.First.Of(options.Seed), init: options.Init,
            name: $"{options.Name}.0", lazyRows: lazyRows);
        bool single = sizes.Count == 2;
        var tail = new List<ILayer>();
        var activation = single ? options.Output : options.Hidden;
        if (activation.Kind != ActivationKind.Identity) tail.Add(new ActivationLayer(backend, activation));
        if (!single)
        {
            if (options.Dropout > 0) tail.Add(new Dropout(backend, options.Dropout, SeedStreams.SparseInputMlp.Dropout.Of(options.Seed)));
            tail.Add(Mlp.Create(backend, all[1..], options with { Seed = SeedStreams.SparseInputMlp.Tail.Of(options.Seed), Name = $"{options.Name}.tail" }));
        }
        Tail = new Sequential(tail);
        Parameters = [.. First.Parameters, .. Tail.Parameters];
    }

    /// <summary>The layer sizes, features first.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>The sparse input layer.</summary>
    public SparseLinear First { get; }

    /// <summary>Everything after the first affine map (its activation, then the dense layers).</summary>
    public Sequential Tail { get; }

    /// <summary>All trainable parameters, first layer first.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The output for a batch uploaded with <see cref="IComputeBackend.Upload(Core.CsrMatrix)"/> (owned by the last layer).</summary>
    public Tensor Forward(SparseTensor input, bool training = true) => Tail.Forward(First.Forward(input), training);

    /// <summary>Back-propagates through the latest Forward, accumulating every parameter's gradient.</summary>
    public void Backward(Tensor gradOutput) => First.Backward(Tail.Backward(gradOutput));

    /// <summary>Frees the layers.</summary>
    public void Dispose()
    {
        First.Dispose();
        Tail.Dispose();
    }
}
