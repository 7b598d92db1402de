using CsCheck;
using XcNotebooks.Distributed;
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
