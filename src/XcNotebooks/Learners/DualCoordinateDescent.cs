using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XcNotebooks.Core;

namespace XcNotebooks.Learners;

/// <summary>
/// The result of one dual coordinate descent run: the primal weights w = sum_i alpha_i y_i x_i (one per feature),
/// the dual variables alpha (one per point) and the number of outer iterations (passes) it took.
/// </summary>
public sealed record DualSolution(IReadOnlyList<double> Weights, IReadOnlyList<double> Alpha, int Iterations);

/// <summary>
/// Dual coordinate descent for L2-regularised linear classifiers on sparse rows, the algorithms behind LIBLINEAR's
/// -s 1 and -s 3 (Hsieh, Chang, Lin, Keerthi, Sundararajan, ICML 2008: L2-loss and L1-loss SVM, with shrinking) and
/// -s 7 (Yu, Huang, Lin, MLJ 2011: logistic regression, a Newton step per coordinate). One pass visits the points in
/// a fresh random order (explicit seed); training stops when the projected-gradient spread (SVM) or the largest
/// sub-problem gradient (logistic) falls to the tolerance, as LIBLINEAR's stopping rule.
/// </summary>
public static class DualCoordinateDescent
{
    /// <summary>
    /// Solves one binary problem: points are the rows of <paramref name="features"/>, <paramref name="labels"/> their
    /// ±1 labels; a bias, if wanted, is a constant column of the features (as LIBLINEAR's -B).
    /// </summary>
    public static DualSolution Solve(CsrMatrix features, IReadOnlyList<sbyte> labels, BinaryLearnerOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (labels.Count != features.Rows) throw new ArgumentException($"{labels.Count} labels for {features.Rows} points");
        var workspace = new Workspace(features, CheckedSquaredNorms(features), options.ActiveSet ? new ActiveSetIndex(features) : null);
        var y = labels.ToArray();
        int iterations = workspace.Solve(y, options, seed);
        int n = features.Rows;
        var alpha = options.Kind == BinaryLearnerKind.LogisticDual
            ? Enumerable.Range(0, n).Select(i => workspace.Alpha[2 * i]).ToArray()
            : workspace.Alpha[..n];
        return new DualSolution(workspace.W.ToArray(), alpha, iterations);
    }

    /// <summary>
    /// The dual objective (to be minimised) at <paramref name="alpha"/>, computed from scratch:
    /// SVM: 1/2 ||sum alpha_i y_i x_i||^2 + D/2 sum alpha_i^2 - sum alpha_i, with D = 1/(2C) for the L2 loss and 0 for
    /// the L1 loss; logistic: 1/2 ||w||^2 + sum alpha_i log alpha_i + (C - alpha_i) log(C - alpha_i) - l C log C.
    /// </summary>
    public static double DualObjective(CsrMatrix features, IReadOnlyList<sbyte> labels, IReadOnlyList<double> alpha, BinaryLearnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        var w = new double[features.Cols];
        for (int i = 0; i < features.Rows; i++)
        {
            var idx = features.RowIndices(i);
            var val = features.RowValues(i);
            for (int p = 0; p < idx.Length; p++) w[idx[p]] += alpha[i] * labels[i] * val[p];
        }
        double objective = 0.5 * w.Sum(v => v * v), c = options.Cost;
        for (int i = 0; i < features.Rows; i++)
        {
            double a = alpha[i];
            objective += options.Kind switch
            {
                BinaryLearnerKind.SvmL2LossDual => 0.25 / c * a * a - a,
                BinaryLearnerKind.SvmL1LossDual => -a,
                BinaryLearnerKind.LogisticDual => XLogX(a) + XLogX(c - a) - XLogX(c),
                _ => throw new ArgumentException($"{options.Kind} is not a dual coordinate descent learner"),
            };
        }
        return objective;
    }

    private static double XLogX(double x) => x > 0 ? x * Math.Log(x) : 0;

    /// <summary>
    /// Trains <paramref name="learners"/> independent binary learners on the same points, in parallel over learners
    /// (each with its own seed derived from <paramref name="seed"/> and its index, so results do not depend on the
    /// thread count), and writes learner l's weights into column l of the returned D x L matrix.
    /// </summary>
    internal static RowMajorMatrix TrainMany(CsrMatrix features, int learners, PointLabels labelsOf, BinaryLearnerOptions options, int seed,
        TrainingMonitor? monitor = null, string stage = "dual coordinate descent")
    {
        if (learners < 1) throw new ArgumentException($"need at least one learner, got {learners}");
        return TrainMany(features, Enumerable.Range(0, learners).ToArray(), labelsOf, options, seed, monitor, stage);
    }

    /// <summary>
    /// Trains only the learners numbered <paramref name="learnerIds"/> (a shard of a larger set) and writes learner
    /// learnerIds[c] into column c: each learner sees the same labels and seed as in the full set, so a shard's
    /// columns equal the full run's columns bit for bit (what label-sharded training relies on).
    /// </summary>
    internal static RowMajorMatrix TrainMany(CsrMatrix features, IReadOnlyList<int> learnerIds, PointLabels labelsOf, BinaryLearnerOptions options, int seed,
        TrainingMonitor? monitor = null, string stage = "dual coordinate descent")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(learnerIds);
        ArgumentNullException.ThrowIfNull(labelsOf);
        var weights = new RowMajorMatrix(features.Cols, learnerIds.Count);
        TrainInto(features, learnerIds, new LearnerTargets(labelsOf), options, seed,
            (first, count, block) => CopyBlockRows(block, count, features.Cols, weights, first), monitor, stage);
        return weights;
    }

    /// <summary>
    /// Copies the first <paramref name="rows"/> rows of a <see cref="WeightSink"/> block (rows of <paramref name="count"/>
    /// values) into columns first .. first + count - 1 of the same rows of <paramref name="destination"/>.
    /// </summary>
    internal static void CopyBlockRows(ReadOnlySpan<float> block, int count, int rows, RowMajorMatrix destination, int first)
    {
        var data = destination.Data;
        long cols = destination.Cols;
        for (int j = 0; j < rows; j++) block.Slice(j * count, count).CopyTo(data.AsSpan((int)(j * cols + first), count));
    }

    /// <summary>
    /// Receives the trained weights of the <paramref name="count"/> learners in columns first, first + 1, ...: a
    /// D x count row-major block of float32 values (row j: feature j's weight in each of them).
    /// </summary>
    internal delegate void WeightSink(int first, int count, ReadOnlySpan<float> block);

    /// <summary>Learners trained one after the other by one thread, whose weights are then handed over as one block of full cache lines.</summary>
    private const int SinkBlock = 16;

    /// <summary>
    /// The ±1 targets of many learners: <see cref="LabelsOf"/> gives them point by point; when
    /// <see cref="PositivesOf"/> is set, learner l is +1 exactly on the points PositivesOf[l] lists (and -1 elsewhere),
    /// the same targets filled in O(positives) instead of one call per point (one-vs-rest's mostly-negative learners).
    /// </summary>
    internal sealed record LearnerTargets(PointLabels LabelsOf, int[][]? PositivesOf = null);

    /// <summary>
    /// As <see cref="TrainMany(CsrMatrix, IReadOnlyList{int}, PointLabels, BinaryLearnerOptions, int, TrainingMonitor?, string)"/>,
    /// handing the learners' weights to <paramref name="sink"/> a block of up to 16 consecutive columns at a time (called
    /// from the worker threads, once per block; each row of a block is contiguous, so a D x L destination is written a
    /// cache line at a time, not one strided float per row) instead of into a matrix of its own, so the caller keeps them in their final form
    /// (one-vs-rest: a D x L float matrix and its bias weights, without a stacked copy).
    /// </summary>
    internal static void TrainInto(CsrMatrix features, IReadOnlyList<int> learnerIds, LearnerTargets targets, BinaryLearnerOptions options, int seed,
        WeightSink sink, TrainingMonitor? monitor = null, string stage = "dual coordinate descent")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(learnerIds);
        ArgumentNullException.ThrowIfNull(sink);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        int learners = learnerIds.Count;
        if (learners < 1) throw new ArgumentException($"need at least one learner, got {learners}");
        monitor ??= TrainingMonitor.Silent;
        int n = features.Rows, done = 0;
        long passes = 0;
        var squaredNorms = CheckedSquaredNorms(features);
        var activeSetIndex = options.ActiveSet ? new ActiveSetIndex(features) : null;
        monitor.Report(stage, 0, learners);
        int d = features.Cols, blocks = (learners + SinkBlock - 1) / SinkBlock;
        // At most one worker per core: each holds a workspace of ~(3n + D) doubles and a D x 16 float block, and
        // without the cap a loaded machine's thread pool grows to ~200 threads (measured on all of WordNet: 191
        // threads, ~2 GB of such buffers beside 4.8 GB of weights). Results do not depend on the worker count.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, blocks, parallel, () => (new Workspace(features, squaredNorms, activeSetIndex), new float[(long)d * SinkBlock]), (b, _, state) =>
        {
            var (workspace, block) = state;
            int first = b * SinkBlock, count = Math.Min(SinkBlock, learners - first);
            for (int k = 0; k < count; k++)
            {
                int l = learnerIds[first + k];
                var y = workspace.Labels;
                if (targets.PositivesOf is { } positives)
                {
                    Array.Fill(y, (sbyte)-1);
                    foreach (int i in positives[l]) y[i] = 1;
                }
                else for (int i = 0; i < n; i++) targets.LabelsOf(i, l, y.AsSpan(i, 1));
                Interlocked.Add(ref passes, workspace.Solve(y, options, SeedStreams.DualCoordinateDescent.LabelOrder.Of(seed, l)));
                var w = workspace.W;
                for (int j = 0; j < d; j++) block[j * count + k] = (float)w[j];
                monitor.Report(stage, Interlocked.Increment(ref done), learners);
            }
            sink(first, count, block.AsSpan(0, d * count));
            return state;
        }, _ => { });
        monitor.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{stage}: {learners:N0} {options.DisplayName} learners, {passes / (double)learners:F1} passes on average (C = {options.Cost}, eps = {options.Tolerance})"));
    }

    /// <summary>
    /// The points' squared norms, shared by every worker's <see cref="Workspace"/>; checks first that every column
    /// index is in range, since Dot and AddScaledRow index W without bounds checks (a matrix built with
    /// validate: false is checked here, once per training call).
    /// </summary>
    private static double[] CheckedSquaredNorms(CsrMatrix features)
    {
        foreach (int j in features.ColumnIndices.AsSpan(0, (int)features.RowPointers[features.Rows]))
            if ((uint)j >= (uint)features.Cols) throw new ArgumentException($"column index {j} is outside the {features.Cols} columns");
        var squaredNorms = new double[features.Rows];
        for (int i = 0; i < squaredNorms.Length; i++)
        {
            double sum = 0;
            foreach (float v in features.RowValues(i)) sum += (double)v * v;
            squaredNorms[i] = sum;
        }
        return squaredNorms;
    }

    /// <summary>
    /// What the active-set solver reads, shared by every worker: the points by feature (the inverted index: for
    /// feature j, the points that have it and their values) and the constant columns (a bias column: the same value
    /// in every row), which the scan of violators adds to every score at once instead of walking their postings.
    /// </summary>
    private sealed class ActiveSetIndex
    {
        public ActiveSetIndex(CsrMatrix features)
        {
            ByFeature = features.Transpose();
            int n = features.Rows;
            IsConstant = new bool[features.Cols];
            var constants = new List<(int, double)>();
            for (int j = 0; j < features.Cols; j++)
            {
                // The transpose lists each column's rows in increasing order: the column is constant when they are
                // exactly 0 .. n-1 and all its values are equal.
                if (n == 0 || ByFeature.RowLength(j) != n) continue;
                var rows = ByFeature.RowIndices(j);
                var values = ByFeature.RowValues(j);
                bool constant = true;
                for (int k = 0; k < n && constant; k++) constant = rows[k] == k && values[k] == values[0];
                if (!constant) continue;
                IsConstant[j] = true;
                constants.Add((j, values[0]));
            }
            Constants = [.. constants];
        }

        /// <summary>The transpose of the points: row j lists the points with feature j (ascending) and their values.</summary>
        public CsrMatrix ByFeature { get; }

        /// <summary>Whether column j holds the same value in every row.</summary>
        public bool[] IsConstant { get; }

        /// <summary>The constant columns and their value.</summary>
        public (int Column, double Value)[] Constants { get; }
    }

    /// <summary>
    /// The active set grows by at least this many points a round (and at most by its own size, so it at most doubles):
    /// enough negatives to pull a bias weight towards -1 in a round or two (see <see cref="Workspace"/>'s active-set solver).
    /// </summary>
    private const int MinimumGrowth = 100;

    /// <summary>One thread's buffers, reused across the learners it trains; the squared row norms are shared by all.</summary>
    private sealed class Workspace
    {
        private readonly CsrMatrix _x;
        private readonly double[] _squaredNorms;
        private readonly int[] _index;
        private readonly ActiveSetIndex? _activeSetIndex;

        // Active set only: the set's points (_active[0 .. size)); _inSet[i] == _generation marks a member for the
        // current learner; a scan stamps the features of w's support and the points it scores with _scanToken.
        private readonly int[] _active = [], _inSet = [], _scoreStamp = [], _touched = [], _featureStamp = [], _support = [], _candidates = [];
        private readonly double[] _score = [], _candidateGradients = [];
        private int _generation, _scanToken;

        /// <param name="features">The points.</param>
        /// <param name="squaredNorms">Their squared norms from <see cref="CheckedSquaredNorms"/> (which checked the column indices).</param>
        /// <param name="activeSetIndex">The inverted index when the SVMs are solved on active sets; null otherwise.</param>
        public Workspace(CsrMatrix features, double[] squaredNorms, ActiveSetIndex? activeSetIndex)
        {
            _x = features;
            int n = features.Rows;
            _squaredNorms = squaredNorms;
            _index = new int[n];
            Labels = new sbyte[n];
            Alpha = new double[2 * n];
            W = new double[features.Cols];
            _activeSetIndex = activeSetIndex;
            if (activeSetIndex is null) return;
            _active = new int[n];
            _inSet = new int[n];
            _scoreStamp = new int[n];
            _touched = new int[n];
            _candidates = new int[n];
            _score = new double[n];
            _candidateGradients = new double[n];
            _featureStamp = new int[features.Cols];
            _support = new int[features.Cols];
        }

        public sbyte[] Labels { get; }

        /// <summary>The dual variables: alpha_i at i for the SVMs; (alpha_i, C - alpha_i) at (2i, 2i + 1) for logistic regression.</summary>
        public double[] Alpha { get; }

        public double[] W { get; }

        /// <summary>Runs the solver from alpha = 0 (SVM) or LIBLINEAR's interior start (logistic); returns the passes made.</summary>
        public int Solve(sbyte[] y, BinaryLearnerOptions options, int seed) =>
            options.Kind == BinaryLearnerKind.LogisticDual ? SolveLogistic(y, options, seed)
            : options.ActiveSet ? SolveSvmOnActiveSets(y, options, seed) : SolveSvm(y, options, seed);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private double Dot(int i)
        {
            // The same sum in the same order as sum_p w[idx[p]] * val[p], without bounds checks (the CSR
            // matrix is validated: its indices are < Cols = W.Length).
            long start = _x.RowPointers[i];
            int length = (int)(_x.RowPointers[i + 1] - start);
            ref int idx = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_x.ColumnIndices), (nint)start);
            ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_x.Values), (nint)start);
            ref double w = ref MemoryMarshal.GetArrayDataReference(W);
            double sum = 0;
            for (int p = 0; p < length; p++) sum += Unsafe.Add(ref w, Unsafe.Add(ref idx, p)) * Unsafe.Add(ref val, p);
            return sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AddScaledRow(int i, double scale)
        {
            long start = _x.RowPointers[i];
            int length = (int)(_x.RowPointers[i + 1] - start);
            ref int idx = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_x.ColumnIndices), (nint)start);
            ref float val = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_x.Values), (nint)start);
            ref double w = ref MemoryMarshal.GetArrayDataReference(W);
            for (int p = 0; p < length; p++) Unsafe.Add(ref w, Unsafe.Add(ref idx, p)) += scale * Unsafe.Add(ref val, p);
        }

        // Hsieh et al. 2008, Algorithm 3 with shrinking, on all n points from alpha = 0.
        private int SolveSvm(sbyte[] y, BinaryLearnerOptions options, int seed)
        {
            int n = y.Length;
            Array.Clear(Alpha);
            Array.Clear(W);
            for (int i = 0; i < n; i++) _index[i] = i;
            return SvmPasses(y, n, options, options.Tolerance, new Random(seed));
        }

        // Hsieh et al. 2008, Algorithm 3 with shrinking, over the coordinates _index[0 .. count) from the current alpha
        // and W (which must agree: W = sum alpha_i y_i x_i): a coordinate whose projected gradient stays outside the last
        // pass's [min, max] at a bound is set aside; once the active set has converged, all coordinates are checked again.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int SvmPasses(sbyte[] y, int count, BinaryLearnerOptions options, double eps, Random random)
        {
            bool l2Loss = options.Kind == BinaryLearnerKind.SvmL2LossDual;
            double diagonal = l2Loss ? 0.5 / options.Cost : 0, upper = l2Loss ? double.PositiveInfinity : options.Cost;
            var alpha = Alpha;
            double maxOld = double.PositiveInfinity, minOld = double.NegativeInfinity;
            int active = count, iteration = 0;
            while (iteration < options.MaxIterations)
            {
                double maxNew = double.NegativeInfinity, minNew = double.PositiveInfinity;
                random.Shuffle(_index.AsSpan(0, active));
                for (int s = 0; s < active; s++)
                {
                    int i = _index[s];
                    double g = y[i] * Dot(i) - 1 + diagonal * alpha[i], projected = 0;
                    if (alpha[i] == 0)
                    {
                        if (g > maxOld && options.Shrinking)
                        {
                            active--;
                            (_index[s], _index[active]) = (_index[active], _index[s]);
                            s--;
                            continue;
                        }
                        if (g < 0) projected = g;
                    }
                    else if (alpha[i] == upper)
                    {
                        if (g < minOld && options.Shrinking)
                        {
                            active--;
                            (_index[s], _index[active]) = (_index[active], _index[s]);
                            s--;
                            continue;
                        }
                        if (g > 0) projected = g;
                    }
                    else projected = g;
                    maxNew = Math.Max(maxNew, projected);
                    minNew = Math.Min(minNew, projected);
                    if (Math.Abs(projected) > 1e-12)
                    {
                        double before = alpha[i];
                        alpha[i] = Math.Min(Math.Max(before - g / (_squaredNorms[i] + diagonal), 0), upper);
                        AddScaledRow(i, (alpha[i] - before) * y[i]);
                    }
                }
                iteration++;
                if (maxNew - minNew <= eps || active == 0)
                {
                    if (active == count) break;
                    active = count; // converged on the active set: check every coordinate once more
                    maxOld = double.PositiveInfinity;
                    minOld = double.NegativeInfinity;
                    continue;
                }
                maxOld = maxNew <= 0 ? double.PositiveInfinity : maxNew;
                minOld = minNew >= 0 ? double.NegativeInfinity : minNew;
            }
            return iteration;
        }

        // The same dual on a growing active set (PPDSparse, Yen et al. KDD 2017). The set starts as the positives; each
        // round solves the dual restricted to it (the other alphas stay 0) by SvmPasses to half the tolerance, warm
        // started, then scores every point outside it and adds the violators: points at alpha = 0 whose gradient
        // y_i w.x_i - 1 is below -eps/2. It ends when none is left: then every coordinate's projected gradient lies in
        // the last round's spread (at most eps/2) widened by at most eps/2 on the negative side, so the whole problem
        // meets LIBLINEAR's stopping rule (spread <= eps) and this is the full dual's optimum to the tolerance.
        //
        // Scoring: w is zero outside the features of the set's points with alpha != 0, so a point's score is the
        // constant columns' part (the bias feature times its weight, the same for every point) plus the sum over the
        // features it shares with that support, accumulated through the inverted index; a point sharing none scores
        // the constant part alone. The bias: at first the set holds the positives only and the bias weight is
        // positive, so every negative violates (most of them featureless for this w, all with the same score). The
        // most violating are taken first (ties in scan order), at most as many as the set holds (at least
        // MinimumGrowth), the featureless ones last, walked in a pseudo-random order drawn with the learner's seed
        // (a random start and stride coprime to n). Each round pulls the bias weight b towards -1 (the k negatives of
        // a set at the optimum give b ~ -1 + O(1/k) for the L2 loss); once b * bias <= -1 + eps/2 the featureless
        // negatives stop violating and only points sharing features with w can join: a few hundred per label.
        private int SolveSvmOnActiveSets(sbyte[] y, BinaryLearnerOptions options, int seed)
        {
            int n = y.Length, generation = ++_generation, size = 0, passes = 0;
            Array.Clear(Alpha);
            Array.Clear(W);
            var random = new Random(seed);
            for (int i = 0; i < n; i++)
                if (y[i] > 0)
                {
                    _active[size++] = i;
                    _inSet[i] = generation;
                }
            if (size < n) AddSimilarNegatives(y, ref size, random, generation);
            while (true)
            {
                _active.AsSpan(0, size).CopyTo(_index);
                passes += SvmPasses(y, size, options, options.Tolerance / 2, random);
                if (size == n || !AddViolators(y, ref size, options.Tolerance / 2, random, generation)) return passes;
            }
        }

        // Scores the points outside the set and adds up to max(size, MinimumGrowth) of those whose gradient is below
        // -threshold (alpha = 0 there, so the gradient is y_i w.x_i - 1), the most violating first; false when none violates.
        private bool AddViolators(sbyte[] y, ref int size, double threshold, Random random, int generation)
        {
            var index = _activeSetIndex!;
            var byFeature = index.ByFeature;
            int n = y.Length, token = ++_scanToken, supportCount = 0, candidateCount = 0;
            double constant = 0;
            foreach (var (j, value) in index.Constants) constant += W[j] * value;
            for (int s = 0; s < size; s++)
            {
                int i = _active[s];
                if (Alpha[i] == 0) continue;
                foreach (int j in _x.RowIndices(i))
                {
                    if (index.IsConstant[j] || _featureStamp[j] == token) continue;
                    _featureStamp[j] = token;
                    _support[supportCount++] = j;
                }
            }
            // The scores are 0 between scans: accumulate w_j x_ij over the support's postings without bounds checks
            // (the transpose's row indices are < n), then read them out and reset them in one pass over the points.
            ref double score = ref MemoryMarshal.GetArrayDataReference(_score);
            for (int f = 0; f < supportCount; f++)
            {
                int j = _support[f];
                double wj = W[j];
                if (wj == 0) continue;
                long start = byFeature.RowPointers[j];
                int length = (int)(byFeature.RowPointers[j + 1] - start);
                ref int rows = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(byFeature.ColumnIndices), (nint)start);
                ref float values = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(byFeature.Values), (nint)start);
                for (int p = 0; p < length; p++) Unsafe.Add(ref score, Unsafe.Add(ref rows, p)) += wj * Unsafe.Add(ref values, p);
            }
            // A point scoring exactly 0 here scores the constant part alone, as if it shared no feature with w.
            int scoredOutside = 0;
            for (int i = 0; i < n; i++)
            {
                double partial = _score[i];
                if (partial == 0) continue;
                _score[i] = 0;
                if (_inSet[i] == generation) continue;
                _scoreStamp[i] = token;
                scoredOutside++;
                double g = y[i] * (partial + constant) - 1;
                if (g >= -threshold) continue;
                _candidates[candidateCount] = i;
                _candidateGradients[candidateCount++] = g;
            }
            int budget = Math.Max(size, MinimumGrowth), added = Math.Min(candidateCount, budget);
            Array.Sort(_candidateGradients, _candidates, 0, candidateCount);
            for (int c = 0; c < added; c++) AddToSet(_candidates[c], ref size, generation);
            int untouchedOutside = n - size - (scoredOutside - added);
            // The points sharing no feature with w all score the constant part.
            if (added < budget && untouchedOutside > 0 && -constant - 1 < -threshold)
                added += AddUnscored(y, budget - added, -1, ref size, random, generation, token);
            if (added < budget && untouchedOutside > 0 && constant - 1 < -threshold)
                added += AddUnscored(y, budget - added, 1, ref size, random, generation, token);
            return added > 0;
        }

        // Adds up to `count` points labelled `sign` that are outside the set and unscored in scan `token`, walked in a
        // pseudo-random order (a start and a stride coprime to n drawn from `random`); returns how many it added.
        private int AddUnscored(sbyte[] y, int count, int sign, ref int size, Random random, int generation, int token)
        {
            int n = y.Length, added = 0, start = random.Next(n), stride = random.Next(1, Math.Max(n, 2));
            while (n > 1 && GreatestCommonDivisor(stride, n) != 1) stride = random.Next(1, n);
            long at = start;
            for (int k = 0; k < n && added < count; k++, at = (at + stride) % n)
            {
                int i = (int)at;
                if (_inSet[i] == generation || _scoreStamp[i] == token || y[i] != sign) continue;
                AddToSet(i, ref size, generation);
                added++;
            }
            return added;
        }

        // The first negatives of the set (before any scan, whose first round would find nearly all negatives violating
        // while the bias weight is still positive): the MinimumGrowth negatives most similar to the positives (the sum of
        // x_p.x_i over the positives p) through the positives' rare features (held by at most 1% of the points: the
        // common ones, stop words and the bias, would touch every point), then pseudo-random ones up to MinimumGrowth.
        private void AddSimilarNegatives(sbyte[] y, ref int size, Random random, int generation)
        {
            var index = _activeSetIndex!;
            var byFeature = index.ByFeature;
            int n = y.Length, token = ++_scanToken, touchedCount = 0, candidateCount = 0, rare = Math.Max(1, n / 100), positives = size;
            for (int s = 0; s < positives; s++)
            {
                int i = _active[s];
                var columns = _x.RowIndices(i);
                var rowValues = _x.RowValues(i);
                for (int q = 0; q < columns.Length; q++)
                {
                    int j = columns[q];
                    if (index.IsConstant[j] || byFeature.RowLength(j) > rare) continue;
                    var rows = byFeature.RowIndices(j);
                    var values = byFeature.RowValues(j);
                    for (int p = 0; p < rows.Length; p++)
                    {
                        int r = rows[p];
                        if (y[r] > 0) continue;
                        if (_scoreStamp[r] != token)
                        {
                            _scoreStamp[r] = token;
                            _touched[touchedCount++] = r;
                        }
                        _score[r] += (double)rowValues[q] * values[p];
                    }
                }
            }
            for (int t = 0; t < touchedCount; t++)
            {
                int r = _touched[t];
                _candidates[candidateCount] = r;
                _candidateGradients[candidateCount++] = -_score[r];
                _score[r] = 0; // the scores are 0 between scans
            }
            Array.Sort(_candidateGradients, _candidates, 0, candidateCount);
            int added = Math.Min(candidateCount, MinimumGrowth);
            for (int c = 0; c < added; c++) AddToSet(_candidates[c], ref size, generation);
            if (added < MinimumGrowth) AddUnscored(y, MinimumGrowth - added, -1, ref size, random, generation, token);
        }

        private static int GreatestCommonDivisor(int a, int b)
        {
            while (b != 0) (a, b) = (b, a % b);
            return a;
        }

        private void AddToSet(int i, ref int size, int generation)
        {
            _active[size++] = i;
            _inSet[i] = generation;
        }

        // Yu, Huang, Lin 2011, Algorithm 5: each point has the pair (alpha_i, C - alpha_i); one coordinate's
        // sub-problem g(z) = z log z + (C - z) log(C - z) + a/2 (z - z_old)^2 + s b (z - z_old) is solved by a
        // safeguarded Newton method whose tolerance tightens as passes need fewer Newton steps.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int SolveLogistic(sbyte[] y, BinaryLearnerOptions options, int seed)
        {
            const int maxInnerIterations = 100;
            const double shrinkStep = 0.1; // xi in the paper: z *= xi when a Newton step leaves (0, C)
            int n = y.Length;
            double c = options.Cost, eps = options.Tolerance, innerEps = 1e-2, innerEpsMin = Math.Min(1e-8, eps);
            var alpha = Alpha;
            Array.Clear(W);
            double start = Math.Min(0.001 * c, 1e-8);
            for (int i = 0; i < n; i++)
            {
                alpha[2 * i] = start;
                alpha[2 * i + 1] = c - start;
                AddScaledRow(i, y[i] * start);
                _index[i] = i;
            }
            var random = new Random(seed);
            int iteration = 0;
            while (iteration < options.MaxIterations)
            {
                random.Shuffle(_index.AsSpan(0, n));
                int newtonSteps = 0;
                double largestGradient = 0;
                for (int s = 0; s < n; s++)
                {
                    int i = _index[s];
                    double a = _squaredNorms[i], b = y[i] * Dot(i);
                    int first = 2 * i, second = 2 * i + 1, sign = 1;
                    if (0.5 * a * (alpha[second] - alpha[first]) + b < 0)
                    {
                        (first, second, sign) = (second, first, -1);
                    }
                    double old = alpha[first], z = old;
                    if (c - z < 0.5 * c) z *= 0.1;
                    double gradient = a * (z - old) + sign * b + Math.Log(z / (c - z));
                    largestGradient = Math.Max(largestGradient, Math.Abs(gradient));
                    int inner = 0;
                    while (inner <= maxInnerIterations && Math.Abs(gradient) >= innerEps)
                    {
                        double curvature = a + c / (c - z) / z, next = z - gradient / curvature;
                        z = next <= 0 ? z * shrinkStep : next;
                        gradient = a * (z - old) + sign * b + Math.Log(z / (c - z));
                        newtonSteps++;
                        inner++;
                    }
                    if (inner > 0)
                    {
                        alpha[first] = z;
                        alpha[second] = c - z;
                        AddScaledRow(i, sign * (z - old) * y[i]);
                    }
                }
                iteration++;
                if (largestGradient < eps) break;
                if (newtonSteps <= n / 10) innerEps = Math.Max(innerEpsMin, 0.1 * innerEps);
            }
            return iteration;
        }
    }
}
