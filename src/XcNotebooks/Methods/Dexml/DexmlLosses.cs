namespace XcNotebooks.Methods.Dexml;

/// <summary>The loss DEXML trains its dual encoder with (DEXML's <c>loss_criterion</c>).</summary>
public enum DexmlLoss
{
    /// <summary>InfoNCE: every positive is a target of a softmax over the whole pool, other positives included (the baseline).</summary>
    Softmax,
    /// <summary>DecoupledSoftmax (the paper's loss): each target positive competes only with the negatives.</summary>
    DecoupledSoftmax,
    /// <summary>SoftTop-k: a differentiable top-k membership per label; the targets are pushed into the top k.</summary>
    SoftTopk,
}

/// <summary>
/// SoftTop-k settings (DEXML's <c>topk_K</c>, <c>topk_alpha</c>, <c>topk_n_iter</c>): membership
/// m_j = σ(α (s_j + t)) with the threshold t found by <see cref="Iterations"/> bisection steps so that Σ_j m_j = K.
/// </summary>
/// <param name="K">k of the top-k (5).</param>
/// <param name="Alpha">α, the sharpness of the membership (2).</param>
/// <param name="Iterations">Bisection steps for t (32).</param>
public sealed record SoftTopkOptions(int K = 5, float Alpha = 2f, int Iterations = 32)
{
    /// <summary>Checks the values; returns this.</summary>
    public SoftTopkOptions Validate()
    {
        if (K < 1) throw new ArgumentException($"soft top-k: K must be positive, got {K}");
        if (!(Alpha > 0) || float.IsInfinity(Alpha)) throw new ArgumentException($"soft top-k: alpha must be positive, got {Alpha}");
        if (Iterations < 1) throw new ArgumentException($"soft top-k: iterations must be positive, got {Iterations}");
        return this;
    }
}

/// <summary>The soft top-k memberships m_j of one row of scores and the threshold t they were found with.</summary>
public sealed record SoftTopk(double[] Memberships, double Threshold);

/// <summary>
/// DEXML's losses (<c>losses.SimLoss</c>) on a rows x cols score matrix S whose entries are already divided by the
/// temperature, value and ∂loss/∂S, on the host in double precision (rows in parallel, each row in a fixed order: the
/// same bits every run). For row i, <c>positives[i]</c> lists the pool columns that are positives of the point and
/// <c>targets[i]</c> the positives that are the loss's targets this step (DEXML samples one per row, or up to K for
/// SoftTop-k; all positives without sampling). The loss is the mean over rows of:
/// <list type="bullet">
/// <item><see cref="DexmlLoss.Softmax"/>: ℓ_i = Σ_{p∈T_i} [logsumexp_j s_ij − s_ip] (positives stay in every normaliser; no division by |T_i|).</item>
/// <item><see cref="DexmlLoss.DecoupledSoftmax"/>: ℓ_i = (1/|T_i|) Σ_{p∈T_i} [log(e^{s_ip} + Σ_{n∉P_i} e^{s_in}) − s_ip]: the
/// other positives leave the normaliser (DEXML sets them to −100; here they are left out, the same up to e^−100).</item>
/// <item><see cref="DexmlLoss.SoftTopk"/>: ℓ_i = −(1/|T_i|) Σ_{p∈T_i} log m_ip over the columns that are not masked
/// (positives that are not targets are masked, as DEXML's −100); the backward pass treats t as the implicit
/// function of the scores: ∂ℓ/∂s_j = u_j − v_j Σ_k u_k / Σ_k v_k with v_j = α m_j (1 − m_j), u_j = (∂ℓ/∂log m_j) α (1 − m_j).
/// A row with no more than K unmasked columns has every label in its top k and costs nothing.</item>
/// </list>
/// A row without targets adds 0 (and still counts in the mean, as DEXML's division by the batch size).
/// </summary>
public static class DexmlLosses
{
    /// <summary>Writes ∂loss/∂scores into <paramref name="gradient"/> (rows x cols, row-major) and returns the loss.</summary>
    public static double Evaluate(DexmlLoss loss, float[] scores, int rows, int cols, IReadOnlyList<int[]> positives,
        IReadOnlyList<int[]> targets, float[] gradient, SoftTopkOptions? softTopk = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(gradient);
        return Evaluate(loss, (ReadOnlySpan<float>)scores, rows, cols, positives, targets, (Span<float>)gradient, softTopk);
    }

    /// <summary>
    /// The fast path of <see cref="Evaluate(DexmlLoss, float[], int, int, IReadOnlyList{int[]}, IReadOnlyList{int[]}, float[], SoftTopkOptions?)"/>
    /// on tensor storage. <paramref name="meanOver"/>: the rows the mean divides by (null: <paramref name="rows"/>);
    /// a data-parallel rank scores its slice of a batch and divides by the whole batch, so the ranks' losses and
    /// gradients add up to the batch's.
    /// </summary>
    internal static double Evaluate(DexmlLoss loss, ReadOnlySpan<float> scores, int rows, int cols, IReadOnlyList<int[]> positives,
        IReadOnlyList<int[]> targets, Span<float> gradient, SoftTopkOptions? softTopk = null, int? meanOver = null)
    {
        if (meanOver is { } over && over < rows) throw new ArgumentException($"the mean is over {over} rows, fewer than the {rows} scored");
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(targets);
        if (rows < 0 || cols < 1) throw new ArgumentException($"a {rows} x {cols} score matrix has no columns");
        if (scores.Length != rows * cols) throw new ArgumentException($"{scores.Length} scores for a {rows} x {cols} matrix");
        if (gradient.Length != rows * cols) throw new ArgumentException($"the gradient holds {gradient.Length} values, the scores {rows * cols}");
        if (positives.Count != rows || targets.Count != rows)
            throw new ArgumentException($"{positives.Count} positive lists and {targets.Count} target lists for {rows} rows");
        var topk = (softTopk ?? new SoftTopkOptions()).Validate();
        for (int i = 0; i < rows; i++)
        {
            foreach (int p in positives[i])
                if ((uint)p >= (uint)cols) throw new ArgumentException($"row {i}: positive column {p} outside 0..{cols - 1}");
            foreach (int t in targets[i])
                if (Array.IndexOf(positives[i], t) < 0) throw new ArgumentException($"row {i}: target column {t} is not one of the row's positives");
        }
        var s = scores.ToArray();
        var g = new double[s.Length];
        var rowLoss = new double[rows];
        Parallel.For(0, rows, i =>
        {
            var row = s.AsSpan(i * cols, cols);
            var grad = g.AsSpan(i * cols, cols);
            rowLoss[i] = loss switch
            {
                DexmlLoss.Softmax => SoftmaxRow(row, targets[i], grad),
                DexmlLoss.DecoupledSoftmax => DecoupledRow(row, positives[i], targets[i], grad),
                DexmlLoss.SoftTopk => SoftTopkRow(row, positives[i], targets[i], topk, grad),
                _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
            };
        });
        int divisor = meanOver ?? rows;
        double scale = divisor == 0 ? 0 : 1.0 / divisor;
        for (int j = 0; j < g.Length; j++) gradient[j] = (float)(g[j] * scale);
        return rowLoss.Sum() * scale;
    }

    /// <summary>
    /// The soft top-k memberships of one row of scores, m_j = σ(α (s_j + t)), and the threshold t (DEXML's bisection:
    /// lo = −max s − 10/α, hi = −min s + 10/α; Σ m &lt; K moves lo up, otherwise hi down). The memberships sum to K
    /// (up to the bisection's resolution) when the row has more than K scores.
    /// </summary>
    public static SoftTopk SoftTopkMemberships(float[] scores, SoftTopkOptions options) =>
        SoftTopkMemberships((ReadOnlySpan<float>)scores, options);

    /// <summary>The fast path of <see cref="SoftTopkMemberships(float[], SoftTopkOptions)"/> on a row of a score matrix.</summary>
    internal static SoftTopk SoftTopkMemberships(ReadOnlySpan<float> scores, SoftTopkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (scores.Length == 0) throw new ArgumentException("no scores");
        var included = new bool[scores.Length];
        Array.Fill(included, true);
        double t = Threshold(scores, included, options);
        var m = new double[scores.Length];
        for (int j = 0; j < m.Length; j++) m[j] = Sigmoid(options.Alpha * (scores[j] + t));
        return new SoftTopk(m, t);
    }

    private static double SoftmaxRow(ReadOnlySpan<float> s, int[] targets, Span<double> grad)
    {
        if (targets.Length == 0) return 0;
        double max = double.NegativeInfinity;
        foreach (var v in s) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in s) sum += Math.Exp(v - max);
        double lse = max + Math.Log(sum);
        double loss = 0;
        for (int j = 0; j < s.Length; j++) grad[j] = targets.Length * Math.Exp(s[j] - lse);
        foreach (int p in targets)
        {
            loss += lse - s[p];
            grad[p] -= 1;
        }
        return loss;
    }

    private static double DecoupledRow(ReadOnlySpan<float> s, int[] positives, int[] targets, Span<double> grad)
    {
        if (targets.Length == 0) return 0;
        var positive = new bool[s.Length];
        foreach (int p in positives) positive[p] = true;
        double max = double.NegativeInfinity;
        foreach (var v in s) max = Math.Max(max, v);
        double negatives = 0; // Σ_{n∉P} e^{s_n − max}
        for (int j = 0; j < s.Length; j++)
            if (!positive[j]) negatives += Math.Exp(s[j] - max);
        double weight = 1.0 / targets.Length, loss = 0, negativeShare = 0;
        foreach (int p in targets)
        {
            double own = Math.Exp(s[p] - max), denominator = own + negatives;
            loss += weight * (max + Math.Log(denominator) - s[p]);
            grad[p] -= weight * (1 - own / denominator);
            negativeShare += weight / denominator; // each negative n gets e^{s_n − max} times this
        }
        for (int j = 0; j < s.Length; j++)
            if (!positive[j]) grad[j] += Math.Exp(s[j] - max) * negativeShare;
        return loss;
    }

    private static double SoftTopkRow(ReadOnlySpan<float> s, int[] positives, int[] targets, SoftTopkOptions options, Span<double> grad)
    {
        if (targets.Length == 0) return 0;
        var included = new bool[s.Length];
        Array.Fill(included, true);
        foreach (int p in positives) included[p] = false;
        foreach (int p in targets) included[p] = true; // positives that are not targets are masked (DEXML's −100)
        int count = included.Count(x => x);
        if (count <= options.K) return 0;
        double alpha = options.Alpha;
        double t = Threshold(s, included, options);
        double weight = 1.0 / targets.Length, loss = 0;
        var target = new bool[s.Length];
        foreach (int p in targets) target[p] = true;
        double sumU = 0, sumV = 0;
        for (int j = 0; j < s.Length; j++)
        {
            if (!included[j]) continue;
            double x = alpha * (s[j] + t);
            double m = Sigmoid(x), complement = Sigmoid(-x);
            double v = alpha * m * complement;
            sumV += v;
            if (target[j])
            {
                loss -= weight * LogSigmoid(x);
                double u = -weight * alpha * complement;
                grad[j] = u;
                sumU += u;
            }
        }
        if (sumV > 0)
            for (int j = 0; j < s.Length; j++)
                if (included[j]) grad[j] -= alpha * Sigmoid(alpha * (s[j] + t)) * Sigmoid(-alpha * (s[j] + t)) * sumU / sumV;
        return loss;
    }

    /// <summary>t with Σ_{included} σ(α (s_j + t)) = K, by DEXML's bisection.</summary>
    private static double Threshold(ReadOnlySpan<float> s, bool[] included, SoftTopkOptions options)
    {
        double alpha = options.Alpha, max = double.NegativeInfinity, min = double.PositiveInfinity;
        for (int j = 0; j < s.Length; j++)
        {
            if (!included[j]) continue;
            max = Math.Max(max, s[j]);
            min = Math.Min(min, s[j]);
        }
        double lo = -max - 10 / alpha, hi = -min + 10 / alpha;
        for (int it = 0; it < options.Iterations; it++)
        {
            double mid = (lo + hi) / 2, sum = 0;
            for (int j = 0; j < s.Length; j++)
                if (included[j]) sum += Sigmoid(alpha * (s[j] + mid));
            if (sum < options.K) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));
}
