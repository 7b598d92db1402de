using CsCheck;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

public class LabelShardsTests
{
    [Fact]
    public void DealsLabelsByDecreasingFrequencyInASnake()
    {
        // By frequency: 5 (7), 0 (5), 2 (3), 3 (3), 1 (1), 4 (0) -> ranks 0, 1, 1, 0, 0, 1.
        var shards = LabelShards.BalancedByFrequency([5, 1, 3, 3, 0, 7], 2);
        Assert.Equal([[1, 3, 5], [0, 2, 4]], shards);
        Assert.Equal([[0, 1, 2, 3, 4, 5]], LabelShards.BalancedByFrequency([5, 1, 3, 3, 0, 7], 1));
        Assert.Equal([[0], [1], []], LabelShards.BalancedByFrequency([2, 2], 3));
    }

    [Fact]
    public void ShardsCoverEveryLabelOnceAndDifferByAtMostOneLabel()
    {
        Gen.Select(Gen.Int[0, 50].Array[0, 200], Gen.Int[1, 9]).Sample((counts, ranks) =>
        {
            var shards = LabelShards.BalancedByFrequency(counts, ranks);
            Assert.Equal(ranks, shards.Count);
            Assert.Equal(Enumerable.Range(0, counts.Length), shards.SelectMany(s => s).Order());
            Assert.InRange(shards.Max(s => s.Length) - shards.Min(s => s.Length), 0, 1);
        });
    }
}

public class CostShardsTests
{
    [Fact]
    public void DealsLargestFirstToTheLeastLoadedRank()
    {
        // 9 -> r0 (9); 7 -> r1 (7); 4 -> r1 (11); 3 -> r0 (12); 1 -> r1 (12); 1 -> r0 (13).
        Assert.Equal([[0, 3, 5], [1, 2, 4]], LabelShards.BalancedByCost([9, 7, 4, 3, 1, 1], 2));
    }

    [Fact]
    public void EveryItemOnceAndNoRankAboveTheAverageBoundOfTheGreedyRule()
    {
        Gen.Select(Gen.Double[0, 100].Array[0, 120], Gen.Int[1, 8]).Sample((costs, ranks) =>
        {
            var shards = LabelShards.BalancedByCost(costs, ranks);
            Assert.Equal(Enumerable.Range(0, costs.Length), shards.SelectMany(s => s).Order());
            // Largest-first list scheduling: no load exceeds the mean load plus the largest item.
            double bound = costs.Sum() / ranks + costs.DefaultIfEmpty(0).Max() + 1e-9;
            Assert.All(shards, s => Assert.True(s.Sum(i => costs[i]) <= bound));
        });
    }
}
