using XcNotebooks.Compute;
using Parameter = XcNotebooks.Neural.Parameter;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Tests.Neural;
using XcNotebooks.Text;
using XcNotebooks.Encoders;

namespace XcNotebooks.Tests.Text.Encoders;

/// <summary>Checks every text encoder must pass: gradients against finite differences, chunked encoding, passes.</summary>
internal static class EncoderChecks
{
    /// <summary>A corpus of the given id rows, padded with 0.</summary>
    public static TokenizedCorpus Corpus(params int[][] rows)
    {
        int max = Math.Max(1, rows.Max(r => r.Length));
        var ids = new int[rows.Length * max];
        for (int i = 0; i < rows.Length; i++) rows[i].CopyTo(ids, i * max);
        return new TokenizedCorpus(rows.Length, max, 0, ids, rows.Select(r => r.Length).ToArray());
    }

    /// <summary>
    /// ∂(Σ r ⊙ embeddings)/∂θ from Backward against central differences for every parameter the batch reaches (the
    /// rows of an embedding table that the batch's tokens use, every other parameter whole).
    /// </summary>
    public static void Gradients(ITextEncoder encoder, TokenBatch batch, double tolerance = 2e-3, int maxChecksPerParameter = 60)
    {
        using var pass = encoder.Forward(batch, training: false);
        var r = GradientCheck.Weights(7, pass.Embeddings.Length);
        using var g = encoder.Backend.Upload(r, pass.Rows, encoder.Dimension);
        foreach (var p in encoder.Parameters) p.ZeroGradient();
        encoder.Backward(pass, g);
        var used = new HashSet<int>();
        for (int i = 0; i < batch.Rows; i++) foreach (int id in batch.Row(i)[..batch.Lengths[i]]) used.Add(id);
        foreach (var p in encoder.Parameters)
        {
            var analytic = p.Gradient.ToArray();
            var original = p.GetValues();
            var positions = Positions(p, used, maxChecksPerParameter);
            var x = positions.Select(i => original[i]).ToArray();
            double At(float[] values)
            {
                var changed = (float[])original.Clone();
                for (int j = 0; j < positions.Length; j++) changed[positions[j]] = values[j];
                p.SetValues(changed);
                using var probe = encoder.Forward(batch, training: false);
                double result = GradientCheck.Project(probe.Embeddings, r);
                p.SetValues(original);
                return result;
            }
            GradientCheck.Check($"{encoder.Kind} {p.Name}", x, At, positions.Select(i => analytic[i]).ToArray(), tolerance: tolerance);
        }
    }

    /// <summary>Positions of a parameter to probe: spread evenly, restricted to used rows of a row-sparse table.</summary>
    private static int[] Positions(Parameter p, HashSet<int> usedRows, int max)
    {
        var all = p.RowSparse
            ? usedRows.Order().SelectMany(row => Enumerable.Range(row * p.Cols, p.Cols)).ToArray()
            : Enumerable.Range(0, p.Rows * p.Cols).ToArray();
        if (all.Length <= max) return all;
        return Enumerable.Range(0, max).Select(i => all[(int)((long)i * all.Length / max)]).ToArray();
    }

    /// <summary>EncodeAll in uneven chunks equals one forward pass of all rows, and rows have unit norm.</summary>
    public static void EncodeAllMatchesForward(ITextEncoder encoder, TokenizedCorpus corpus)
    {
        var chunked = encoder.EncodeAll(corpus, chunkSize: 2);
        using var whole = encoder.Forward(corpus.Batch(Enumerable.Range(0, corpus.Count).ToArray()), training: false);
        Numbers.Close(whole.Embeddings.ToArray(), chunked.Data, 1e-5, $"{encoder.Kind} chunked encoding");
        for (int i = 0; i < corpus.Count; i++)
        {
            double norm = Math.Sqrt(chunked.Row(i).ToArray().Sum(v => (double)v * v));
            Numbers.Close(1.0, norm, 1e-5, $"{encoder.Kind} norm of row {i}");
        }
    }

    /// <summary>
    /// Two passes alive at once (documents and labels through one shared encoder): backward through both accumulates
    /// the sum of their separate gradients.
    /// </summary>
    public static void TwoPassesAccumulate(ITextEncoder encoder, TokenBatch first, TokenBatch second)
    {
        var b = encoder.Backend;
        float[][] Separate(TokenBatch batch, int seed)
        {
            foreach (var p in encoder.Parameters) p.ZeroGradient();
            using var pass = encoder.Forward(batch, training: false);
            using var g = b.Upload(GradientCheck.Weights(seed, pass.Embeddings.Length), pass.Rows, encoder.Dimension);
            encoder.Backward(pass, g);
            return encoder.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        }
        var one = Separate(first, 1);
        var two = Separate(second, 2);
        foreach (var p in encoder.Parameters) p.ZeroGradient();
        using var a = encoder.Forward(first, training: false);
        using var c = encoder.Forward(second, training: false);
        using var ga = b.Upload(GradientCheck.Weights(1, a.Embeddings.Length), a.Rows, encoder.Dimension);
        using var gc = b.Upload(GradientCheck.Weights(2, c.Embeddings.Length), c.Rows, encoder.Dimension);
        encoder.Backward(c, gc);
        encoder.Backward(a, ga);
        for (int k = 0; k < encoder.Parameters.Count; k++)
        {
            var expected = one[k].Zip(two[k], (x, y) => (double)x + y).ToArray();
            Numbers.Close(expected, encoder.Parameters[k].Gradient.ToArray(), 1e-4, $"{encoder.Kind} {encoder.Parameters[k].Name} accumulated");
        }
    }
}
