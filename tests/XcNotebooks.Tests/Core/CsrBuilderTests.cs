using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.CoreTests;

public class CsrBuilderTests
{
    [Fact]
    public void RowsAcrossChunksAreSortedMergedAndKeptInOrder()
    {
        // 3M+ entries: several of the builder's 1M-entry chunks, rows crossing their ends, one row longer than a chunk.
        var random = new Random(7);
        const int cols = 5000;
        var reference = new List<SortedDictionary<int, float>>();
        var builder = new CsrBuilder(cols);
        for (int row = 0; row < 60_000; row++)
        {
            int length = row == 31_000 ? 1_500_000 : random.Next(0, 100);
            var expected = new SortedDictionary<int, float>();
            for (int k = 0; k < length; k++)
            {
                int column = random.Next(cols); // unsorted, with repeats (summed)
                float value = random.Next(1, 8);
                builder.Add(column, value);
                expected[column] = expected.GetValueOrDefault(column) + value;
            }
            builder.EndRow();
            Assert.Equal(expected.Count, builder.LastRowLength);
            reference.Add(expected);
        }
        var matrix = builder.Build();
        Assert.Equal(reference.Count, matrix.Rows);
        Assert.Equal(reference.Sum(r => (long)r.Count), matrix.NonZeros);
        for (int row = 0; row < reference.Count; row++)
        {
            Assert.Equal(reference[row].Keys, matrix.RowIndices(row).ToArray());
            Assert.Equal(reference[row].Values, matrix.RowValues(row).ToArray());
        }
    }
}
