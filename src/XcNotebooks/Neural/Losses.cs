using XcNotebooks.Compute;

namespace XcNotebooks.Neural;

/// <summary>How a loss combines its per-element terms.</summary>
public enum LossReduction
{
    /// <summary>Mean over every element (PyTorch's default "mean").</summary>
    MeanOverElements,
    /// <summary>Sum over a row's elements, mean over rows (per-example loss).</summary>
    MeanOverRows,
    /// <summary>Plain sum.</summary>
    Sum,
}

/// <summary>
/// A loss with its gradient buffer: <c>Compute</c> returns the loss value (reading one number back from the
/// backend) and leaves ∂loss/∂prediction in <see cref="Gradient"/>, ready for the last layer's Backward.
/// </summary>
public abstract class Loss(IComputeBackend backend, LossReduction reduction) : IDisposable
{
    private Tensor? _gradient;

    /// <summary>The backend.</summary>
    protected IComputeBackend Backend { get; } = backend ?? throw new ArgumentNullException(nameof(backend));

    /// <summary>How terms are combined.</summary>
    public LossReduction Reduction { get; } = reduction;

    /// <summary>∂loss/∂prediction of the latest Compute (owned by the loss, reused).</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("Gradient read before Compute");

    /// <summary>The divisor the reduction applies to the summed loss.</summary>
    protected float Divisor(Tensor prediction) => Reduction switch
    {
        LossReduction.MeanOverElements => Math.Max(1, prediction.Length),
        LossReduction.MeanOverRows => Math.Max(1, prediction.Rows),
        _ => 1f,
    };

    /// <summary>The gradient buffer sized like <paramref name="prediction"/>.</summary>
    protected Tensor GradientFor(Tensor prediction) => _gradient = Buffers.Ensure(Backend, _gradient, prediction.Rows, prediction.Cols);

    /// <summary>Frees the gradient buffer.</summary>
    public void Dispose() => _gradient?.Dispose();
}

/// <summary>Binary cross-entropy on logits (PyTorch's BCEWithLogitsLoss): the multi-label XC loss.</summary>
public sealed class BinaryCrossEntropyLoss(IComputeBackend backend, LossReduction reduction = LossReduction.MeanOverElements)
    : Loss(backend, reduction)
{
    /// <summary>The loss of <paramref name="logits"/> against targets in [0, 1] of the same shape.</summary>
    public double Compute(Tensor logits, Tensor targets)
    {
        float divisor = Divisor(logits);
        return Backend.BinaryCrossEntropyWithLogits(logits, targets, GradientFor(logits), 1f / divisor) / divisor;
    }
}

/// <summary>Softmax cross-entropy with one class per row (PyTorch's CrossEntropyLoss).</summary>
public sealed class SoftmaxCrossEntropyLoss(IComputeBackend backend, LossReduction reduction = LossReduction.MeanOverRows)
    : Loss(backend, reduction)
{
    /// <summary>The loss of <paramref name="logits"/> against a class per row (classes is rows x 1).</summary>
    public double Compute(Tensor logits, IntTensor classes)
    {
        float divisor = Divisor(logits);
        return Backend.SoftmaxCrossEntropy(logits, classes, GradientFor(logits), 1f / divisor) / divisor;
    }
}

/// <summary>Squared error (PyTorch's MSELoss with the mean over elements): autoencoder reconstruction.</summary>
public sealed class MeanSquaredErrorLoss(IComputeBackend backend, LossReduction reduction = LossReduction.MeanOverElements)
    : Loss(backend, reduction)
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/>.</summary>
    public double Compute(Tensor prediction, Tensor target)
    {
        float divisor = Divisor(prediction);
        return Backend.SquaredError(prediction, target, GradientFor(prediction), 1f / divisor) / divisor;
    }
}
