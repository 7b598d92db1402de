using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// The contiguous share of a batch (or of a label pool) one rank of data-parallel training handles: items
/// Start..Start+Count-1 of Total, the first Total mod Size ranks one item more than the others (a rank may get none).
/// </summary>
/// <param name="Start">First item of this rank.</param>
/// <param name="Count">Items of this rank.</param>
/// <param name="Total">Items over all ranks.</param>
public sealed record RankSlice(int Start, int Count, int Total)
{
    /// <summary>The share of rank <paramref name="rank"/> of <paramref name="size"/> in <paramref name="total"/> items.</summary>
    public static RankSlice Of(int total, int rank, int size)
    {
        if (total < 0) throw new ArgumentException($"total must be 0 or more, got {total}");
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentException($"rank {rank} is not in a group of {size}");
        int quotient = total / size, remainder = total % size;
        int start = rank * quotient + Math.Min(rank, remainder);
        return new RankSlice(start, quotient + (rank < remainder ? 1 : 0), total);
    }

    /// <summary>This rank's share of <paramref name="total"/> items in <paramref name="collective"/>.</summary>
    public static RankSlice Of(int total, ICollective collective)
    {
        ArgumentNullException.ThrowIfNull(collective);
        return Of(total, collective.Rank, collective.Size);
    }

    /// <summary>The items of <paramref name="items"/> (Total of them) in this slice.</summary>
    public T[] Take<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count != Total) throw new ArgumentException($"{items.Count} items for a slice of {Total}");
        var result = new T[Count];
        for (int i = 0; i < Count; i++) result[i] = items[Start + i];
        return result;
    }

    /// <summary>
    /// Every rank's rows in one Total x <paramref name="cols"/> row-major array, on every rank, from this rank's
    /// <paramref name="own"/> rows (Count x cols): an allreduce of a zero buffer holding each rank's rows in its
    /// place, so every value arrives exact (a sum with zeros). Nothing is exchanged with one rank.
    /// </summary>
    public float[] AllGatherRows(float[] own, int cols, ICollective collective)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(collective);
        if (own.Length != (long)Count * cols) throw new ArgumentException($"{own.Length} values for {Count} rows of {cols}");
        if (collective.Size == 1 && Count == Total) return own;
        var all = new float[(long)Total * cols];
        own.CopyTo(all, (long)Start * cols);
        collective.AllreduceSum(all);
        return all;
    }
}
