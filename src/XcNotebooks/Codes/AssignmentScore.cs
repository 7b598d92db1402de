using XcNotebooks.Hierarchies;
using XcNotebooks.Training;

namespace XcNotebooks.Codes;

/// <summary>Mean and (population) standard deviation of a few values, with the values: figures over seeds.</summary>
public sealed record ScoreSpread(double Mean, double StandardDeviation, IReadOnlyList<double> Values)
{
    /// <summary>The spread of <paramref name="values"/> (standard deviation with divisor n, as numpy's std).</summary>
    public static ScoreSpread Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (v.Length == 0) throw new ArgumentException("no values to summarise");
        double mean = v.Average();
        double variance = v.Sum(x => (x - mean) * (x - mean)) / v.Length;
        return new ScoreSpread(mean, Math.Sqrt(variance), v);
    }

    /// <summary>"mean ± std", e.g. "94.12 ± 0.31".</summary>
    public string Format(string numberFormat = "F2") => $"{Mean.ToString(numberFormat)} ± {StandardDeviation.ToString(numberFormat)}";

    /// <summary>"mean ± std (n values)".</summary>
    public override string ToString() => $"{Format("G4")} ({Values.Count} values)";
}

/// <summary>
/// How well a codeword-to-class assignment preserves similarity (Evron et al., AISTATS 2023, Eq. 5): scale the
/// class distance matrix and the codeword distance matrix (rows and columns in class order, through the
/// assignment) to unit Frobenius norm and take the squared Frobenius norm of their difference. 0 is a perfect
/// match, 4 the worst; a similarity-preserving assignment should score well below random ones.
/// </summary>
public static class AssignmentScore
{
    /// <summary>
    /// ||D_cls / |D_cls| - D_cw / |D_cw| ||_F^2 where D_cw[a, b] = codeword distance between the codewords of classes
    /// a and b under <paramref name="assignment"/>. Both matrices are taken in full (each pair counted twice), as in
    /// the authors' code.
    /// </summary>
    public static double Eq5(CondensedDistances classDistances, CondensedDistances codewordDistances, CodewordAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(classDistances);
        ArgumentNullException.ThrowIfNull(codewordDistances);
        ArgumentNullException.ThrowIfNull(assignment);
        int k = classDistances.Count;
        if (codewordDistances.Count != k || assignment.Count != k)
            throw new ArgumentException(
                $"sizes differ: {k} classes, {codewordDistances.Count} codewords, an assignment of {assignment.Count}");
        double classNorm = classDistances.FrobeniusNorm(), codewordNorm = codewordDistances.FrobeniusNorm();
        if (classNorm == 0 || codewordNorm == 0)
            throw new ArgumentException("all distances are zero in the class or the codeword matrix: Eq. 5 is undefined");
        var codewordOf = assignment.CodewordOfClass.ToArray();
        var rowSums = new double[k];
        Parallel.For(0, k, a =>
        {
            var classRow = classDistances.RowAbove(a);
            int wa = codewordOf[a];
            double sum = 0;
            for (int j = 0; j < classRow.Length; j++)
            {
                double diff = classRow[j] / classNorm - codewordDistances[wa, codewordOf[a + 1 + j]] / codewordNorm;
                sum += diff * diff;
            }
            rowSums[a] = sum;
        });
        double total = 0;
        foreach (var s in rowSums) total += s; // fixed order: same result on every run
        return 2 * total;
    }

    /// <summary>
    /// The Eq. 5 score of <paramref name="permutations"/> uniformly random assignments (the i-th drawn with a seed
    /// derived from <paramref name="seed"/> and i): the baseline a similarity-preserving assignment is compared with.
    /// </summary>
    public static ScoreSpread RandomBaseline(CondensedDistances classDistances, CondensedDistances codewordDistances, int permutations = 5, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(classDistances);
        if (permutations < 1) throw new ArgumentException($"need at least one permutation, got {permutations}");
        var scores = new double[permutations];
        for (int i = 0; i < permutations; i++)
            scores[i] = Eq5(classDistances, codewordDistances, CodewordAssignment.Random(classDistances.Count, Seeds.Derive(seed, i)));
        return ScoreSpread.Of(scores);
    }
}
