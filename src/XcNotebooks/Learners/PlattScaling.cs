namespace XcNotebooks.Learners;

/// <summary>
/// Platt scaling: turns a binary classifier's margin m into a probability σ(A·m + B). <see cref="Fit"/> finds A and B
/// by maximum likelihood on (margin, label) pairs with Platt's smoothed targets (N₊ + 1)/(N₊ + 2) for positives and
/// 1/(N₋ + 2) for negatives, by Newton's method with backtracking (Lin, Lin and Weng 2007), in double precision.
/// </summary>
/// <param name="A">Slope on the margin (positive when larger margins mean more likely positive).</param>
/// <param name="B">Offset.</param>
public readonly record struct PlattScaling(double A, double B)
{
    /// <summary>σ(A·margin + B).</summary>
    public double Probability(double margin) => Sigmoid(A * margin + B);

    /// <summary>A constant probability (no dependence on the margin): A = 0, B = logit(p).</summary>
    public static PlattScaling Constant(double probability)
    {
        if (!(probability > 0 && probability < 1)) throw new ArgumentException($"a constant probability must lie in (0, 1), got {probability}");
        return new PlattScaling(0, Math.Log(probability / (1 - probability)));
    }

    /// <summary>
    /// The constant predictor for <paramref name="count"/> examples that all carry the same label: Platt's smoothed
    /// target, (N + 1)/(N + 2) when they are positive and 1/(N + 2) when negative.
    /// </summary>
    public static PlattScaling ForConstantLabels(bool positive, int count)
    {
        if (count < 0) throw new ArgumentException($"negative example count {count}");
        return Constant(positive ? (count + 1.0) / (count + 2.0) : 1.0 / (count + 2.0));
    }

    /// <summary>Fits A and B to <paramref name="margins"/> and their <paramref name="labels"/> (true = positive).</summary>
    public static PlattScaling Fit(IReadOnlyList<float> margins, IReadOnlyList<bool> labels, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(margins);
        ArgumentNullException.ThrowIfNull(labels);
        if (margins.Count != labels.Count) throw new ArgumentException($"{margins.Count} margins but {labels.Count} labels");
        int n = margins.Count, positives = labels.Count(l => l), negatives = n - positives;
        if (n == 0) return new PlattScaling(0, 0);
        double high = (positives + 1.0) / (positives + 2.0), low = 1.0 / (negatives + 2.0);
        var t = new double[n];
        for (int i = 0; i < n; i++) t[i] = labels[i] ? high : low;
        const double ridge = 1e-12, minStep = 1e-10, tolerance = 1e-5;
        double a = 0, b = Math.Log((positives + 1.0) / (negatives + 1.0));
        double value = NegativeLogLikelihood(margins, t, a, b);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double gA = 0, gB = 0, hAA = ridge, hBB = ridge, hAB = 0;
            for (int i = 0; i < n; i++)
            {
                double p = Sigmoid(a * margins[i] + b), w = p * (1 - p), r = p - t[i];
                gA += r * margins[i];
                gB += r;
                hAA += w * margins[i] * margins[i];
                hBB += w;
                hAB += w * margins[i];
            }
            if (Math.Abs(gA) < tolerance && Math.Abs(gB) < tolerance) break;
            double det = hAA * hBB - hAB * hAB;
            double dA = -(hBB * gA - hAB * gB) / det, dB = -(-hAB * gA + hAA * gB) / det;
            double slope = gA * dA + gB * dB, step = 1;
            while (step >= minStep)
            {
                double candidate = NegativeLogLikelihood(margins, t, a + step * dA, b + step * dB);
                if (candidate < value + 1e-4 * step * slope)
                {
                    a += step * dA;
                    b += step * dB;
                    value = candidate;
                    break;
                }
                step /= 2;
            }
            if (step < minStep) break; // no further progress possible in double precision
        }
        return new PlattScaling(a, b);
    }

    private static double NegativeLogLikelihood(IReadOnlyList<float> margins, double[] targets, double a, double b)
    {
        double sum = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            // -[t log σ(z) + (1 - t) log(1 - σ(z))] = log(1 + e^z) - t z, computed without overflow.
            double z = a * margins[i] + b;
            sum += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - targets[i] * z;
        }
        return sum;
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
