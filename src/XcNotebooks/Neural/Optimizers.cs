using XcNotebooks.Compute;

namespace XcNotebooks.Neural;

/// <summary>Updates a set of parameters from their accumulated gradients.</summary>
public interface IOptimizer : IDisposable
{
    /// <summary>The parameters updated.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of steps taken.</summary>
    int Steps { get; }

    /// <summary>One update with the configured learning rate.</summary>
    void Step();

    /// <summary>One update with <paramref name="learningRate"/> (for schedules: warm-up, decay).</summary>
    void Step(float learningRate);

    /// <summary>Zeroes every parameter's gradient (call before each mini-batch's backward pass).</summary>
    void ZeroGradients();
}

/// <summary>Adam / AdamW settings (PyTorch's defaults; <see cref="AdamW"/> gives AdamW's).</summary>
public sealed record AdamOptions
{
    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Denominator guard.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Weight decay (0: none).</summary>
    public float WeightDecay { get; init; }

    /// <summary>True: decoupled decay (AdamW); false: L2 added to the gradient (Adam).</summary>
    public bool Decoupled { get; init; }

    /// <summary>Parameters whose name contains one of these get no weight decay (e.g. "bias", "norm").</summary>
    public IReadOnlyList<string> NoDecayNameContains { get; init; } = [];

    /// <summary>AdamW with PyTorch's default decay 0.01.</summary>
    public static AdamOptions AdamW(float learningRate = 1e-3f, float weightDecay = 0.01f) =>
        new() { LearningRate = learningRate, WeightDecay = weightDecay, Decoupled = true };
}

/// <summary>SGD settings.</summary>
public sealed record SgdOptions
{
    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Momentum (0: plain SGD).</summary>
    public float Momentum { get; init; }

    /// <summary>L2 weight decay added to the gradient.</summary>
    public float WeightDecay { get; init; }
}

/// <summary>
/// Shared optimiser mechanics: per-parameter state tensors allocated on first use, row-restricted (lazy) updates
/// for row-sparse parameters.
/// </summary>
public abstract class OptimizerBase : IOptimizer
{
    private readonly Dictionary<Parameter, Tensor[]> _state = [];

    /// <summary>An optimiser over <paramref name="parameters"/>.</summary>
    protected OptimizerBase(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.Distinct().ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("an optimiser needs at least one parameter");
    }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    public int Steps { get; private set; }

    /// <summary>The configured learning rate.</summary>
    public abstract float LearningRate { get; }

    /// <inheritdoc />
    public void Step() => Step(LearningRate);

    /// <inheritdoc />
    public void Step(float learningRate)
    {
        Steps++;
        foreach (var p in Parameters)
        {
            if (!_state.TryGetValue(p, out var state))
            {
                state = Enumerable.Range(0, StateTensors).Select(_ => p.Backend.Allocate(p.Rows, p.Cols)).ToArray();
                _state[p] = state;
            }
            if (!p.RowSparse)
            {
                Update(p, state, learningRate, null);
                continue;
            }
            if (p.TouchedRows.Count == 0) continue;
            using var rows = p.TouchedRowTensor();
            Update(p, state, learningRate, rows);
        }
    }

    /// <inheritdoc />
    public void ZeroGradients()
    {
        foreach (var p in Parameters) p.ZeroGradient();
    }

    /// <summary>Frees the optimiser state.</summary>
    public void Dispose()
    {
        foreach (var tensors in _state.Values)
            foreach (var t in tensors) t.Dispose();
        _state.Clear();
    }

    /// <summary>Number of state tensors per parameter (Adam: 2, SGD: 1).</summary>
    protected abstract int StateTensors { get; }

    /// <summary>Applies one update to <paramref name="parameter"/> (only <paramref name="rows"/> when given).</summary>
    protected abstract void Update(Parameter parameter, IReadOnlyList<Tensor> state, float learningRate, IntTensor? rows);
}

/// <summary>Adam and AdamW (Kingma and Ba; Loshchilov and Hutter), in PyTorch's formulation.</summary>
public sealed class Adam(IEnumerable<Parameter> parameters, AdamOptions? options = null) : OptimizerBase(parameters)
{
    /// <summary>The settings.</summary>
    public AdamOptions Options { get; } = options ?? new AdamOptions();

    /// <inheritdoc />
    public override float LearningRate => Options.LearningRate;

    /// <inheritdoc />
    protected override int StateTensors => 2;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, IReadOnlyList<Tensor> state, float learningRate, IntTensor? rows)
    {
        bool decay = !Options.NoDecayNameContains.Any(s => parameter.Name.Contains(s, StringComparison.OrdinalIgnoreCase));
        var step = new AdamStep(learningRate, Options.Beta1, Options.Beta2, Options.Epsilon, decay ? Options.WeightDecay : 0f,
            Options.Decoupled, Steps);
        parameter.Backend.AdamUpdate(parameter.Value, parameter.Gradient, state[0], state[1], step, rows);
    }
}

/// <summary>Stochastic gradient descent with optional momentum and weight decay (PyTorch's form).</summary>
public sealed class Sgd(IEnumerable<Parameter> parameters, SgdOptions? options = null) : OptimizerBase(parameters)
{
    /// <summary>The settings.</summary>
    public SgdOptions Options { get; } = options ?? new SgdOptions();

    /// <inheritdoc />
    public override float LearningRate => Options.LearningRate;

    /// <inheritdoc />
    protected override int StateTensors => 1;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, IReadOnlyList<Tensor> state, float learningRate, IntTensor? rows) =>
        parameter.Backend.SgdUpdate(parameter.Value, parameter.Gradient, state[0],
            new SgdStep(learningRate, Options.Momentum, Options.WeightDecay), rows);
}

/// <summary>Gradient clipping.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by maxNorm / ‖g‖ when the global L2 norm ‖g‖ over all parameters exceeds
    /// <paramref name="maxNorm"/> (PyTorch's clip_grad_norm_); returns ‖g‖ before clipping.
    /// </summary>
    public static double ClipGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentException($"maxNorm must be positive, got {maxNorm}");
        double sum = 0;
        foreach (var p in parameters) sum += p.Backend.SumOfSquares(p.Gradient);
        double norm = Math.Sqrt(sum);
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1)
            foreach (var p in parameters) p.Backend.Scale(p.Gradient, (float)factor);
        return norm;
    }
}
