namespace XcNotebooks.Learners;

/// <summary>Which online binary learner to use for each binary sub-problem.</summary>
public enum BinaryLearnerKind
{
    /// <summary>Adaptive regularisation of weight vectors (Crammer et al. 2009), diagonal covariance.</summary>
    Arow,
    /// <summary>Averaged perceptron with a margin (as in LTLS).</summary>
    AveragedPerceptron,
}

/// <summary>Settings of the online binary learners (defaults: the W-LTLS code's values).</summary>
public sealed record BinaryLearnerOptions
{
    /// <summary>The learner.</summary>
    public BinaryLearnerKind Kind { get; init; } = BinaryLearnerKind.Arow;

    /// <summary>Update when label * margin is at most this (both learners).</summary>
    public double MarginThreshold { get; init; } = 1;

    /// <summary>AROW's regularisation r.</summary>
    public double ArowR { get; init; } = 1;

    /// <summary>AROW's step size on the mean update.</summary>
    public double ArowStepSize { get; init; } = 1;

    /// <summary>The name the original CLI uses ("AROW", "perceptron").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Kind == BinaryLearnerKind.Arow ? "AROW" : "perceptron";

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public BinaryLearnerOptions Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"unknown binary learner {Kind}");
        if (!(ArowR > 0)) throw new ArgumentException($"AROW r must be positive, got {ArowR}");
        if (!(ArowStepSize > 0)) throw new ArgumentException($"AROW step size must be positive, got {ArowStepSize}");
        if (!double.IsFinite(MarginThreshold)) throw new ArgumentException($"margin threshold must be finite, got {MarginThreshold}");
        return this;
    }

    /// <summary>A fresh learner over <paramref name="dimension"/> features.</summary>
    public IBinaryLinearLearner Create(int dimension) => Kind switch
    {
        BinaryLearnerKind.Arow => new ArowLearner(dimension, ArowR, MarginThreshold, ArowStepSize),
        BinaryLearnerKind.AveragedPerceptron => new AveragedPerceptronLearner(dimension, MarginThreshold),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>Parses "AROW" or "perceptron" (case-insensitive; "averaged-perceptron" too).</summary>
    public static BinaryLearnerKind ParseKind(string name) => name.Trim().ToLowerInvariant().Replace("-", "").Replace("_", "") switch
    {
        "arow" => BinaryLearnerKind.Arow,
        "perceptron" or "averagedperceptron" => BinaryLearnerKind.AveragedPerceptron,
        _ => throw new ArgumentException($"unknown binary classifier '{name}': expected AROW or perceptron"),
    };
}

/// <summary>
/// An online linear binary classifier on sparse inputs: the training-time margin, an update on (x, y, margin), and
/// the weights used for evaluation. Not thread-safe: one thread trains one learner.
/// </summary>
public interface IBinaryLinearLearner
{
    /// <summary>Number of features.</summary>
    int Dimension { get; }

    /// <summary>Bytes of the weights used at test time (4 per feature).</summary>
    long ModelBytes => 4L * Dimension;

    /// <summary>w . x with the training-time weights, x given by its non-zeros.</summary>
    float Margin(ReadOnlySpan<int> indices, ReadOnlySpan<float> values);

    /// <summary>Learns from x with label <paramref name="label"/> (±1) whose current margin is <paramref name="margin"/>; true if it updated.</summary>
    bool Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label, float margin);

    /// <summary>Writes the evaluation weights (the mean for AROW, the average for the perceptron).</summary>
    void CopyWeightsTo(Span<float> destination);

    /// <summary>One online step: the pre-update margin on x, then the update with label <paramref name="label"/>; returns the margin.</summary>
    float Learn(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label)
    {
        float margin = Margin(indices, values);
        Update(indices, values, label, margin);
        return margin;
    }
}

/// <summary>
/// AROW with a diagonal covariance: mean w (0) and covariance Sigma (1). When y m &lt;= margin threshold:
/// v = sum x_j^2 Sigma_j, beta = 1 / (v + r), alpha = max(0, 1 - y m) beta, w_j += step alpha y Sigma_j x_j,
/// Sigma_j -= beta (Sigma_j x_j)^2, on x's non-zeros only.
/// </summary>
public sealed class ArowLearner : IBinaryLinearLearner
{
    // Mean and covariance interleaved (w_0, S_0, w_1, S_1, ...): an update touches both at the same feature.
    private readonly float[] _state;
    private readonly double _r, _threshold, _step;

    /// <summary>A learner over <paramref name="dimension"/> features with AROW's r, update threshold and step size.</summary>
    public ArowLearner(int dimension, double r = 1, double marginThreshold = 1, double stepSize = 1)
    {
        if (dimension < 0) throw new ArgumentException($"negative dimension {dimension}");
        Dimension = dimension;
        _state = new float[2L * dimension];
        for (int j = 0; j < dimension; j++) _state[2 * j + 1] = 1f;
        _r = r;
        _threshold = marginThreshold;
        _step = stepSize;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>The mean vector (a copy).</summary>
    public float[] Mean()
    {
        var mean = new float[Dimension];
        CopyWeightsTo(mean);
        return mean;
    }

    /// <summary>The diagonal of the covariance (a copy).</summary>
    public float[] Covariance()
    {
        var cov = new float[Dimension];
        for (int j = 0; j < Dimension; j++) cov[j] = _state[2 * j + 1];
        return cov;
    }

    /// <inheritdoc/>
    public float Margin(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        var s = _state;
        float sum = 0;
        for (int j = 0; j < indices.Length; j++) sum += values[j] * s[2 * indices[j]];
        return sum;
    }

    /// <inheritdoc/>
    public bool Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label, float margin)
    {
        if (label * (double)margin > _threshold) return false;
        var s = _state;
        float v = 0;
        for (int j = 0; j < indices.Length; j++) v += values[j] * values[j] * s[2 * indices[j] + 1];
        Apply(indices, values, label, margin, v);
        return true;
    }

    /// <inheritdoc/>
    public float Learn(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label)
    {
        // One gather pass gives both the margin and the variance x^T Sigma x (mean and covariance sit side by side).
        var s = _state;
        float margin = 0, v = 0;
        for (int j = 0; j < indices.Length; j++)
        {
            int at = 2 * indices[j];
            float x = values[j];
            margin += x * s[at];
            v += x * x * s[at + 1];
        }
        if (label * (double)margin <= _threshold) Apply(indices, values, label, margin, v);
        return margin;
    }

    private void Apply(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label, float margin, float v)
    {
        var s = _state;
        double m = label * (double)margin;
        double beta = 1.0 / (v + _r);
        float alphaY = (float)(_step * Math.Max(0, 1 - m) * beta * label);
        float betaF = (float)beta;
        for (int j = 0; j < indices.Length; j++)
        {
            int at = 2 * indices[j];
            float covX = s[at + 1] * values[j];
            s[at] += alphaY * covX;
            s[at + 1] -= betaF * covX * covX;
        }
    }

    /// <inheritdoc/>
    public void CopyWeightsTo(Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"destination has {destination.Length} entries, expected {Dimension}");
        for (int j = 0; j < destination.Length; j++) destination[j] = _state[2 * j];
    }
}

/// <summary>
/// Averaged perceptron with a margin: when y m &lt;= threshold, w += y x; the running average is kept by the
/// counter trick (u += c y x with c the number of examples seen, average = w - u / c), as the W-LTLS code does.
/// Margins during training use w; evaluation uses the average.
/// </summary>
public sealed class AveragedPerceptronLearner : IBinaryLinearLearner
{
    private readonly float[] _w;
    private readonly float[] _u;
    private readonly double _threshold;
    private long _counter = 1;

    /// <summary>A learner over <paramref name="dimension"/> features.</summary>
    public AveragedPerceptronLearner(int dimension, double marginThreshold = 1)
    {
        if (dimension < 0) throw new ArgumentException($"negative dimension {dimension}");
        Dimension = dimension;
        _w = new float[dimension];
        _u = new float[dimension];
        _threshold = marginThreshold;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Examples seen plus one (the averaging counter).</summary>
    public long Counter => _counter;

    /// <summary>The current (unaveraged) weights, a copy.</summary>
    public float[] CurrentWeights() => (float[])_w.Clone();

    /// <inheritdoc/>
    public float Margin(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        float sum = 0;
        for (int j = 0; j < indices.Length; j++) sum += values[j] * _w[indices[j]];
        return sum;
    }

    /// <inheritdoc/>
    public bool Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label, float margin)
    {
        _counter++;
        if (label * (double)margin > _threshold) return false;
        float c = _counter;
        for (int j = 0; j < indices.Length; j++)
        {
            float step = label * values[j];
            _w[indices[j]] += step;
            _u[indices[j]] += c * step;
        }
        return true;
    }

    /// <inheritdoc/>
    public void CopyWeightsTo(Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"destination has {destination.Length} entries, expected {Dimension}");
        float c = _counter;
        for (int j = 0; j < destination.Length; j++) destination[j] = _w[j] - _u[j] / c;
    }
}
