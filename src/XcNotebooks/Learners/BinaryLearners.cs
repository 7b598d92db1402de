using System.Numerics;
using System.Runtime.CompilerServices;
using XcNotebooks.Core;

namespace XcNotebooks.Learners;

/// <summary>Which online binary learner to use for each binary sub-problem.</summary>
public enum BinaryLearnerKind
{
    /// <summary>Adaptive regularisation of weight vectors (Crammer et al. 2009), diagonal covariance.</summary>
    Arow,
    /// <summary>Averaged perceptron with a margin (as in LTLS).</summary>
    AveragedPerceptron,
    /// <summary>L2-regularised L2-loss SVM by dual coordinate descent (LIBLINEAR -s 1, its default).</summary>
    SvmL2LossDual,
    /// <summary>L2-regularised L1-loss (hinge) SVM by dual coordinate descent (LIBLINEAR -s 3).</summary>
    SvmL1LossDual,
    /// <summary>L2-regularised logistic regression by dual coordinate descent (LIBLINEAR -s 7).</summary>
    LogisticDual,
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

    /// <summary>Dual coordinate descent: the cost C of the loss term (LIBLINEAR's -c).</summary>
    public double Cost { get; init; } = 1;

    /// <summary>Dual coordinate descent: the stopping tolerance (LIBLINEAR's -e; its default 0.1 for -s 1, 3 and 7).</summary>
    public double Tolerance { get; init; } = 0.1;

    /// <summary>Dual coordinate descent: the most passes over the data (LIBLINEAR stops at 1000 too).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Dual coordinate descent (SVMs): set aside coordinates stuck at a bound, as LIBLINEAR does.</summary>
    public bool Shrinking { get; init; } = true;

    /// <summary>
    /// Dual coordinate descent (SVMs): solve each problem on an active set (PPDSparse, Yen et al. KDD 2017): the
    /// positives first, then, round by round, the points outside the set that violate the optimality conditions (found
    /// by scoring through the features' inverted index), until none does. The same optimum as the full dual to the
    /// tolerance, far faster when the positives are few (one-vs-rest on many labels: 10x less CPU than the full dual
    /// on all of WordNet's points), slower when they are many (sector, bibtex). It pays off only with a bias feature:
    /// without one, every negative sharing no feature with w scores 0 (gradient -1), violates, and joins the set.
    /// </summary>
    public bool ActiveSet { get; init; }

    /// <summary>
    /// DiSMEC's pruning: after training, weights with |w| below this are set to 0 (DiSMEC uses 0.01); 0 keeps all.
    /// </summary>
    public double PruneBelow { get; init; }

    /// <summary>True for the online learners (AROW, perceptron), trained by epochs of banks; false for dual coordinate descent.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOnline => Kind is BinaryLearnerKind.Arow or BinaryLearnerKind.AveragedPerceptron;

    /// <summary>The name the original CLI uses ("AROW", "perceptron"), or the dual coordinate descent learner's.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Kind switch
    {
        BinaryLearnerKind.Arow => "AROW",
        BinaryLearnerKind.AveragedPerceptron => "perceptron",
        BinaryLearnerKind.SvmL2LossDual => ActiveSet ? "L2-SVM dual CD, active set" : "L2-SVM dual CD",
        BinaryLearnerKind.SvmL1LossDual => ActiveSet ? "L1-SVM dual CD, active set" : "L1-SVM dual CD",
        BinaryLearnerKind.LogisticDual => "logistic dual CD",
        _ => Kind.ToString(),
    };

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public BinaryLearnerOptions Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"unknown binary learner {Kind}");
        if (!(ArowR > 0)) throw new ArgumentException($"AROW r must be positive, got {ArowR}");
        if (!(ArowStepSize > 0)) throw new ArgumentException($"AROW step size must be positive, got {ArowStepSize}");
        if (!double.IsFinite(MarginThreshold)) throw new ArgumentException($"margin threshold must be finite, got {MarginThreshold}");
        if (!(Cost > 0) || !double.IsFinite(Cost)) throw new ArgumentException($"cost C must be positive, got {Cost}");
        if (!(Tolerance > 0) || !double.IsFinite(Tolerance)) throw new ArgumentException($"tolerance must be positive, got {Tolerance}");
        if (MaxIterations < 1) throw new ArgumentException($"max iterations must be at least 1, got {MaxIterations}");
        if (ActiveSet && Kind is not (BinaryLearnerKind.SvmL2LossDual or BinaryLearnerKind.SvmL1LossDual))
            throw new ArgumentException($"the active set is an option of the dual coordinate descent SVMs (svm, l1svm), not of {DisplayName}");
        if (!(PruneBelow >= 0) || !double.IsFinite(PruneBelow)) throw new ArgumentException($"prune threshold must be 0 or positive, got {PruneBelow}");
        return this;
    }

    /// <summary>A bank of <paramref name="width"/> fresh learners over <paramref name="dimension"/> features.</summary>
    public LinearLearnerBank CreateBank(int dimension, int width) => CreateBank(dimension, width, null);

    /// <summary>
    /// <see cref="CreateBank(int, int)"/> keeping its state in <paramref name="storage"/> (a dropped bank's
    /// <see cref="LinearLearnerBank.Storage"/>) when that is large enough, reset to a fresh bank's values: the same
    /// learners without allocating another model-sized array.
    /// </summary>
    internal LinearLearnerBank CreateBank(int dimension, int width, float[]? storage) => Kind switch
    {
        BinaryLearnerKind.Arow => new ArowBank(dimension, width, ArowR, MarginThreshold, ArowStepSize, storage),
        BinaryLearnerKind.AveragedPerceptron => new AveragedPerceptronBank(dimension, width, MarginThreshold, storage),
        _ => throw new ArgumentException($"{DisplayName} is a batch learner: it has no online bank (train it through LinearLearners.TrainWeights)"),
    };

    /// <summary>The names <see cref="ParseKind"/> accepts, for help texts.</summary>
    public const string KindNames = "AROW, perceptron, svm (L2-loss SVM, LIBLINEAR -s 1), l1svm (-s 3) or logistic (-s 7)";

    /// <summary>
    /// Parses "AROW", "perceptron" (or "averaged-perceptron"), "svm" (or "l2svm", "s1": L2-loss SVM), "l1svm" (or "s3")
    /// and "logistic" (or "lr", "s7"), case-insensitive.
    /// </summary>
    public static BinaryLearnerKind ParseKind(string name) => name.Trim().ToLowerInvariant().Replace("-", "").Replace("_", "").Replace(" ", "") switch
    {
        "arow" => BinaryLearnerKind.Arow,
        "perceptron" or "averagedperceptron" => BinaryLearnerKind.AveragedPerceptron,
        "svm" or "l2svm" or "s1" or "svml2lossdual" => BinaryLearnerKind.SvmL2LossDual,
        "l1svm" or "s3" or "svml1lossdual" => BinaryLearnerKind.SvmL1LossDual,
        "logistic" or "lr" or "s7" or "logisticdual" => BinaryLearnerKind.LogisticDual,
        _ => throw new ArgumentException($"unknown binary classifier '{name}': expected {KindNames}"),
    };
}

/// <summary>
/// <see cref="Width"/> online linear binary classifiers over the same <see cref="Dimension"/> sparse features,
/// stored feature-major: row j holds every learner's value for feature j, so one pass over a point's non-zeros
/// serves all learners with SIMD across them. Learners never interact: each lane computes exactly what a lone
/// scalar learner would (same operations in the same order), whatever the width or the machine's vector size.
/// Not thread-safe: one thread trains one bank.
/// </summary>
public abstract class LinearLearnerBank
{
    /// <summary>
    /// Per feature row: Stride weights, then Stride values of the learner's second state (covariance or sum). Lanes
    /// past Width pad the row to whole SIMD vectors; they never update and are never read out.
    /// </summary>
    private protected readonly float[] State;
    private readonly float[] _margins;

    private protected LinearLearnerBank(int dimension, int width, float secondStateInitial, float[]? storage = null)
    {
        if (dimension < 0) throw new ArgumentException($"negative dimension {dimension}");
        if (width < 1) throw new ArgumentException($"a bank needs at least one learner, got {width}");
        Dimension = dimension;
        Width = width;
        int lanes = Vector.IsHardwareAccelerated ? Vector<float>.Count : 1;
        Stride = (width + lanes - 1) / lanes * lanes;
        long size = 2L * Stride * dimension;
        if (size > Array.MaxLength)
            throw new ArgumentException($"{width} learners over {dimension:N0} features need {size:N0} state values, more than one array holds; use more, narrower banks");
        if (storage is not null && storage.LongLength >= size)
        {
            State = storage; // rows past size are never read
            State.AsSpan(0, (int)size).Clear();
        }
        else State = new float[size];
        if (secondStateInitial != 0)
            for (long row = 0; row < size; row += 2 * Stride) State.AsSpan((int)row + Stride, Stride).Fill(secondStateInitial);
        _margins = new float[Stride];
    }

    /// <summary>Number of features.</summary>
    public int Dimension { get; }

    /// <summary>The array holding the learners' state, for a later bank to reuse once this one is dropped.</summary>
    internal float[] Storage => State;

    /// <summary>Number of learners.</summary>
    public int Width { get; }

    /// <summary>Lanes per row: Width rounded up to whole SIMD vectors.</summary>
    private protected int Stride { get; }

    /// <summary>Bytes of the weights used at test time (4 per feature and learner).</summary>
    public long ModelBytes => 4L * Dimension * Width;

    /// <summary>margins[l] = w_l . x with the training-time weights, x given by its non-zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> margins)
    {
        CheckWidth(margins.Length);
        var all = _margins.AsSpan();
        all.Clear();
        for (int j = 0; j < indices.Length; j++) LaneMath.AddScaled(all, Weights(indices[j]), values[j]);
        all[..Width].CopyTo(margins);
    }

    /// <summary>
    /// One online update of every learner on x with its label (±1, from <paramref name="labels"/>) and its
    /// pre-update margin (from <see cref="Margins"/>).
    /// </summary>
    internal abstract void Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<sbyte> labels, ReadOnlySpan<float> margins);

    /// <summary>Margins, then the update: one online step; the pre-update margins are left in <paramref name="margins"/>.</summary>
    internal void Learn(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<sbyte> labels, Span<float> margins)
    {
        Margins(indices, values, margins);
        Update(indices, values, labels, margins);
    }

    /// <summary>Writes learner l's evaluation weights into column <paramref name="firstColumn"/> + l of a D-row matrix.</summary>
    public abstract void CopyWeightsTo(RowMajorMatrix destination, int firstColumn);

    /// <summary>Learner <paramref name="learner"/>'s evaluation weights (a copy).</summary>
    public float[] WeightsOf(int learner)
    {
        var column = new RowMajorMatrix(Dimension, Width);
        CopyWeightsTo(column, 0);
        return Enumerable.Range(0, Dimension).Select(j => column[j, learner]).ToArray();
    }

    private protected Span<float> Weights(int feature) => State.AsSpan(2 * Stride * feature, Stride);

    private protected Span<float> SecondState(int feature) => State.AsSpan(2 * Stride * feature + Stride, Stride);

    private protected void CheckWidth(int length)
    {
        if (length != Width) throw new ArgumentException($"expected {Width} values (one per learner), got {length}");
    }

    private protected void CheckDestination(RowMajorMatrix destination, int firstColumn)
    {
        if (destination.Rows != Dimension || firstColumn < 0 || firstColumn + Width > destination.Cols)
            throw new ArgumentException($"a {destination.Rows} x {destination.Cols} matrix has no room for {Width} columns from {firstColumn} of {Dimension} rows");
    }
}

/// <summary>
/// AROW with a diagonal covariance, one learner per lane: mean w (0) and covariance Sigma (1). When y m &lt;= the
/// threshold: v = sum x_j^2 Sigma_j, beta = 1 / (v + r), alpha = max(0, 1 - y m) beta, w_j += step alpha y Sigma_j x_j,
/// Sigma_j -= beta (Sigma_j x_j)^2, on x's non-zeros only.
/// </summary>
public sealed class ArowBank : LinearLearnerBank
{
    private readonly double _r, _threshold, _step;
    private readonly float[] _variance, _alpha, _beta;

    /// <summary>A bank of <paramref name="width"/> AROW learners with r, update threshold and step size.</summary>
    public ArowBank(int dimension, int width, double r = 1, double marginThreshold = 1, double stepSize = 1) : this(dimension, width, r, marginThreshold, stepSize, null) { }

    internal ArowBank(int dimension, int width, double r, double marginThreshold, double stepSize, float[]? storage) : base(dimension, width, 1f, storage)
    {
        _r = r;
        _threshold = marginThreshold;
        _step = stepSize;
        _variance = new float[Stride];
        _alpha = new float[Stride]; // padding lanes stay 0: they never move
        _beta = new float[Stride];
    }

    /// <summary>Learner <paramref name="learner"/>'s covariance diagonal (a copy).</summary>
    public float[] CovarianceOf(int learner) => Enumerable.Range(0, Dimension).Select(j => SecondState(j)[learner]).ToArray();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<sbyte> labels, ReadOnlySpan<float> margins)
    {
        CheckWidth(labels.Length);
        CheckWidth(margins.Length);
        bool any = false;
        for (int l = 0; l < Width; l++) any |= labels[l] * (double)margins[l] <= _threshold;
        if (!any) return;
        _variance.AsSpan().Clear();
        for (int j = 0; j < indices.Length; j++) LaneMath.AddScaled(_variance, SecondState(indices[j]), values[j] * values[j]);
        for (int l = 0; l < Width; l++)
        {
            double m = labels[l] * (double)margins[l];
            if (m > _threshold)
            {
                _alpha[l] = 0; // lanes that keep still: adding 0 leaves their values bit for bit
                _beta[l] = 0;
                continue;
            }
            double beta = 1.0 / (_variance[l] + _r);
            _alpha[l] = (float)(_step * Math.Max(0, 1 - m) * beta * labels[l]);
            _beta[l] = (float)beta;
        }
        for (int j = 0; j < indices.Length; j++)
            LaneMath.ArowStep(Weights(indices[j]), SecondState(indices[j]), values[j], _alpha, _beta);
    }

    /// <inheritdoc/>
    public override void CopyWeightsTo(RowMajorMatrix destination, int firstColumn)
    {
        CheckDestination(destination, firstColumn);
        for (int j = 0; j < Dimension; j++) Weights(j)[..Width].CopyTo(destination.Row(j).Slice(firstColumn, Width));
    }
}

/// <summary>
/// Averaged perceptron with a margin, one learner per lane: when y m &lt;= threshold, w += y x; the running average is
/// kept by the counter trick (u += c y x, c counting examples seen; average = w - u / c), as the W-LTLS code does.
/// Margins during training use w; evaluation uses the average.
/// </summary>
public sealed class AveragedPerceptronBank : LinearLearnerBank
{
    private readonly double _threshold;
    private readonly float[] _step;
    private long _counter = 1;

    /// <summary>A bank of <paramref name="width"/> averaged perceptrons.</summary>
    public AveragedPerceptronBank(int dimension, int width, double marginThreshold = 1) : this(dimension, width, marginThreshold, null) { }

    internal AveragedPerceptronBank(int dimension, int width, double marginThreshold, float[]? storage) : base(dimension, width, 0f, storage)
    {
        _threshold = marginThreshold;
        _step = new float[Stride]; // padding lanes stay 0: they never move
    }

    /// <summary>Examples seen plus one (the averaging counter).</summary>
    public long Counter => _counter;

    /// <summary>Learner <paramref name="learner"/>'s current (unaveraged) weights, a copy.</summary>
    public float[] CurrentWeightsOf(int learner) => Enumerable.Range(0, Dimension).Select(j => Weights(j)[learner]).ToArray();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override void Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<sbyte> labels, ReadOnlySpan<float> margins)
    {
        CheckWidth(labels.Length);
        CheckWidth(margins.Length);
        _counter++;
        bool any = false;
        for (int l = 0; l < Width; l++)
        {
            bool update = labels[l] * (double)margins[l] <= _threshold;
            _step[l] = update ? labels[l] : 0;
            any |= update;
        }
        if (!any) return;
        float c = _counter;
        for (int j = 0; j < indices.Length; j++)
            LaneMath.PerceptronStep(Weights(indices[j]), SecondState(indices[j]), values[j], _step, c);
    }

    /// <inheritdoc/>
    public override void CopyWeightsTo(RowMajorMatrix destination, int firstColumn)
    {
        CheckDestination(destination, firstColumn);
        float c = _counter;
        for (int j = 0; j < Dimension; j++)
        {
            var w = Weights(j);
            var u = SecondState(j);
            var row = destination.Row(j).Slice(firstColumn, Width);
            for (int l = 0; l < Width; l++) row[l] = w[l] - u[l] / c;
        }
    }
}
