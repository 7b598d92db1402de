using XcNotebooks.Compute;

namespace XcNotebooks.Neural;

/// <summary>
/// A dense-to-dense building block with an explicit backward pass: the whole "autodiff" of this library.
/// <para>
/// Writing a model: create the layers on one <see cref="IComputeBackend"/> (the same code then runs on the CPU or
/// on a GPU), collect their <see cref="Parameters"/> into an optimiser, and for each mini-batch call
/// <c>Forward</c> through the layers, compute a loss and its gradient (<see cref="BinaryCrossEntropyLoss"/> ...),
/// then call <c>Backward</c> in reverse order with the gradient each call returns, and <c>optimizer.Step()</c>.
/// Sparse inputs enter through <see cref="SparseLinear"/> (a <see cref="SparseTensor"/> batch) and token ids
/// through <see cref="EmbeddingBag"/>; their Backward returns nothing. See Neural/README.md for a complete loop.
/// </para>
/// <para>
/// Contract: Forward caches what Backward needs (its input, or its output) and returns a tensor the layer owns and
/// reuses on the next call (copy it to keep it); Backward uses the cache of the latest Forward, accumulates into
/// the parameters' gradients (zero them with <see cref="IOptimizer.ZeroGradients"/>) and returns the gradient with
/// respect to the input, also owned by the layer. Layers are not thread-safe.
/// </para>
/// </summary>
public interface ILayer : IDisposable
{
    /// <summary>The layer's output for <paramref name="input"/>; <paramref name="training"/> enables dropout.</summary>
    Tensor Forward(Tensor input, bool training = true);

    /// <summary>Back-propagates <paramref name="gradOutput"/> through the latest Forward; returns the input gradient.</summary>
    Tensor Backward(Tensor gradOutput);

    /// <summary>The trainable parameters (empty for parameter-free layers).</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}

/// <summary>Reusable output buffers for layers: reallocated only when the batch shape changes.</summary>
internal static class Buffers
{
    public static Tensor Ensure(IComputeBackend backend, Tensor? current, int rows, int cols)
    {
        if (current is not null && current.Rows == rows && current.Cols == cols) return current;
        current?.Dispose();
        return backend.Allocate(rows, cols);
    }

    public static T Cached<T>(T? value, string layer) where T : class =>
        value ?? throw new InvalidOperationException($"{layer}: Backward called before Forward");
}
