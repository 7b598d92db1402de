namespace XcNotebooks.Core;

/// <summary>How labels (or other work items) are dealt to ranks for sharded training; in Core beside <see cref="ICollective"/>, so the methods that shard their own training use the same dealing.</summary>
public static class LabelShards
{
    /// <summary>
    /// Deals the labels to <paramref name="ranks"/> shards balanced by frequency: labels in decreasing order of
    /// <paramref name="labelCounts"/> (ties by id) go to ranks 0, 1, .., n-1, n-1, .., 0, 0, 1, .. (a snake, so each
    /// rank gets as many frequent labels as rare ones). Each shard lists its label ids in increasing order; together
    /// the shards cover every label exactly once, and a rank with no label gets an empty shard.
    /// </summary>
    public static IReadOnlyList<int[]> BalancedByFrequency(IReadOnlyList<int> labelCounts, int ranks)
    {
        ArgumentNullException.ThrowIfNull(labelCounts);
        if (ranks < 1) throw new ArgumentException($"need at least one rank, got {ranks}");
        var order = Enumerable.Range(0, labelCounts.Count).OrderByDescending(l => labelCounts[l]).ThenBy(l => l).ToArray();
        var shards = Enumerable.Range(0, ranks).Select(_ => new List<int>()).ToArray();
        for (int p = 0; p < order.Length; p++)
        {
            int round = p / ranks, slot = p % ranks;
            shards[round % 2 == 0 ? slot : ranks - 1 - slot].Add(order[p]);
        }
        return shards.Select(s => s.Order().ToArray()).ToArray();
    }

    /// <summary>
    /// Deals work items of the given <paramref name="costs"/> to <paramref name="ranks"/> shards, largest first,
    /// each to the shard with the least cost so far (ties: the lower rank); each shard lists its items in
    /// increasing order. Used for the nodes of a label tree, whose costs differ by orders of magnitude.
    /// </summary>
    public static IReadOnlyList<int[]> BalancedByCost(IReadOnlyList<double> costs, int ranks)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (ranks < 1) throw new ArgumentException($"need at least one rank, got {ranks}");
        var load = new double[ranks];
        var shards = Enumerable.Range(0, ranks).Select(_ => new List<int>()).ToArray();
        foreach (int item in Enumerable.Range(0, costs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i))
        {
            int least = 0;
            for (int r = 1; r < ranks; r++) if (load[r] < load[least]) least = r;
            shards[least].Add(item);
            load[least] += costs[item];
        }
        return shards.Select(s => s.Order().ToArray()).ToArray();
    }
}
