using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>Settings of the sparse-models experiment (defaults: the original's constants).</summary>
public sealed record SparseModelsOptions
{
    /// <summary>Number of thresholds tried.</summary>
    public int Thresholds { get; init; } = 10;

    /// <summary>The last threshold keeps this percentage of the weights.</summary>
    public double MinNonZeroPercent { get; init; } = 1;

    /// <summary>Stop once validation accuracy is this many points (or more) below the unpruned model's.</summary>
    public double MaxValidationDrop { get; init; } = 1.0;
}

/// <summary>One pruning level: weights with |w| below <paramref name="Threshold"/> set to zero.</summary>
/// <param name="Index">1-based row number.</param>
/// <param name="Threshold">The magnitude threshold.</param>
/// <param name="NonZeroPercent">Share of weights kept, in percent.</param>
/// <param name="SparseBytes">Size of the pruned matrix in CSR form (float32 values, int32 indices and row pointers).</param>
/// <param name="SparsePercentOfDense">That size as a percentage of the dense matrix.</param>
/// <param name="ValidationAccuracy">Accuracy on the heldout split, percent.</param>
/// <param name="TestAccuracy">Accuracy on the test split, percent.</param>
public sealed record SparseModelRow(int Index, double Threshold, double NonZeroPercent, long SparseBytes, double SparsePercentOfDense,
    double ValidationAccuracy, double TestAccuracy);

/// <summary>The table of the sparse-models experiment and the best row within the allowed validation drop.</summary>
public sealed record SparseModelsResult(long DenseBytes, IReadOnlyList<SparseModelRow> Rows, int BestIndex, bool StoppedByDegradation)
{
    /// <summary>The sparsest row whose validation accuracy stayed within the allowed drop.</summary>
    public SparseModelRow Best => Rows[BestIndex];
}

/// <summary>
/// The original's sparse-models experiment: prune |W| at thresholds from the current share of zeros to keeping 1% of
/// the weights (percentiles of |W|, the first at the zero share, then nine evenly spaced from two thirds of the way),
/// measure validation and test accuracy and the CSR size, and stop once validation accuracy drops by 1 point or more.
/// </summary>
public static class WltlsSparseModels
{
    /// <summary>Runs the experiment on <paramref name="model"/>, logging the original's table through <paramref name="monitor"/>.</summary>
    public static SparseModelsResult Run(WltlsModel model, Dataset heldout, Dataset test, SparseModelsOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(heldout);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new SparseModelsOptions();
        monitor ??= TrainingMonitor.Silent;
        if (options.Thresholds < 2) throw new ArgumentException($"need at least 2 thresholds, got {options.Thresholds}");
        if (!(options.MinNonZeroPercent > 0 && options.MinNonZeroPercent < 100))
            throw new ArgumentException($"minimum non-zero percentage must be in (0, 100), got {options.MinNonZeroPercent}");

        var weights = model.Weights.Data;
        var thresholds = Thresholds(weights, options);
        long denseBytes = model.ModelBytes;
        monitor.Write($"Original (unpruned) matrix weight: {Wltls.Megabytes(denseBytes)}");
        monitor.Write("  # | threshold | Non-zeros | Sparse mat. weight | Validation acc |");
        var pruned = new RowMajorMatrix(model.Weights.Rows, model.Weights.Cols);
        var prunedModel = model.WithWeights(pruned);
        var rows = new List<SparseModelRow>();
        int best = 0;
        bool stopped = false;
        for (int i = 0; i < thresholds.Length; i++)
        {
            monitor.Report("Sparse models", i, thresholds.Length);
            long nonZeros = PruneInto(weights, thresholds[i], pruned.Data);
            double validation = prunedModel.Accuracy(heldout);
            double testAccuracy = prunedModel.Accuracy(test);
            long sparseBytes = nonZeros * (sizeof(float) + sizeof(int)) + (pruned.Rows + 1L) * sizeof(int);
            var row = new SparseModelRow(i + 1, thresholds[i], 100.0 * nonZeros / weights.LongLength, sparseBytes,
                100.0 * sparseBytes / denseBytes, validation, testAccuracy);
            rows.Add(row);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $" {row.Index,2} | {row.Threshold,9:F7} | {row.NonZeroPercent,8:F2}% | {sparseBytes / 1048576.0,6:F1}MB = {row.SparsePercentOfDense,6:F2}% | {validation,13:F2}% |"));
            if (rows[0].ValidationAccuracy - validation >= options.MaxValidationDrop)
            {
                monitor.Write("Stopping condition reached (excess validation accuracy degradation)!");
                stopped = true;
                break;
            }
            best = i;
        }
        monitor.Report("Sparse models", thresholds.Length, thresholds.Length);
        var b = rows[best];
        monitor.Write("");
        monitor.Write("Best model within allowed validation accuracy degradation:");
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"#{b.Index}. threshold={b.Threshold,9:F7}, nonzeros: {b.NonZeroPercent,8:F2}%, test accuracy: {b.TestAccuracy:F2}%"));
        return new SparseModelsResult(denseBytes, rows, best, stopped);
    }

    /// <summary>The model with every weight of magnitude below <paramref name="threshold"/> set to zero.</summary>
    public static WltlsModel Prune(WltlsModel model, double threshold)
    {
        var pruned = new RowMajorMatrix(model.Weights.Rows, model.Weights.Cols);
        PruneInto(model.Weights.Data, threshold, pruned.Data);
        return model.WithWeights(pruned);
    }

    /// <summary>
    /// The experiment's thresholds: percentiles of |W| (linear interpolation between order statistics, as numpy's
    /// percentile) at the share of zeros, then evenly from two thirds of the way to 100 - MinNonZeroPercent.
    /// </summary>
    public static double[] Thresholds(IReadOnlyList<float> weights, SparseModelsOptions options)
    {
        var magnitudes = new float[weights.Count];
        long zeros = 0;
        for (int j = 0; j < magnitudes.Length; j++)
        {
            magnitudes[j] = Math.Abs(weights[j]);
            if (magnitudes[j] == 0) zeros++;
        }
        SortNonNegative(magnitudes);
        double zeroPercent = magnitudes.Length == 0 ? 0 : 100.0 * zeros / magnitudes.Length;
        double from = zeroPercent + (100 - zeroPercent) * 2 / 3, to = 100 - options.MinNonZeroPercent;
        var percents = new double[options.Thresholds];
        percents[0] = zeroPercent;
        for (int i = 1; i < percents.Length; i++)
            percents[i] = percents.Length == 2 ? from : from + (to - from) * (i - 1) / (percents.Length - 2);
        return percents.Select(p => Percentile(magnitudes, p)).ToArray();
    }

    /// <summary>numpy's default percentile of sorted values: linear interpolation at rank p/100 * (n-1).</summary>
    internal static double Percentile(ReadOnlySpan<float> sorted, double percent)
    {
        if (sorted.Length == 0) throw new ArgumentException("percentile of no values");
        double rank = Math.Clamp(percent, 0, 100) / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(lo + 1, sorted.Length - 1);
        double fraction = rank - lo;
        return sorted[lo] + (sorted[hi] - (double)sorted[lo]) * fraction;
    }

    /// <summary>
    /// Sorts non-negative floats by an LSD radix sort of their bit patterns (monotone for non-negative values):
    /// three passes of 11 bits, an order of magnitude faster than a comparison sort on millions of weights.
    /// </summary>
    private static void SortNonNegative(float[] values)
    {
        var keys = System.Runtime.InteropServices.MemoryMarshal.Cast<float, uint>(values.AsSpan());
        var buffer = new uint[keys.Length];
        var counts = new int[2048];
        Span<uint> from = keys, to = buffer;
        for (int shift = 0; shift < 32; shift += 11)
        {
            Array.Clear(counts);
            foreach (uint k in from) counts[(int)((k >> shift) & 2047)]++;
            int sum = 0;
            for (int b = 0; b < counts.Length; b++) (counts[b], sum) = (sum, sum + counts[b]);
            foreach (uint k in from) to[counts[(int)((k >> shift) & 2047)]++] = k;
            var swap = from;
            from = to;
            to = swap;
        }
        if (from != keys) from.CopyTo(keys); // three passes end in the buffer
    }

    private static long PruneInto(float[] source, double threshold, float[] destination)
    {
        long kept = 0;
        for (long j = 0; j < source.LongLength; j++)
        {
            float w = source[j];
            bool keep = Math.Abs(w) >= threshold && w != 0;
            destination[j] = keep ? w : 0f;
            if (keep) kept++;
        }
        return kept;
    }
}
