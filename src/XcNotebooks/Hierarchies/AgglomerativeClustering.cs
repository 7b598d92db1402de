namespace XcNotebooks.Hierarchies;

/// <summary>How the distance between two clusters follows from the distances between their members.</summary>
public enum LinkageMethod
{
    /// <summary>Smallest member-to-member distance.</summary>
    Single,
    /// <summary>Largest member-to-member distance.</summary>
    Complete,
    /// <summary>Mean member-to-member distance (UPGMA): the W-LTLS authors' choice.</summary>
    Average,
}

/// <summary>
/// One merge of a <see cref="LinkageTree"/>, as a row of scipy's linkage matrix: clusters <paramref name="Left"/>
/// &lt; <paramref name="Right"/> (ids below n are items, id n + i is the cluster made by merge i) join at
/// <paramref name="Distance"/> into a cluster of <paramref name="Size"/> items.
/// </summary>
public readonly record struct LinkageMerge(int Left, int Right, double Distance, int Size);

/// <summary>
/// The result of agglomerative clustering: n - 1 merges in increasing distance, in scipy's linkage-matrix
/// convention, so results can be compared with scipy.cluster.hierarchy.linkage row by row.
/// </summary>
public sealed record LinkageTree(int NumItems, LinkageMethod Method, IReadOnlyList<LinkageMerge> Merges)
{
    /// <summary>Id of the root cluster: 2n - 2 (0 for a single item).</summary>
    public int Root => Math.Max(0, 2 * NumItems - 2);

    /// <summary>The linkage matrix as scipy returns it: rows [left, right, distance, size].</summary>
    public double[,] ToMatrix()
    {
        var z = new double[Merges.Count, 4];
        for (int i = 0; i < Merges.Count; i++)
        {
            var m = Merges[i];
            (z[i, 0], z[i, 1], z[i, 2], z[i, 3]) = (m.Left, m.Right, m.Distance, m.Size);
        }
        return z;
    }

    /// <summary>
    /// The full binary tree: items 0..n-1 are the leaves (labels), merge i is inner node n + i with children
    /// (Left, Right) in that order, the root is 2n - 2. <paramref name="labelNames"/> names the items.
    /// </summary>
    public LabelHierarchy ToHierarchy(IReadOnlyList<string>? labelNames = null)
    {
        var parents = new int[Math.Max(1, 2 * NumItems - 1)];
        parents[^1] = -1;
        for (int i = 0; i < Merges.Count; i++)
        {
            parents[Merges[i].Left] = NumItems + i;
            parents[Merges[i].Right] = NumItems + i;
        }
        return LabelHierarchy.FromParents(parents, NumItems, labelNames);
    }
}

/// <summary>
/// Agglomerative (hierarchical) clustering of n items given their pairwise distances, with single, complete or
/// average linkage. Uses the nearest-neighbour-chain algorithm (Murtagh 1983; Müllner 2011): O(n^2) time and one
/// O(n^2) working copy of the distances, exact for these three (reducible) linkages. Ties are broken as scipy does:
/// a chain keeps its previous element on a tie, otherwise the lowest index wins; so the same input always gives
/// the same tree. Distances may be negative (e.g. negative co-occurrence counts).
/// </summary>
public static class AgglomerativeClustering
{
    /// <summary>Clusters the items of <paramref name="distances"/> into a full binary tree.</summary>
    public static LinkageTree Fit(CondensedDistances distances, LinkageMethod method) => Fit(distances, method, overwrite: false);

    /// <summary>
    /// Clusters the items of <paramref name="distances"/>; with <paramref name="overwrite"/> the clustering works in
    /// <paramref name="distances"/>' own array (no working copy: half the memory; the distances are garbage after).
    /// The same tree either way.
    /// </summary>
    public static LinkageTree Fit(CondensedDistances distances, LinkageMethod method, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(distances);
        int n = distances.Count;
        if (n == 1) return new LinkageTree(1, method, []);
        var d = overwrite ? distances.Values : (double[])distances.Values.Clone();
        var size = new int[n];
        Array.Fill(size, 1);
        var chain = new int[n];
        int chainLength = 0;
        var raw = new LinkageMerge[n - 1];

        for (int k = 0; k < n - 1; k++)
        {
            if (chainLength == 0)
            {
                chain[0] = Array.FindIndex(size, s => s > 0);
                chainLength = 1;
            }
            int x, y;
            double best;
            while (true)
            {
                x = chain[chainLength - 1];
                y = -1;
                best = double.PositiveInfinity;
                if (chainLength > 1)
                {
                    y = chain[chainLength - 2];
                    best = d[Pair(n, x, y)];
                }
                // Row x of the square matrix: a strided column above the diagonal, then a contiguous run.
                long at = x - 1;
                for (int i = 0; i < x; i++)
                {
                    if (size[i] != 0 && (d[at] < best || y < 0)) { best = d[at]; y = i; }
                    at += n - i - 2;
                }
                at = CondensedDistances.Index(n, x, x + 1);
                for (int i = x + 1; i < n; i++, at++)
                    if (size[i] != 0 && (d[at] < best || y < 0)) { best = d[at]; y = i; }
                if (chainLength > 1 && y == chain[chainLength - 2]) break;
                chain[chainLength++] = y;
            }
            chainLength -= 2;
            if (x > y) (x, y) = (y, x);
            int nx = size[x], ny = size[y];
            raw[k] = new LinkageMerge(x, y, best, nx + ny);
            // The merged cluster lives on in slot y; slot x is retired.
            size[x] = 0;
            size[y] = nx + ny;
            for (int i = 0; i < n; i++)
            {
                if (size[i] == 0 || i == y) continue;
                long iy = Pair(n, i, y);
                d[iy] = Update(method, d[Pair(n, i, x)], d[iy], nx, ny);
            }
        }
        return new LinkageTree(n, method, Relabel(n, raw));
    }

    /// <summary>Clusters items given as a full symmetric distance matrix.</summary>
    public static LinkageTree Fit(double[,] distances, LinkageMethod method) =>
        Fit(CondensedDistances.FromFull(distances), method);

    private static double Update(LinkageMethod method, double dx, double dy, int nx, int ny) => method switch
    {
        LinkageMethod.Single => Math.Min(dx, dy),
        LinkageMethod.Complete => Math.Max(dx, dy),
        LinkageMethod.Average => (nx * dx + ny * dy) / (nx + ny),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown linkage method"),
    };

    private static long Pair(int n, int i, int j) =>
        i < j ? CondensedDistances.Index(n, i, j) : CondensedDistances.Index(n, j, i);

    /// <summary>
    /// Sorts the chain's merges by distance (stably) and renames slots to cluster ids: item ids below n, merge i
    /// makes cluster n + i; each row lists the smaller id first (scipy's convention).
    /// </summary>
    private static LinkageMerge[] Relabel(int n, LinkageMerge[] raw)
    {
        var sorted = raw.Select((m, i) => (m, i)).OrderBy(t => t.m.Distance).ThenBy(t => t.i).Select(t => t.m).ToArray();
        var parent = new int[2 * n - 1];
        for (int i = 0; i < parent.Length; i++) parent[i] = i;
        int Find(int v)
        {
            while (parent[v] != v) v = parent[v] = parent[parent[v]];
            return v;
        }
        var result = new LinkageMerge[n - 1];
        for (int i = 0; i < sorted.Length; i++)
        {
            int a = Find(sorted[i].Left), b = Find(sorted[i].Right);
            int merged = n + i;
            parent[a] = parent[b] = merged;
            result[i] = new LinkageMerge(Math.Min(a, b), Math.Max(a, b), sorted[i].Distance, sorted[i].Size);
        }
        return result;
    }
}
