namespace XcNotebooks.Hierarchies;

/// <summary>
/// A symmetric n x n distance matrix with a zero diagonal, stored as its upper triangle row by row (scipy's
/// "condensed" form: the entry (i, j), i &lt; j, sits at n*i - i*(i+1)/2 + j - i - 1). Distances between classes,
/// between codewords, and the input of <see cref="AgglomerativeClustering"/>. O(n^2) memory, so at most
/// <see cref="MaxCount"/> items.
/// </summary>
public sealed class CondensedDistances
{
    /// <summary>
    /// The largest n accepted: 20,000 items already need 200 million pairwise distances (1.6 GB as doubles), and
    /// clustering needs a second copy.
    /// </summary>
    public const int MaxCount = 20_000;

    /// <summary>Wraps <paramref name="values"/> (length n(n-1)/2, condensed order) without copying; values must be finite.</summary>
    public CondensedDistances(int count, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckCount(count);
        if (values.LongLength != PairCount(count))
            throw new ArgumentException($"{count} items need {PairCount(count):N0} condensed distances, got {values.LongLength:N0}");
        for (long p = 0; p < values.LongLength; p++)
            if (!double.IsFinite(values[p]))
            {
                var (i, j) = PairOf(count, p);
                throw new ArgumentException($"distance ({i}, {j}) is {values[p]}, not a finite number");
            }
        Count = count;
        Values = values;
    }

    // Skips validation: for builders that fill the array themselves.
    private CondensedDistances(int count, double[] values, bool trusted)
    {
        _ = trusted;
        Count = count;
        Values = values;
    }

    /// <summary>Number of items n.</summary>
    public int Count { get; }

    /// <summary>The upper triangle, row by row (exposed for fast loops; treat as read-only).</summary>
    public double[] Values { get; }

    /// <summary>Distance between items <paramref name="i"/> and <paramref name="j"/> (0 when equal).</summary>
    public double this[int i, int j]
    {
        get
        {
            if ((uint)i >= (uint)Count || (uint)j >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(i), $"({i}, {j}) outside 0..{Count - 1}");
            if (i == j) return 0;
            return i < j ? Values[Index(Count, i, j)] : Values[Index(Count, j, i)];
        }
    }

    /// <summary>The distances from item <paramref name="i"/> to items i+1 .. n-1, contiguous in <see cref="Values"/>.</summary>
    public ReadOnlySpan<double> RowAbove(int i) => Values.AsSpan((int)Index(Count, i, i + 1), Count - 1 - i);

    /// <summary>Number of pairs n(n-1)/2.</summary>
    public static long PairCount(int count) => (long)count * (count - 1) / 2;

    /// <summary>Position of the pair (i, j), i &lt; j, in the condensed array of n items.</summary>
    public static long Index(int count, int i, int j) => (long)count * i - (long)i * (i + 1) / 2 + j - i - 1;

    /// <summary>An all-zero matrix of <paramref name="count"/> items, for builders that fill <see cref="Values"/>.</summary>
    public static CondensedDistances Zeros(int count)
    {
        CheckCount(count);
        return new CondensedDistances(count, new double[PairCount(count)], trusted: true);
    }

    /// <summary>From a full square matrix, which must be symmetric with a zero diagonal.</summary>
    public static CondensedDistances FromFull(double[,] full)
    {
        ArgumentNullException.ThrowIfNull(full);
        int n = full.GetLength(0);
        if (full.GetLength(1) != n) throw new ArgumentException($"distance matrix is {n} x {full.GetLength(1)}, not square");
        var result = Zeros(n);
        for (int i = 0; i < n; i++)
        {
            if (full[i, i] != 0) throw new ArgumentException($"diagonal entry ({i}, {i}) is {full[i, i]}, not 0");
            for (int j = i + 1; j < n; j++)
            {
                if (full[i, j] != full[j, i])
                    throw new ArgumentException($"not symmetric: ({i}, {j}) is {full[i, j]} but ({j}, {i}) is {full[j, i]}");
                if (!double.IsFinite(full[i, j])) throw new ArgumentException($"distance ({i}, {j}) is {full[i, j]}, not a finite number");
                result.Values[Index(n, i, j)] = full[i, j];
            }
        }
        return result;
    }

    /// <summary>Evaluates <paramref name="distance"/>(i, j) for every pair i &lt; j (in parallel over rows).</summary>
    public static CondensedDistances FromFunction(int count, Func<int, int, double> distance)
    {
        ArgumentNullException.ThrowIfNull(distance);
        var result = Zeros(count);
        Parallel.For(0, count, i =>
        {
            long at = Index(count, i, i + 1);
            for (int j = i + 1; j < count; j++) result.Values[at++] = distance(i, j);
        });
        return new CondensedDistances(count, result.Values);
    }

    /// <summary>The full square matrix (small n: tests and display).</summary>
    public double[,] ToFull()
    {
        var full = new double[Count, Count];
        for (int i = 0; i < Count; i++)
            for (int j = i + 1; j < Count; j++) full[i, j] = full[j, i] = Values[Index(Count, i, j)];
        return full;
    }

    /// <summary>
    /// The distances seen through a relabelling: result[a, b] = this[order[a], order[b]]. With order = the codeword
    /// of each class, codeword distances become distances between the classes those codewords carry.
    /// </summary>
    public CondensedDistances Permute(IReadOnlyList<int> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Count != Count) throw new ArgumentException($"order has {order.Count} entries, the matrix {Count} items");
        var map = order.ToArray();
        if (Codes.CodewordAssignment.PermutationProblem(map) is { } problem) throw new ArgumentException($"order: {problem}");
        var result = Zeros(Count);
        Parallel.For(0, Count, a =>
        {
            long at = Index(Count, a, a + 1);
            for (int b = a + 1; b < Count; b++)
            {
                int x = map[a], y = map[b];
                result.Values[at++] = x < y ? Values[Index(Count, x, y)] : Values[Index(Count, y, x)];
            }
        });
        return result;
    }

    /// <summary>Frobenius norm of the full square matrix (each pair counted twice).</summary>
    public double FrobeniusNorm()
    {
        double sum = 0;
        foreach (var v in Values) sum += v * v;
        return Math.Sqrt(2 * sum);
    }

    /// <summary>Shape, e.g. "CondensedDistances 105 items (5,460 pairs)".</summary>
    public override string ToString() => $"CondensedDistances {Count:N0} items ({PairCount(Count):N0} pairs)";

    /// <summary>The pair (i, j) stored at condensed position <paramref name="position"/>.</summary>
    internal static (int I, int J) PairOf(int count, long position)
    {
        int i = 0;
        while (position >= count - 1 - i) { position -= count - 1 - i; i++; }
        return (i, i + 1 + (int)position);
    }

    private static void CheckCount(int count)
    {
        if (count < 1) throw new ArgumentException($"a distance matrix needs at least one item, got {count}");
        if (count > MaxCount)
            throw new ArgumentException(
                $"{count:N0} items need {PairCount(count):N0} pairwise distances ({PairCount(count) * 8 / 1e9:F1} GB): the O(K^2) " +
                $"hierarchy and assignment tools accept at most {MaxCount:N0} classes. Give a hierarchy instead of computing one, " +
                "or cluster a subset.");
    }
}
