using XcNotebooks.Neural;
using XcNotebooks.Compute;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>How gradients reach the logits of a <see cref="StochasticBinaryLayer"/> through its discrete samples.</summary>
public enum BinaryGradientEstimator
{
    /// <summary>
    /// Straight-through (Bengio et al. 2013): the forward pass emits the sample b, the backward pass treats b as if it
    /// were p = σ(z), so ∂L/∂z = ∂L/∂b · p (1 − p). Biased, low variance.
    /// </summary>
    StraightThrough,

    /// <summary>
    /// REINFORCE (Williams 1992): ∂/∂z of E[L] estimated by (L − baseline) · (b − p) per point, with the loss L of the
    /// point's sampled code. Unbiased, high variance; call <see cref="StochasticBinaryLayer.ReinforceBackward"/>.
    /// </summary>
    Reinforce,
}

/// <summary>
/// A layer of independent stochastic binary units: from logits z it computes p = σ(z) and emits, in training, a code
/// b ~ Bernoulli(p) (draws from a counter-based hash of (seed, call, element): identical on every backend), and at
/// evaluation the deterministic code b = 1[z &gt; 0] (p &gt; 0.5). Gradients reach z by the
/// <see cref="BinaryGradientEstimator"/> chosen.
/// </summary>
public sealed class StochasticBinaryLayer : ILayer
{
    private readonly IComputeBackend _backend;
    private readonly int _seed;
    private long _calls;
    private bool _sampled;
    private Tensor? _logits, _probabilities, _codes, _gradInput;

    /// <summary>A code layer drawing its samples from <paramref name="seed"/>.</summary>
    public StochasticBinaryLayer(IComputeBackend backend, int seed, BinaryGradientEstimator estimator = BinaryGradientEstimator.StraightThrough)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        if (!Enum.IsDefined(estimator)) throw new ArgumentException($"unknown gradient estimator {estimator}");
        _seed = seed;
        Estimator = estimator;
    }

    /// <summary>How gradients reach the logits.</summary>
    public BinaryGradientEstimator Estimator { get; }

    /// <summary>p = σ(z) of the latest Forward (owned by the layer).</summary>
    public Tensor Probabilities => Buffers.Cached(_probabilities, "binary code");

    /// <summary>The code b of the latest Forward (owned by the layer).</summary>
    public Tensor Codes => Buffers.Cached(_codes, "binary code");

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary>The code of each row: a Bernoulli sample when <paramref name="training"/>, else 1[z &gt; 0].</summary>
    public Tensor Forward(Tensor input, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        _logits = input;
        _probabilities = Buffers.Ensure(_backend, _probabilities, input.Rows, input.Cols);
        _codes = Buffers.Ensure(_backend, _codes, input.Rows, input.Cols);
        _backend.Activate(Activation.Sigmoid, input, _probabilities);
        _sampled = training;
        if (training) _backend.SampleBernoulli(_probabilities, _codes, (ulong)(uint)_seed << 32 | (ulong)_calls++);
        else _backend.ThresholdCodes(input, _codes);
        return _codes;
    }

    /// <summary>Straight-through: ∂L/∂z = ∂L/∂b · p (1 − p).</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        if (Estimator != BinaryGradientEstimator.StraightThrough)
            throw new InvalidOperationException("this code layer uses REINFORCE: call ReinforceBackward with the per-point advantages");
        var logits = Buffers.Cached(_logits, "binary code");
        _gradInput = Buffers.Ensure(_backend, _gradInput, logits.Rows, logits.Cols);
        _backend.ActivationBackward(Activation.Sigmoid, logits, _probabilities!, gradOutput, _gradInput);
        return _gradInput;
    }

    /// <summary>
    /// REINFORCE: ∂/∂z ← advantages[i] · (b − p) for the codes sampled by the latest training Forward, where
    /// advantages (rows x 1) hold each point's (loss − baseline), already scaled by the loss reduction (e.g. 1/rows).
    /// </summary>
    public Tensor ReinforceBackward(Tensor advantages)
    {
        var logits = Buffers.Cached(_logits, "binary code");
        if (!_sampled) throw new InvalidOperationException("REINFORCE needs the codes of a training Forward (sampled), not of an evaluation one");
        _gradInput = Buffers.Ensure(_backend, _gradInput, logits.Rows, logits.Cols);
        _backend.ScoreFunctionGradient(_codes!, _probabilities!, advantages, _gradInput);
        return _gradInput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _probabilities?.Dispose();
        _codes?.Dispose();
        _gradInput?.Dispose();
    }
}
