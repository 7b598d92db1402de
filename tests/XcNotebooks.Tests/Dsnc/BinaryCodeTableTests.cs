using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>The code table: majority codes with collision resolution, and the lookups against brute force.</summary>
public sealed class BinaryCodeTableTests
{
    private const ulong A = 0b0011, B = 0b0101, C = 0b1111, D = 0b1000;

    [Fact]
    public void EachClassKeepsItsMostFrequentFreeCode()
    {
        // class 0: A x3, B x1; class 1: A x2, C x2 (ties: the smaller code first, so A); class 2: D x1; class 3: no points.
        ulong[] codes = [A, A, A, B, A, A, C, C, D];
        int[] classes = [0, 0, 0, 0, 1, 1, 1, 1, 2];
        var table = BinaryCodeTable.FromTrainingCodes(codes, classes, numClasses: 4, bits: 4);
        // A goes to class 0 (3 > 2); class 1 falls back to C; class 3 has no code.
        Assert.Equal([new(0, A), new(1, C), new(2, D)], table.CodedClasses);
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(table.HasCode));
        Assert.Equal(C, table.CodeOfClass(1));
        Assert.Throws<ArgumentException>(() => table.CodeOfClass(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.HasCode(4));
        Assert.Equal(3, table.Count);
        Assert.Equal(0, table.ClassOf(A));
        Assert.Equal(-1, table.ClassOf(B));
        var s = table.Statistics;
        Assert.Equal(4, s.DistinctTrainingCodes);    // A, B, C, D
        Assert.Equal(2, s.DistinctClassCodes);       // top codes A, A, D
        Assert.Equal(2, s.CollidingClasses);         // classes 0 and 1 both want A
        Assert.Equal(1, s.ReassignedClasses);        // class 1
        Assert.Equal(1, s.ClassesWithoutCode);       // class 3
        Assert.Equal(6.0 / 9, s.Purity, 12);         // A x3 (class 0), C x2 (class 1), D x1 (class 2)
    }

    [Fact]
    public void BadTablesAreRejected()
    {
        var none = new CodeStatistics(4, 2, 0, 0, 0, 0, 0, 0, 0);
        Assert.Throws<ArgumentException>(() => new BinaryCodeTable(4, [A, A], none));
        Assert.Throws<ArgumentException>(() => new BinaryCodeTable(4, [A, 0b10000UL], none));
        Assert.Throws<ArgumentException>(() => new BinaryCodeTable(65, [A], none));
        Assert.Throws<ArgumentException>(() => BinaryCodeTable.FromTrainingCodes([A], [2], numClasses: 2, bits: 4));
        Assert.Throws<ArgumentException>(() => BinaryCodeTable.FromTrainingCodes([A, B], [0], numClasses: 2, bits: 4));
    }

    /// <summary>A table of <paramref name="classes"/> random distinct codes and random logits for <paramref name="points"/> points.</summary>
    private static (BinaryCodeTable Table, RowMajorMatrix Logits) Random(int bits, int classes, int points, int seed)
    {
        var rng = new Random(seed);
        var codes = new HashSet<ulong>();
        while (codes.Count < classes) codes.Add((ulong)rng.NextInt64() & ((1UL << bits) - 1));
        var table = new BinaryCodeTable(bits, codes.Select(c => (ulong?)c).ToArray(), new CodeStatistics(bits, classes, 0, 0, 0, 0, 0, 0, 0));
        var logits = new RowMajorMatrix(points, bits);
        for (int i = 0; i < logits.Data.Length; i++) logits.Data[i] = (float)(rng.NextDouble() * 6 - 3);
        return (table, logits);
    }

    /// <summary>The best key over the table by brute force: (Hamming distance, flip cost) or flip cost alone.</summary>
    private static (int Distance, double Cost) Best(BinaryCodeTable table, ReadOnlySpan<float> logits, NeighbourOrder order)
    {
        ulong code = BinaryCodeTable.CodeOf(logits);
        var candidates = new List<(int Distance, double Cost)>();
        foreach (var (_, other) in table.CodedClasses)
            candidates.Add((BinaryCodeTable.HammingDistance(code, other), BinaryCodeTable.FlipCost(logits, other)));
        return order == NeighbourOrder.Likelihood
            ? candidates.MinBy(k => k.Cost)
            : candidates.OrderBy(k => k.Distance).ThenBy(k => k.Cost).First();
    }

    [Theory]
    [InlineData(NeighbourOrder.HammingThenConfidence, 100000)]
    [InlineData(NeighbourOrder.HammingThenConfidence, 7)]
    [InlineData(NeighbourOrder.Likelihood, 100000)]
    [InlineData(NeighbourOrder.Likelihood, 7)]
    public void LookupReturnsTheNearestClassCodeAsBruteForceDoes(NeighbourOrder order, int cap)
    {
        var (table, logits) = Random(bits: 12, classes: 30, points: 400, seed: 3);
        var batch = table.LookupBatch(logits, order, cap);
        for (int i = 0; i < logits.Rows; i++)
        {
            var row = logits.Row(i);
            int found = batch.Classes[i];
            ulong foundCode = table.CodeOfClass(found);
            var best = Best(table, row, order);
            double cost = BinaryCodeTable.FlipCost(row, foundCode);
            if (order == NeighbourOrder.HammingThenConfidence)
                Assert.Equal(best.Distance, BinaryCodeTable.HammingDistance(BinaryCodeTable.CodeOf(row), foundCode));
            Assert.True(Math.Abs(cost - best.Cost) <= 1e-5 * (1 + best.Cost), $"point {i}: cost {cost}, brute force {best.Cost}");
            Assert.True(batch.NeighboursProbed[i] <= cap);
        }
        // 12 bits have 4,095 neighbours: with a large cap the search always ends by a hit, with a small one it often falls back.
        if (cap > 4095) Assert.Equal(0, batch.Fallbacks);
        else Assert.True(batch.Fallbacks > 0);
        Assert.Equal(Enumerable.Range(0, logits.Rows).Count(i => table.ClassOf(BinaryCodeTable.CodeOf(logits.Row(i))) >= 0), batch.ExactHits);
    }

    [Theory]
    [InlineData(NeighbourOrder.HammingThenConfidence)]
    [InlineData(NeighbourOrder.Likelihood)]
    public void TheSearchVisitsEveryNeighbourExactlyOnce(NeighbourOrder order)
    {
        // The only code in the table is the complement of the point's code: the farthest and least probable code, so the
        // search hits it last, after every other one of the 2^10 - 1 neighbours.
        float[] logits = [0.3f, -1.2f, 2.5f, -0.1f, 0.7f, -3f, 1.1f, -0.4f, 0.9f, -2f];
        ulong complement = ~BinaryCodeTable.CodeOf(logits) & 0x3FF;
        var table = new BinaryCodeTable(10, [complement], new CodeStatistics(10, 1, 0, 0, 0, 0, 0, 0, 0));
        var result = table.Lookup(logits, order, maxNeighbours: 5000);
        Assert.Equal(new CodeLookup(0, 1023, false, 10), result);
        // One probe fewer and the fallback scan decides, with the same answer.
        Assert.Equal(new CodeLookup(0, 1022, true, 10), table.Lookup(logits, order, maxNeighbours: 1022));
    }

    [Fact]
    public void OrdersDifferWhereConfidenceBeatsRadius()
    {
        // Flipping bits 0 and 1 (|z| = 0.1 each) is more probable than flipping bit 2 (|z| = 5), though farther.
        float[] logits = [0.1f, 0.1f, 5f, 4f];
        ulong code = BinaryCodeTable.CodeOf(logits); // 0b1111
        ulong twoCheapFlips = code ^ 0b0011, oneCostlyFlip = code ^ 0b0100;
        var table = new BinaryCodeTable(4, [twoCheapFlips, oneCostlyFlip], new CodeStatistics(4, 2, 0, 0, 0, 0, 0, 0, 0));
        Assert.Equal(1, table.Lookup(logits, NeighbourOrder.HammingThenConfidence).Class);
        Assert.Equal(0, table.Lookup(logits, NeighbourOrder.Likelihood).Class);
        // Hamming order: 4 radius-1 codes, cheapest first; bit 2 is the 4th.
        Assert.Equal(4, table.Lookup(logits, NeighbourOrder.HammingThenConfidence).NeighboursProbed);
        // Likelihood order: {0}, {1}, {0, 1}.
        Assert.Equal(3, table.Lookup(logits, NeighbourOrder.Likelihood).NeighboursProbed);
    }

    [Fact]
    public void AnEmptyTableFindsNothing()
    {
        var table = new BinaryCodeTable(3, [null, null], new CodeStatistics(3, 2, 0, 0, 0, 0, 0, 2, 0));
        Assert.Equal(-1, table.Lookup([1f, -1f, 1f]).Class);
    }
}
