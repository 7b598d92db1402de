using System.Runtime.CompilerServices;
using System.Numerics;
using XcNotebooks.Core;

namespace XcNotebooks.Learners;

/// <summary>Writes the labels (±1) of point <paramref name="point"/> for learners <paramref name="firstLearner"/>.. into <paramref name="labels"/>.</summary>
internal delegate void PointLabels(int point, int firstLearner, Span<sbyte> labels);

/// <summary>
/// Trains many independent online binary learners over the same sparse data. The learners are split into banks
/// (blocks of columns); each bank makes its own pass over the points, the banks in parallel. Because a learner's
/// margin on a point depends only on its own earlier updates, this gives exactly what the sequential point-by-point
/// loop over all learners gives.
/// </summary>
internal static class OnlineLinearTraining
{
    /// <summary>
    /// Banks covering <paramref name="learners"/> learners: one per core (wide banks make the fewest passes over the
    /// data), each a whole number of SIMD vectors wide except the last.
    /// </summary>
    public static LinearLearnerBank[] CreateBanks(BinaryLearnerOptions options, int dimension, int learners) => CreateBanks(options, dimension, learners, null);

    /// <summary>
    /// <see cref="CreateBanks(BinaryLearnerOptions, int, int)"/> with bank b keeping its state in <paramref name="reuse"/>[b]'s
    /// array (dropped banks': fresh values, no new allocation) where there is one and it is large enough.
    /// </summary>
    internal static LinearLearnerBank[] CreateBanks(BinaryLearnerOptions options, int dimension, int learners, IReadOnlyList<LinearLearnerBank>? reuse)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (learners < 1) throw new ArgumentException($"need at least one learner, got {learners}");
        int lanes = Vector.IsHardwareAccelerated ? Vector<float>.Count : 1;
        int vectors = (learners + lanes - 1) / lanes, count = Math.Min(Environment.ProcessorCount, vectors);
        var banks = new LinearLearnerBank[count];
        for (int b = 0, first = 0; b < count; b++)
        {
            int width = Math.Min(learners - first, (vectors / count + (b < vectors % count ? 1 : 0)) * lanes);
            banks[b] = options.CreateBank(dimension, width, reuse is not null && b < reuse.Count ? reuse[b].Storage : null);
            first += width;
        }
        return banks;
    }

    /// <summary>
    /// One pass of every bank over the points <c>order[start..]</c> of <paramref name="features"/>, banks in parallel.
    /// <paramref name="labelsOf"/> gives each point's labels for a bank's learners. When <paramref name="margins"/> is
    /// given (order.Length x learners) each learner's pre-update margin at each position is recorded there (for online
    /// predictions). Progress is reported under <paramref name="stage"/> (with <paramref name="message"/>, e.g. the
    /// epoch) in points that every bank has learned: each point counts once, however many banks learn it.
    /// </summary>
    public static void RunEpoch(IReadOnlyList<LinearLearnerBank> banks, CsrMatrix features, int[] order, int start, PointLabels labelsOf,
        RowMajorMatrix? margins = null, TrainingMonitor? monitor = null, string stage = "training", string? message = null) =>
        RunSegment(banks, features, order, start, order.Length, labelsOf, margins, 0, monitor, stage, message, 0, order.Length - start);

    /// <summary>
    /// One pass of every bank over the points <c>order[start..end]</c>, banks in parallel (a segment of an epoch: a
    /// bank's learners see the segments one after another exactly as one pass over the whole order). Pre-update margins
    /// of position t go to row <c>t - firstMarginRow</c> of <paramref name="margins"/> (when given), so a caller can
    /// hold one segment's margins instead of the whole epoch's. Progress is reported as <paramref name="progressBase"/>
    /// + the points done, out of <paramref name="progressTotal"/>.
    /// </summary>
    public static void RunSegment(IReadOnlyList<LinearLearnerBank> banks, CsrMatrix features, int[] order, int start, int end, PointLabels labelsOf,
        RowMajorMatrix? margins, int firstMarginRow, TrainingMonitor? monitor, string stage, string? message, long progressBase, long progressTotal)
    {
        ArgumentNullException.ThrowIfNull(banks);
        ArgumentNullException.ThrowIfNull(labelsOf);
        if (start < 0 || start > order.Length) throw new ArgumentOutOfRangeException(nameof(start), $"start {start} outside 0..{order.Length}");
        if (end < start || end > order.Length) throw new ArgumentOutOfRangeException(nameof(end), $"end {end} outside {start}..{order.Length}");
        var firstLearner = FirstLearners(banks, features.Cols);
        if (margins is not null && (firstMarginRow < 0 || firstMarginRow > start || margins.Rows != end - firstMarginRow || margins.Cols != firstLearner[^1]))
            throw new ArgumentException($"margins are {margins.Rows} x {margins.Cols} from position {firstMarginRow}, expected {end - firstMarginRow} x {firstLearner[^1]}");
        monitor ??= TrainingMonitor.Silent;
        long reported = 0;
        var bankDone = new long[banks.Count];
        var progressLock = new Lock();
        monitor.Report(stage, progressBase, progressTotal, message);
        Parallel.For(0, banks.Count, b =>
            Pass(banks[b], firstLearner[b], features, order, start, end, labelsOf, margins, firstMarginRow, points =>
            {
                // A point is done when the slowest bank has learned it; reports stay in order (a bar never goes back).
                lock (progressLock)
                {
                    bankDone[b] += points;
                    long done = bankDone.Min();
                    if (done <= reported) return;
                    reported = done;
                    monitor.Report(stage, progressBase + done, progressTotal, message);
                }
            }));
    }

    // Optimised at first call: a short run would otherwise spend much of its time in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass(LinearLearnerBank bank, int firstLearner, CsrMatrix features, int[] order, int start, int end, PointLabels labelsOf,
        RowMajorMatrix? margins, int firstMarginRow, Action<int> progressed)
    {
        const int reportEvery = 2048;
        var labels = new sbyte[bank.Width];
        var scratch = new float[bank.Width];
        for (int t = start; t < end; t++)
        {
            int i = order[t];
            labelsOf(i, firstLearner, labels);
            var m = margins is null ? scratch : margins.Row(t - firstMarginRow).Slice(firstLearner, bank.Width);
            bank.Learn(features.RowIndices(i), features.RowValues(i), labels, m);
            if ((t - start + 1) % reportEvery == 0) progressed(reportEvery);
        }
        progressed((end - start) % reportEvery);
    }

    /// <summary>All banks' learner margins on one point, side by side (length = total learners).</summary>
    public static void Margins(IReadOnlyList<LinearLearnerBank> banks, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> margins)
    {
        int at = 0;
        foreach (var bank in banks)
        {
            bank.Margins(indices, values, margins.Slice(at, bank.Width));
            at += bank.Width;
        }
    }

    /// <summary>All banks' updates on one point (labels and pre-update margins side by side).</summary>
    public static void Update(IReadOnlyList<LinearLearnerBank> banks, ReadOnlySpan<int> indices, ReadOnlySpan<float> values,
        ReadOnlySpan<sbyte> labels, ReadOnlySpan<float> margins)
    {
        int at = 0;
        foreach (var bank in banks)
        {
            bank.Update(indices, values, labels.Slice(at, bank.Width), margins.Slice(at, bank.Width));
            at += bank.Width;
        }
    }

    /// <summary>The evaluation weights of all learners as the columns of a D x L row-major matrix (responses = x^T W).</summary>
    public static RowMajorMatrix StackWeights(IReadOnlyList<LinearLearnerBank> banks)
    {
        var stacked = new RowMajorMatrix(banks.Count == 0 ? 0 : banks[0].Dimension, banks.Sum(b => b.Width));
        CopyWeightsInto(banks, stacked, 0);
        return stacked;
    }

    /// <summary>
    /// Writes the evaluation weights of all learners into columns <paramref name="firstColumn"/>.. of
    /// <paramref name="destination"/> (D rows), bank after bank as <see cref="StackWeights"/> lays them out.
    /// </summary>
    public static void CopyWeightsInto(IReadOnlyList<LinearLearnerBank> banks, RowMajorMatrix destination, int firstColumn)
    {
        var first = FirstLearners(banks, destination.Rows);
        Parallel.For(0, banks.Count, b => banks[b].CopyWeightsTo(destination, firstColumn + first[b]));
    }

    /// <summary>
    /// <see cref="StackWeights"/> for the last time: each bank's entry in <paramref name="banks"/> is set to null once its
    /// weights are copied, and its state collected before the next bank's are written, so the learners' state and the
    /// stacked weights are never all resident at once (peak: the state plus one bank's share of the weights).
    /// </summary>
    public static RowMajorMatrix StackWeightsReleasing(LinearLearnerBank?[] banks)
    {
        ArgumentNullException.ThrowIfNull(banks);
        if (banks.Any(b => b is null)) throw new ArgumentException("a bank was already released");
        var first = FirstLearners(banks!, banks.Length == 0 ? 0 : banks[0]!.Dimension);
        var stacked = new RowMajorMatrix(banks.Length == 0 ? 0 : banks[0]!.Dimension, first[^1]);
        for (int b = 0; b < banks.Length; b++)
        {
            banks[b]!.CopyWeightsTo(stacked, first[b]);
            banks[b] = null;
            // The state is one large array: collect it now so its memory is free before the next bank's columns are
            // written (untouched pages of the stacked matrix are not resident yet).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
        return stacked;
    }

    private static int[] FirstLearners(IReadOnlyList<LinearLearnerBank> banks, int dimension)
    {
        var first = new int[banks.Count + 1];
        for (int b = 0; b < banks.Count; b++)
        {
            if (banks[b].Dimension != dimension)
                throw new ArgumentException($"bank {b} has dimension {banks[b].Dimension}, expected {dimension}");
            first[b + 1] = first[b] + banks[b].Width;
        }
        return first;
    }
}
