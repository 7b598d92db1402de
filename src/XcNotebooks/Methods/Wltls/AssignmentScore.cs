using System.Globalization;
using XcNotebooks.Hierarchies;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

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
    public string Format(string numberFormat = "F2") =>
        $"{Mean.ToString(numberFormat, CultureInfo.InvariantCulture)} ± {StandardDeviation.ToString(numberFormat, CultureInfo.InvariantCulture)}";

    /// <summary>"mean ± std (n values)".</summary>
    public override string ToString() => $"{Format("G4")} ({Values.Count} values)";
}

/// <summary>The Eq. 5 score of an assignment next to the scores of random assignments of the same code.</summary>
/// <param name="Score">Eq. 5 score of the assignment (0 best, 4 worst).</param>
/// <param name="Random">Scores of uniformly random assignments.</param>
public sealed record AssignmentQuality(double Score, ScoreSpread Random)
{
    /// <summary>"0.1234 (random 0.5678 ± 0.0012)".</summary>
    public override string ToString() => $"{Score:F4} (random {Random.Format("F4")})";
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
    public static double Eq5(CondensedDistances classDistances, CondensedDistances codewordDistances, PathAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(classDistances);
        ArgumentNullException.ThrowIfNull(codewordDistances);
        ArgumentNullException.ThrowIfNull(assignment);
        int k = classDistances.Count;
        if (codewordDistances.Count != k || assignment.NumClasses != k)
            throw new ArgumentException(
                $"sizes differ: {k} classes, {codewordDistances.Count} codewords, an assignment of {assignment.NumClasses}");
        if (!assignment.IsComplete) throw new ArgumentException("the assignment is incomplete: some classes have no codeword yet");
        double classNorm = classDistances.FrobeniusNorm(), codewordNorm = codewordDistances.FrobeniusNorm();
        if (classNorm == 0 || codewordNorm == 0)
            throw new ArgumentException("all distances are zero in the class or the codeword matrix: Eq. 5 is undefined");
        var codewordOf = assignment.CodewordOfClass;
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

    /// <summary>The Eq. 5 score of <paramref name="assignment"/> and the <see cref="RandomBaseline"/> beside it.</summary>
    public static AssignmentQuality Evaluate(CondensedDistances classDistances, CondensedDistances codewordDistances, PathAssignment assignment,
        int permutations = 5, int seed = 0) =>
        new(Eq5(classDistances, codewordDistances, assignment), RandomBaseline(classDistances, codewordDistances, permutations, seed));

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
            scores[i] = Eq5(classDistances, codewordDistances, PathAssignment.Random(classDistances.Count, SeedStreams.AssignmentScore.RandomAssignment.Of(seed, i)));
        return ScoreSpread.Of(scores);
    }
}
