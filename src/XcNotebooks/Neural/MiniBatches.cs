using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>How a data set is cut into mini-batches.</summary>
public sealed record MiniBatchOptions
{
    /// <summary>Points per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Shuffle the points every epoch (seeded by <see cref="Seed"/> and the epoch number).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seed of the shuffles.</summary>
    public int Seed { get; init; }
}

/// <summary>One mini-batch: the points' indices in the data set and their features and labels.</summary>
/// <param name="Rows">Indices of the points in the data set.</param>
/// <param name="Features">Their feature rows.</param>
/// <param name="Labels">Their labels.</param>
public sealed record MiniBatch(IReadOnlyList<int> Rows, CsrMatrix Features, LabelMatrix Labels);

/// <summary>Seeded mini-batch plans: the same seed and epoch give the same batches on every run.</summary>
public static class MiniBatches
{
    /// <summary>The batches of point indices for epoch <paramref name="epoch"/> of <paramref name="count"/> points.</summary>
    public static IReadOnlyList<int[]> Plan(int count, MiniBatchOptions options, int epoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be positive, got {options.BatchSize}");
        if (count < 0) throw new ArgumentException($"negative point count {count}");
        var order = options.Shuffle ? Seeds.Permutation(count, SeedStreams.MiniBatches.EpochOrder.Of(options.Seed, epoch)) : Enumerable.Range(0, count).ToArray();
        var batches = new List<int[]>();
        for (int start = 0; start < count; start += options.BatchSize)
        {
            int size = Math.Min(options.BatchSize, count - start);
            if (size < options.BatchSize && options.DropLast) break;
            batches.Add(order[start..(start + size)]);
        }
        return batches;
    }

    /// <summary>The mini-batches of <paramref name="data"/> for epoch <paramref name="epoch"/>.</summary>
    public static IEnumerable<MiniBatch> Epoch(Dataset data, MiniBatchOptions options, int epoch)
    {
        foreach (var rows in Plan(data.NumPoints, options, epoch))
            yield return new MiniBatch(rows, data.Features.SelectRows(rows), data.Labels.SelectRows(rows));
    }
}
