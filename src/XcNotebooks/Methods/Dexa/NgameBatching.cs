using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dexa;

/// <summary>The NGAME clustering curriculum of one training stage.</summary>
/// <param name="InitialClusterSize">n₀: the first clustering aims at clusters of about this many points.</param>
/// <param name="CurriculumEpochs">Epochs at whose start the cluster count halves (clusters double); the first is also
/// when clustering starts (before it, batches are random).</param>
/// <param name="RefreshInterval">Re-cluster every this many epochs once clustering has started.</param>
public sealed record NgameCurriculum(int InitialClusterSize, IReadOnlyList<int> CurriculumEpochs, int RefreshInterval)
{
    /// <summary>Checks the values.</summary>
    public NgameCurriculum Validate()
    {
        if (InitialClusterSize < 1) throw new ArgumentException($"initial cluster size must be positive, got {InitialClusterSize}");
        if (RefreshInterval < 1) throw new ArgumentException($"refresh interval must be positive, got {RefreshInterval}");
        if (CurriculumEpochs is null || CurriculumEpochs.Count == 0) throw new ArgumentException("the curriculum needs at least one epoch (when clustering starts)");
        for (int i = 1; i < CurriculumEpochs.Count; i++)
            if (CurriculumEpochs[i] <= CurriculumEpochs[i - 1]) throw new ArgumentException("curriculum epochs must increase");
        return this;
    }
}

/// <summary>
/// NGAME's negative-mining-aware mini-batching: the training points are partitioned into clusters of similar points
/// (balanced 2-means on their embeddings, refreshed every few epochs, clusters growing along a curriculum); each
/// epoch shuffles the clusters and concatenates them, so a batch holds whole clusters and the labels of similar
/// points become hard in-batch negatives.
/// <para>
/// DEXA's schedule: 2^⌈log₂(N/n₀)⌉ clusters, halved at the end of every epoch e with e + 1 in the curriculum,
/// clustering from the first curriculum epoch on and then every <see cref="NgameCurriculum.RefreshInterval"/>
/// epochs. One change from the original: a refresh at the start of an epoch shapes that epoch's batches (the
/// original computed the epoch's order before refreshing, so clusters took effect one epoch late).
/// </para>
/// </summary>
public sealed class NgameBatching
{
    private readonly int[] _points;
    private readonly NgameCurriculum _curriculum;
    private readonly int _seed;
    private int _step;

    /// <summary>Batching over <paramref name="points"/> (the training rows that take part, e.g. those with labels).</summary>
    public NgameBatching(IReadOnlyList<int> points, NgameCurriculum curriculum, int seed)
    {
        ArgumentNullException.ThrowIfNull(points);
        _curriculum = (curriculum ?? throw new ArgumentNullException(nameof(curriculum))).Validate();
        if (points.Count == 0) throw new ArgumentException("no training points to batch");
        _points = [.. points];
        _seed = seed;
        NumClusters = Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(1.0, (double)_points.Length / curriculum.InitialClusterSize))));
        Clusters = _points.Select(p => new[] { p }).ToArray();
    }

    /// <summary>The cluster count the next refresh aims at (halved along the curriculum).</summary>
    public double NumClusters { get; private set; }

    /// <summary>The current clusters (singletons before the first refresh).</summary>
    public IReadOnlyList<int[]> Clusters { get; private set; }

    /// <summary>Number of refreshes so far.</summary>
    public int Refreshes { get; private set; }

    /// <summary>True when the clusters should be refreshed at the start of <paramref name="epoch"/>.</summary>
    public bool ShouldRefresh(int epoch) => epoch >= _curriculum.CurriculumEpochs[0] && epoch % _curriculum.RefreshInterval == 0;

    /// <summary>Re-clusters the points on their rows of <paramref name="embeddings"/> (N x d, any norm).</summary>
    public void Refresh(RowMajorMatrix embeddings)
    {
        int target = (int)Math.Max(1, Math.Min(NumClusters, _points.Length));
        Clusters = BalancedClustering.Cluster(embeddings, target, SeedStreams.NgameBatching.Clustering.Of(_seed, Refreshes), _points);
        Refreshes++;
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/>: the clusters in a seeded random order, concatenated (points keep their
    /// order within a cluster), cut into consecutive chunks of <paramref name="batchSize"/> (the last may be short).
    /// </summary>
    public IReadOnlyList<int[]> Batches(int epoch, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        var clusterOrder = Seeds.Permutation(Clusters.Count, SeedStreams.NgameBatching.EpochOrder.Of(_seed, epoch));
        var order = new int[_points.Length];
        int w = 0;
        foreach (int c in clusterOrder)
        {
            Clusters[c].CopyTo(order, w);
            w += Clusters[c].Length;
        }
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += batchSize)
            batches.Add(order[start..Math.Min(order.Length, start + batchSize)]);
        return batches;
    }

    /// <summary>Called at the end of every epoch: halves the cluster count when the next epoch is in the curriculum.</summary>
    public void EndEpoch()
    {
        if (_curriculum.CurriculumEpochs.Contains(_step + 1)) NumClusters /= 2;
        _step++;
    }
}
