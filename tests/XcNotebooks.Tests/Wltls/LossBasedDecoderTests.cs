using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class LossBasedDecoderTests
{
    public static TheoryData<DecodingLoss> Losses => new() { DecodingLoss.Exponential, DecodingLoss.SquaredHinge, DecodingLoss.Squared };

    [Fact]
    public void LossValuesMatchHandComputedOnes()
    {
        Assert.Equal(Math.Exp(-0.5), DecodingLosses.Value(DecodingLoss.Exponential, 0.5), 12);
        Assert.Equal(Math.Exp(20), DecodingLosses.Value(DecodingLoss.Exponential, -25), 3); // exponent clipped at 20
        Assert.Equal(Math.Exp(-20), DecodingLosses.Value(DecodingLoss.Exponential, 30), 15);
        Assert.Equal(0, DecodingLosses.Value(DecodingLoss.SquaredHinge, 1.5));
        Assert.Equal(0.25, DecodingLosses.Value(DecodingLoss.SquaredHinge, 0.5), 12);
        Assert.Equal(2.25, DecodingLosses.Value(DecodingLoss.SquaredHinge, -0.5), 12);
        Assert.Equal(0.25, DecodingLosses.Value(DecodingLoss.Squared, 1.5), 12);
        Assert.Equal(DecodingLoss.SquaredHinge, DecodingLosses.Parse("squared_hinge"));
        Assert.Throws<ArgumentException>(() => DecodingLosses.Parse("hinge"));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void DecodingEqualsBruteForceOverAllCodewords(DecodingLoss loss)
    {
        var rng = new Random(3);
        foreach (var (k, b) in new[] { (105, 5), (37, 3), (64, 2), (300, 8), (20, 20) })
        {
            var g = TrellisGraph.Create(k, b);
            var decoder = new LossBasedDecoder(g, loss);
            for (int trial = 0; trial < 15; trial++)
            {
                var z = RandomResponses(rng, g.NumEdges);
                var losses = BruteForceLosses(g, loss, z);
                var decoded = decoder.Decode(z);
                double min = losses.Min(), tolerance = Tolerance(Scale(loss, z));
                Assert.Equal(min, losses[decoded.Codeword], tolerance);
                Assert.Equal(-min, decoded.Score, tolerance);
                var sorted = losses.Order().ToArray();
                if (sorted[1] - sorted[0] > tolerance) Assert.Equal(Array.IndexOf(losses, min), decoded.Codeword);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void TopKEqualsTheKBestByBruteForce(DecodingLoss loss)
    {
        var rng = new Random(5);
        foreach (var (k, b) in new[] { (105, 5), (50, 3), (129, 2) })
        {
            var g = TrellisGraph.Create(k, b);
            var decoder = new LossBasedDecoder(g, loss);
            for (int trial = 0; trial < 10; trial++)
            {
                var z = RandomResponses(rng, g.NumEdges);
                var losses = BruteForceLosses(g, loss, z);
                var ranking = Enumerable.Range(0, k).OrderBy(c => losses[c]).ToArray();
                double tolerance = Tolerance(Scale(loss, z));
                foreach (int top in new[] { 1, 3, 20, k + 5 })
                {
                    var decoded = decoder.DecodeTopK(z, top);
                    Assert.Equal(Math.Min(top, k), decoded.Count);
                    Assert.Equal(decoded.Count, decoded.Select(d => d.Codeword).Distinct().Count());
                    for (int r = 0; r < decoded.Count; r++)
                    {
                        double expected = losses[ranking[r]];
                        Assert.Equal(expected, losses[decoded[r].Codeword], tolerance);
                        Assert.Equal(-expected, decoded[r].Score, tolerance);
                    }
                }
                Assert.Equal(decoder.Decode(z).Codeword, decoder.DecodeTopK(z, 5)[0].Codeword);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void EdgeWeightsEqualTheNeighbourMatrixFormula(DecodingLoss loss)
    {
        var rng = new Random(11);
        var g = TrellisGraph.Create(105, 5);
        var n = g.LossNeighbours();
        var z = RandomResponses(rng, g.NumEdges);
        var weights = new LossBasedDecoder(g, loss).EdgeWeights(z);
        for (int e = 0; e < g.NumEdges; e++)
        {
            double expected = Loss(loss, z[e]);
            foreach (int other in n.RowIndices(e)) expected += Loss(loss, -z[other]);
            // Summation error is relative to the magnitude of all terms of e's group (e's own negative loss included).
            Assert.Equal(-expected, weights[e], Tolerance(expected + Loss(loss, -z[e])));
        }
    }

    [Fact]
    public void BatchDecodingEqualsPointByPointDecoding()
    {
        var rng = new Random(7);
        var g = TrellisGraph.Create(105, 5);
        var decoder = new LossBasedDecoder(g);
        var responses = new RowMajorMatrix(300, g.NumEdges);
        for (int j = 0; j < responses.Data.Length; j++) responses.Data[j] = (float)(rng.NextDouble() * 4 - 2);
        var top1 = decoder.DecodeBatch(responses);
        var top4 = decoder.DecodeBatch(responses, 4);
        for (int i = 0; i < responses.Rows; i++)
        {
            var single = decoder.Decode(responses.Row(i));
            Assert.Equal(single.Codeword, top1.Codewords[i]);
            Assert.Equal(single.Score, top1.Scores[i]);
            var expected = decoder.DecodeTopK(responses.Row(i), 4);
            Assert.Equal(expected.Select(d => d.Codeword), top4.Codewords.Skip(4 * i).Take(4));
        }
        // Responses computed per point from sparse features and weights give the same decoding.
        var features = CsrMatrix.FromRows(40, Enumerable.Range(0, 50).Select(i =>
            Enumerable.Range(0, 6).Select(_ => (rng.Next(40), (float)rng.NextDouble())).ToArray()));
        var weights = new RowMajorMatrix(40, g.NumEdges);
        for (int j = 0; j < weights.Data.Length; j++) weights.Data[j] = (float)(rng.NextDouble() - 0.5);
        Assert.Equal(decoder.DecodeBatch(features.Multiply(weights)).Codewords, decoder.DecodeBatch(features, weights).Codewords);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void AResponseScaleDecodesTheLossesOfTheScaledResponses(DecodingLoss loss)
    {
        // With scale s the decoder minimises sum_e L(c_e s z_e): the brute force over all codewords of the losses of
        // s z (scaled here, in float, as the spec says), the top-k lists and the brute-force CodewordLoss alike.
        var rng = new Random(17);
        foreach (var (k, b) in new[] { (105, 5), (50, 3) })
        {
            var g = TrellisGraph.Create(k, b);
            foreach (double s in new[] { 0.5, 3.0 })
            {
                var decoder = new LossBasedDecoder(g, loss, s);
                Assert.Equal(s, decoder.ResponseScale);
                for (int trial = 0; trial < 8; trial++)
                {
                    var z = RandomResponses(rng, g.NumEdges);
                    var scaled = z.Select(v => v * (float)s).ToArray();
                    var losses = BruteForceLosses(g, loss, scaled);
                    var ranking = Enumerable.Range(0, k).OrderBy(c => losses[c]).ToArray();
                    double tolerance = Tolerance(Scale(loss, scaled));
                    var decoded = decoder.DecodeTopK(z, 5);
                    for (int r = 0; r < decoded.Count; r++)
                    {
                        Assert.Equal(losses[ranking[r]], losses[decoded[r].Codeword], tolerance);
                        Assert.Equal(-losses[ranking[r]], decoded[r].Score, tolerance);
                    }
                    Assert.Equal(losses[ranking[0]], losses[decoder.Decode(z).Codeword], tolerance);
                    Assert.Equal(losses[7], decoder.CodewordLoss(z, 7), tolerance);
                }
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossBasedDecoder(TrellisGraph.Create(10, 2), loss, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossBasedDecoder(TrellisGraph.Create(10, 2), loss, double.NaN));
    }

    [Fact]
    public void WrongNumberOfResponsesIsRejected()
    {
        var decoder = new LossBasedDecoder(TrellisGraph.Create(105, 5));
        Assert.Throws<ArgumentException>(() => decoder.Decode(new float[54]));
        Assert.Throws<ArgumentException>(() => decoder.DecodeTopK(new float[55], 0));
    }

    internal static float[] RandomResponses(Random rng, int edges)
    {
        var z = new float[edges];
        for (int e = 0; e < edges; e++)
        {
            // Mostly moderate margins, some large enough to reach the exponential loss's clip.
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            double normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            z[e] = (float)(rng.Next(10) == 0 ? normal * 15 : normal * 1.5);
        }
        return z;
    }

    /// <summary>The spec's losses, written out independently of the library.</summary>
    private static double Loss(DecodingLoss loss, double margin) => loss switch
    {
        DecodingLoss.Exponential => Math.Exp(-Math.Max(-20, Math.Min(20, margin))),
        DecodingLoss.SquaredHinge => Math.Pow(Math.Max(0, 1 - margin), 2),
        _ => Math.Pow(1 - margin, 2),
    };

    private static double[] BruteForceLosses(TrellisGraph g, DecodingLoss loss, float[] z) =>
        Enumerable.Range(0, g.NumPaths).Select(c =>
        {
            var bits = g.Codeword(c);
            double total = 0;
            for (int e = 0; e < bits.Length; e++) total += Loss(loss, bits[e] * (double)z[e]);
            return total;
        }).ToArray();

    /// <summary>
    /// The magnitude that bounds rounding in path scores: every edge's positive and negative loss. (With a response past
    /// the exponential clip one term is e^20, and double sums of it are exact only to about 1e-7.)
    /// </summary>
    private static double Scale(DecodingLoss loss, float[] z) => z.Sum(v => Loss(loss, v) + Loss(loss, -v));

    private static double Tolerance(double magnitude) => 1e-9 * Math.Max(1, Math.Abs(magnitude));
}
