using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>Builds count matrices from per-text column lists, in parallel over texts and deterministic.</summary>
internal static class SparseCounts
{
    /// <summary>
    /// Row i holds, for every column that <paramref name="collect"/> adds for text i, how many times it was added.
    /// </summary>
    public static CsrMatrix Build(IReadOnlyList<string> texts, int cols, Action<string, List<int>> collect)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rowIndices = new int[texts.Count][];
        var rowValues = new float[texts.Count][];
        Parallel.For(0, texts.Count, () => new List<int>(), (i, _, columns) =>
        {
            columns.Clear();
            collect(texts[i] ?? throw new ArgumentException($"text {i} is null"), columns);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(columns);
            span.Sort();
            int distinct = 0;
            for (int j = 0; j < span.Length; j++) if (j == 0 || span[j] != span[j - 1]) distinct++;
            var idx = new int[distinct];
            var val = new float[distinct];
            int w = -1;
            for (int j = 0; j < span.Length; j++)
            {
                if (j == 0 || span[j] != span[j - 1]) idx[++w] = span[j];
                val[w]++;
            }
            rowIndices[i] = idx;
            rowValues[i] = val;
            return columns;
        }, _ => { });
        var pointers = new long[texts.Count + 1];
        for (int i = 0; i < texts.Count; i++) pointers[i + 1] = pointers[i] + rowIndices[i].Length;
        var indices = new int[pointers[^1]];
        var values = new float[pointers[^1]];
        for (int i = 0; i < texts.Count; i++)
        {
            rowIndices[i].CopyTo(indices, pointers[i]);
            rowValues[i].CopyTo(values, pointers[i]);
        }
        return new CsrMatrix(texts.Count, cols, pointers, indices, values, validate: false);
    }
}
