using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>How a non-violating negative enters the softmax weights of the in-batch (M1) triplet loss.</summary>
public enum NonViolatorLogit
{
    /// <summary>DEXA: logit −50/τ, so non-violators get (almost) no weight.</summary>
    Dexa,
    /// <summary>NGAME: logit 0, so non-violators still take softmax mass.</summary>
    Ngame,
}

/// <summary>
/// The M1 loss (NGAME/DEXA TripletMarginLossOHNM): for each document i, its sampled label is column i (s⁺ = S_ii);
/// the k hardest in-batch negatives n (largest S_in among columns that are not positives of i) give
/// ℓ_in = max(0, S_in − s⁺ + m), weighted by a softmax over the k negatives of S_in/τ (violators) so that the
/// hardest violators dominate; loss = Σ ℓ·w / (rows·k). Gradients flow through ℓ and w.
/// </summary>
/// <param name="Margin">m (0.3).</param>
/// <param name="Negatives">k, negatives per row (10).</param>
/// <param name="Temperature">τ of the softmax weights (0.1).</param>
/// <param name="SoftmaxWeighting">Weight by the softmax (loss_agressive); false: plain mean of ℓ.</param>
/// <param name="NonViolators">DEXA or NGAME treatment of non-violators in the softmax.</param>
public sealed record InBatchTripletOptions(float Margin = 0.3f, int Negatives = 10, float Temperature = 0.1f,
    bool SoftmaxWeighting = true, NonViolatorLogit NonViolators = NonViolatorLogit.Dexa);

/// <summary>
/// The M-IV loss (TripletMarginLossOHNMMulti): per row, the P lowest-scoring positives (padded with +100, which
/// costs nothing) against the N highest-scoring negatives, ℓ_pn = max(0, S_n − S_p + m), weighted per positive by a
/// softmax over n of ℓ_pn (−100 for non-violators); loss = mean over rows·P·N.
/// </summary>
/// <param name="Margin">m (0.2).</param>
/// <param name="Positives">P (3).</param>
/// <param name="Negatives">N (5).</param>
public sealed record MultiPositiveTripletOptions(float Margin = 0.2f, int Positives = 3, int Negatives = 5);

/// <summary>
/// The DEXA triplet losses on a rows x cols score matrix with a boolean target mask, value and gradient. They run on
/// the host over the small per-batch matrix (read back once per step, like any loss value), rows in parallel, each
/// row in a fixed order, so results repeat bit for bit.
/// </summary>
public static class TripletLosses
{
    private const float ExcludedLogit = -50f, MultiExcludedLogit = -100f, PaddedPositive = 100f;

    /// <summary>
    /// <see cref="InBatchTripletOptions"/> loss of a square score matrix (documents x their sampled labels);
    /// <paramref name="targets"/>[i·n + j] says whether label j is a positive of document i (the diagonal must be).
    /// Writes ∂loss/∂scores into <paramref name="gradient"/> and returns the loss.
    /// </summary>
    internal static double InBatch(ReadOnlySpan<float> scores, ReadOnlySpan<bool> targets, int size, InBatchTripletOptions options, Span<float> gradient) =>
        InBatchRows(scores, targets, 0, size, size, options, gradient);

    /// <summary>
    /// Rows <paramref name="firstRow"/>..firstRow+rows-1 of the in-batch loss of a size x size score matrix (a
    /// data-parallel rank's documents against every sampled label of the batch): <paramref name="scores"/>,
    /// <paramref name="targets"/> and <paramref name="gradient"/> hold those rows only (rows x size), row i's own
    /// label is column firstRow + i, and the loss is normalised by the whole batch (size·k), so the shares of the
    /// ranks add up to <see cref="InBatch(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, InBatchTripletOptions, Span{float})"/>.
    /// </summary>
    internal static double InBatchRows(ReadOnlySpan<float> scores, ReadOnlySpan<bool> targets, int firstRow, int rows, int size,
        InBatchTripletOptions options, Span<float> gradient)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (firstRow < 0 || rows < 1 || firstRow + rows > size) throw new ArgumentException($"rows {firstRow}..{firstRow + rows - 1} outside a batch of {size}");
        Check(scores, targets, gradient, rows, size);
        if (options.Negatives < 1) throw new ArgumentException($"negatives must be positive, got {options.Negatives}");
        for (int i = 0; i < rows; i++)
            if (!targets[i * size + firstRow + i]) throw new ArgumentException($"row {firstRow + i}: its own sampled label (the diagonal) must be a positive");
        var s = scores.ToArray();
        var t = targets.ToArray();
        var g = new float[s.Length];
        var rowLoss = new double[rows];
        Parallel.For(0, rows, i => rowLoss[i] = InBatchRow(s.AsSpan(i * size, size), t.AsSpan(i * size, size), firstRow + i, options, g.AsSpan(i * size, size)));
        double scale = 1.0 / ((double)size * options.Negatives);
        for (int j = 0; j < g.Length; j++) gradient[j] = (float)(g[j] * scale);
        return rowLoss.Sum() * scale;
    }

    /// <summary>
    /// <see cref="MultiPositiveTripletOptions"/> loss of a rows x cols score matrix (documents x the batch's label pool).
    /// Writes ∂loss/∂scores into <paramref name="gradient"/> and returns the loss.
    /// </summary>
    internal static double MultiPositive(ReadOnlySpan<float> scores, ReadOnlySpan<bool> targets, int rows, int cols,
        MultiPositiveTripletOptions options, Span<float> gradient)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(scores, targets, gradient, rows, cols);
        if (options.Positives < 1 || options.Negatives < 1)
            throw new ArgumentException($"positives and negatives must be positive, got {options.Positives} and {options.Negatives}");
        var s = scores.ToArray();
        var t = targets.ToArray();
        var g = new float[s.Length];
        var rowLoss = new double[rows];
        Parallel.For(0, rows, i => rowLoss[i] = MultiPositiveRow(s.AsSpan(i * cols, cols), t.AsSpan(i * cols, cols), options, g.AsSpan(i * cols, cols)));
        double scale = 1.0 / ((double)rows * options.Positives * options.Negatives);
        for (int j = 0; j < g.Length; j++) gradient[j] = (float)(g[j] * scale);
        return rowLoss.Sum() * scale;
    }

    /// <summary>The in-batch loss of a backend score tensor (size x size); the gradient tensor receives ∂loss/∂scores.</summary>
    public static double InBatch(Tensor scores, bool[] targets, InBatchTripletOptions options, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Rows != scores.Cols) throw new ArgumentException($"in-batch scores must be square, got {scores.Rows} x {scores.Cols}");
        return OnHost(scores, gradient, (s, g) => InBatch(s, targets, scores.Rows, options, g));
    }

    /// <summary>
    /// Rows <paramref name="firstRow"/>.. of the in-batch loss of a batch of scores.Cols documents, from a backend
    /// score tensor holding those rows (see <see cref="InBatchRows(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int, int, InBatchTripletOptions, Span{float})"/>).
    /// </summary>
    internal static double InBatchRows(Tensor scores, bool[] targets, int firstRow, InBatchTripletOptions options, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return OnHost(scores, gradient, (s, g) => InBatchRows(s, targets, firstRow, scores.Rows, scores.Cols, options, g));
    }

    /// <summary>The multi-positive loss of a backend score tensor; the gradient tensor receives ∂loss/∂scores.</summary>
    public static double MultiPositive(Tensor scores, bool[] targets, MultiPositiveTripletOptions options, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return OnHost(scores, gradient, (s, g) => MultiPositive(s, targets, scores.Rows, scores.Cols, options, g));
    }

    private delegate double HostLoss(ReadOnlySpan<float> scores, Span<float> gradient);

    private static double OnHost(Tensor scores, Tensor gradient, HostLoss loss)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (gradient.Rows != scores.Rows || gradient.Cols != scores.Cols)
            throw new ArgumentException($"gradient is {gradient.Rows} x {gradient.Cols}, scores {scores.Rows} x {scores.Cols}");
        if (scores.IsOnHost && gradient.IsOnHost) return loss(scores.AsSpan(), gradient.AsSpan());
        var g = new float[gradient.Length];
        double value = loss(scores.ToArray(), g);
        gradient.CopyFrom(g);
        return value;
    }

    private static void Check(ReadOnlySpan<float> scores, ReadOnlySpan<bool> targets, Span<float> gradient, int rows, int cols)
    {
        long n = (long)rows * cols;
        if (rows < 1 || cols < 1) throw new ArgumentException($"empty score matrix {rows} x {cols}");
        if (scores.Length != n || targets.Length != n || gradient.Length != n)
            throw new ArgumentException($"a {rows} x {cols} loss needs {n} scores, targets and gradient values; got {scores.Length}, {targets.Length}, {gradient.Length}");
    }

    /// <summary>
    /// One row of the in-batch loss (unscaled: Σ_n ℓ_n w_n) and its gradient. With L = Σ ℓ_n w_n, a violating
    /// negative gets ∂L/∂S_n = w_n (1 + (ℓ_n − L)/τ) (the second term through the weights) and the positive
    /// −Σ_violators w_n; without softmax weighting every w_n is 1.
    /// </summary>
    private static double InBatchRow(ReadOnlySpan<float> s, ReadOnlySpan<bool> positive, int self, InBatchTripletOptions o, Span<float> g)
    {
        Span<int> chosen = stackalloc int[Math.Min(o.Negatives, s.Length)];
        int k = HardestNegatives(s, positive, chosen);
        if (k == 0) return 0;
        float sp = s[self];
        Span<double> loss = stackalloc double[k];
        Span<double> weight = stackalloc double[k];
        for (int n = 0; n < k; n++) loss[n] = Math.Max(0.0, (double)s[chosen[n]] - sp + o.Margin);
        if (o.SoftmaxWeighting)
        {
            for (int n = 0; n < k; n++)
                weight[n] = loss[n] > 0 ? s[chosen[n]] / (double)o.Temperature
                    : o.NonViolators == NonViolatorLogit.Dexa ? ExcludedLogit / (double)o.Temperature : 0.0;
            Softmax(weight);
        }
        else weight.Fill(1.0);
        double total = 0;
        for (int n = 0; n < k; n++) total += loss[n] * weight[n];
        double temperatureTerm = o.SoftmaxWeighting ? 1.0 / o.Temperature : 0.0;
        for (int n = 0; n < k; n++)
        {
            if (loss[n] <= 0) continue;
            double d = weight[n] * (1 + (loss[n] - (o.SoftmaxWeighting ? total : loss[n])) * temperatureTerm);
            g[chosen[n]] += (float)d;
            g[self] -= (float)weight[n];
        }
        return total;
    }

    /// <summary>
    /// One row of the multi-positive loss (unscaled) and its gradient: per positive p, L_p = Σ_n ℓ_pn w_pn with
    /// w = softmax of ℓ (temperature 1), so a violator gets ∂L_p/∂ℓ_pn = w_pn (1 + ℓ_pn − L_p).
    /// </summary>
    private static double MultiPositiveRow(ReadOnlySpan<float> s, ReadOnlySpan<bool> positive, MultiPositiveTripletOptions o, Span<float> g)
    {
        Span<int> negatives = stackalloc int[Math.Min(o.Negatives, s.Length)];
        int k = HardestNegatives(s, positive, negatives);
        Span<int> positives = stackalloc int[Math.Min(o.Positives, s.Length)];
        int p = HardestPositives(s, positive, positives);
        if (k == 0 || p == 0) return 0; // padded positives (+100) and missing negatives cost nothing
        Span<double> loss = stackalloc double[k];
        Span<double> weight = stackalloc double[k];
        double total = 0;
        for (int a = 0; a < p; a++)
        {
            float sp = s[positives[a]];
            for (int n = 0; n < k; n++)
            {
                loss[n] = Math.Max(0.0, (double)s[negatives[n]] - sp + o.Margin);
                weight[n] = loss[n] > 0 ? loss[n] : MultiExcludedLogit;
            }
            Softmax(weight);
            double row = 0;
            for (int n = 0; n < k; n++) row += loss[n] * weight[n];
            total += row;
            for (int n = 0; n < k; n++)
            {
                if (loss[n] <= 0) continue;
                float d = (float)(weight[n] * (1 + loss[n] - row));
                g[negatives[n]] += d;
                g[positives[a]] -= d;
            }
        }
        return total;
    }

    /// <summary>
    /// The columns of the largest scores among non-positives, best first (ties: lower column first); returns how
    /// many exist (fewer than asked when the row has fewer negatives: the original then read positives back).
    /// </summary>
    private static int HardestNegatives(ReadOnlySpan<float> s, ReadOnlySpan<bool> positive, Span<int> chosen) =>
        Extremes(s, positive, wantPositives: false, chosen);

    /// <summary>The columns of the smallest scores among positives, worst first (ties: lower column first).</summary>
    private static int HardestPositives(ReadOnlySpan<float> s, ReadOnlySpan<bool> positive, Span<int> chosen) =>
        Extremes(s, positive, wantPositives: true, chosen);

    private static int Extremes(ReadOnlySpan<float> s, ReadOnlySpan<bool> positive, bool wantPositives, Span<int> chosen)
    {
        if (chosen.IsEmpty) return 0;
        Span<float> best = stackalloc float[chosen.Length];
        chosen.Fill(-1);
        best.Fill(float.NegativeInfinity);
        int count = 0;
        for (int j = 0; j < s.Length; j++)
        {
            if (positive[j] != wantPositives) continue;
            count++;
            TopKSelector.Offer(j, wantPositives ? -s[j] : s[j], chosen, best);
        }
        return Math.Min(count, chosen.Length);
    }

    private static void Softmax(Span<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += values[i] = Math.Exp(values[i] - max);
        for (int i = 0; i < values.Length; i++) values[i] /= sum;
    }
}
