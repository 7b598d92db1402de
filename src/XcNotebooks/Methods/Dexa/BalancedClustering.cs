using System.Numerics.Tensors;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// Balanced hierarchical 2-means on cosine similarity (pyxclib's cluster_balance with b_kmeans_dense, as DEXA and
/// NGAME use it): every cluster is split into two halves whose sizes differ by at most one until there are
/// 2^⌈log₂ target⌉ clusters, so every leaf has ⌊n/T⌋ or ⌈n/T⌉ members. Each split starts from two distinct random
/// rows (seeded per split), then alternates "assign the half closest to each centroid" and "re-centre" until the
/// mean similarity gains less than 1e-4. Clusters of one level are split in parallel.
/// </summary>
public static class BalancedClustering
{
    private const double Tolerance = 1e-4;
    private const int MaxIterations = 100;

    /// <summary>
    /// Clusters the rows listed in <paramref name="members"/> (all rows when null) of <paramref name="vectors"/>
    /// (normalised here) into 2^⌈log₂ target⌉ balanced clusters (fewer when rows run out), in the order
    /// [C0 left, C0 right, C1 left, ...] of the last split. Each cluster lists row ids in increasing order.
    /// </summary>
    public static IReadOnlyList<int[]> Cluster(RowMajorMatrix vectors, int target, int seed, IReadOnlyList<int>? members = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (target < 1) throw new ArgumentException($"target cluster count must be positive, got {target}");
        var all = members?.ToArray() ?? Enumerable.Range(0, vectors.Rows).ToArray();
        foreach (int r in all)
            if ((uint)r >= (uint)vectors.Rows) throw new ArgumentException($"member {r} outside 0..{vectors.Rows - 1}");
        int goal = 1;
        while (goal < target) goal *= 2;
        var unit = Normalized(vectors);
        var clusters = new List<int[]> { all };
        for (int level = 0; clusters.Count < goal && clusters.Any(c => c.Length > 1); level++)
        {
            var halves = new (int[], int[]?)[clusters.Count];
            int lvl = level;
            Parallel.For(0, clusters.Count, c => halves[c] = Split(unit, clusters[c], SeedStreams.BalancedClustering.Split.Of(seed, lvl, c)));
            var next = new List<int[]>(clusters.Count * 2);
            foreach (var (left, right) in halves)
            {
                next.Add(left);
                if (right is not null) next.Add(right);
            }
            clusters = next;
        }
        foreach (var c in clusters) Array.Sort(c);
        return clusters;
    }

    /// <summary>The cluster index of each row id (−1 for rows in no cluster), from <see cref="Cluster"/>'s result.</summary>
    public static int[] Assignment(IReadOnlyList<int[]> clusters, int rows)
    {
        var of = new int[rows];
        Array.Fill(of, -1);
        for (int c = 0; c < clusters.Count; c++)
            foreach (int r in clusters[c]) of[r] = c;
        return of;
    }

    private static RowMajorMatrix Normalized(RowMajorMatrix vectors) => NormalizeRows(vectors.Clone());

    /// <summary>Scales every row of <paramref name="vectors"/> to unit L2 norm in place (zero rows stay zero); returns it.</summary>
    internal static RowMajorMatrix NormalizeRows(RowMajorMatrix vectors)
    {
        Parallel.For(0, vectors.Rows, i => NormalizeInPlace(vectors.Row(i)));
        return vectors;
    }

    private static void NormalizeInPlace(Span<float> v)
    {
        float norm = MathF.Max(TensorPrimitives.Norm(v), 1e-12f);
        TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>One balanced 2-means split (pyxclib b_kmeans_dense); a single row cannot be split (right = null).</summary>
    private static (int[] Left, int[]? Right) Split(RowMajorMatrix unit, int[] members, int seed)
    {
        int n = members.Length;
        if (n < 2) return (members, null);
        int d = unit.Cols;
        var rng = new Random(seed);
        int first = rng.Next(n), second = rng.Next(n - 1);
        if (second >= first) second++;
        var c0 = unit.Row(members[first]).ToArray();
        var c1 = unit.Row(members[second]).ToArray();
        var s0 = new float[n];
        var s1 = new float[n];
        var order = new int[n];
        var keys = new float[n];
        int leftSize = (n + 1) / 2; // numpy array_split: the first half takes the odd one
        double previous = -1e6, current = -2;
        Similarities(unit, members, c0, c1, s0, s1);
        for (int iteration = 0; current - previous >= Tolerance && iteration < MaxIterations; iteration++)
        {
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
                keys[i] = s1[i] - s0[i];
            }
            Array.Sort(keys, order); // introsort, not stable: ties are exact equalities of float differences
            Centroid(unit, members, order.AsSpan(0, leftSize), c0);
            Centroid(unit, members, order.AsSpan(leftSize), c1);
            Similarities(unit, members, c0, c1, s0, s1);
            double total = 0;
            for (int i = 0; i < leftSize; i++) total += s0[order[i]];
            for (int i = leftSize; i < n; i++) total += s1[order[i]];
            previous = current;
            current = total / n;
        }
        var left = new int[leftSize];
        var right = new int[n - leftSize];
        for (int i = 0; i < leftSize; i++) left[i] = members[order[i]];
        for (int i = leftSize; i < n; i++) right[i - leftSize] = members[order[i]];
        return (left, right);
    }

    private static void Similarities(RowMajorMatrix unit, int[] members, float[] c0, float[] c1, float[] s0, float[] s1)
    {
        for (int i = 0; i < members.Length; i++)
        {
            var v = unit.Row(members[i]);
            s0[i] = TensorPrimitives.Dot(v, c0);
            s1[i] = TensorPrimitives.Dot(v, c1);
        }
    }

    private static void Centroid(RowMajorMatrix unit, int[] members, ReadOnlySpan<int> group, float[] centroid)
    {
        Array.Clear(centroid);
        foreach (int i in group) TensorPrimitives.Add(centroid, unit.Row(members[i]), centroid);
        NormalizeInPlace(centroid);
    }
}
