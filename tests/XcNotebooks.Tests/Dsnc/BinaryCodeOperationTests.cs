using XcNotebooks.Compute;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Tests.Compute;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>DSNC's binary-code operations: each backend's own implementation against hand-written loops.</summary>
[Collection("backends")]
public sealed class BinaryCodeOperationTests(BackendFixture fixture)
{
    private const int Rows = 7, Cols = 5, Classes = 4;

    [Fact]
    public void Every_backend_computes_the_reference_values()
    {
        var probabilities = Numbers.Uniform(1, Rows * Cols, 0f, 1f);
        var logits = Numbers.AwayFromZero(2, Rows * Cols);
        var logProbabilities = Numbers.Uniform(3, Rows * Classes, -3f, 0f);
        var classes = Enumerable.Range(0, Rows).Select(i => (i * 3) % Classes).ToArray();
        var advantages = Numbers.Uniform(4, Rows);
        var bits = Enumerable.Range(0, Rows * Cols).Select(i => (float)(i % 3 == 0 ? 1 : 0)).ToArray();
        const ulong seed = 99;

        // Independent references: the formulas of the operations' documentation, element by element.
        var sampled = probabilities.Select((p, i) => BinaryCodeMath.Bernoulli(seed, i, p)).ToArray();
        var thresholded = logits.Select(z => z > 0 ? 1f : 0f).ToArray();
        var nll = Enumerable.Range(0, Rows).Select(i => -logProbabilities[i * Classes + classes[i]]).ToArray();
        var gradient = Enumerable.Range(0, Rows * Cols).Select(i => advantages[i / Cols] * (bits[i] - probabilities[i])).ToArray();

        foreach (var b in fixture.Both)
        {
            using var p = b.Upload(probabilities, Rows, Cols);
            using var z = b.Upload(logits, Rows, Cols);
            using var codes = b.Allocate(Rows, Cols);
            b.SampleBernoulli(p, codes, seed);
            Assert.Equal(sampled, codes.ToArray());
            b.ThresholdCodes(z, codes);
            Assert.Equal(thresholded, codes.ToArray());

            using var lp = b.Upload(logProbabilities, Rows, Classes);
            using var y = b.UploadInt(classes, Rows, 1);
            using var output = b.Allocate(Rows, 1);
            b.NegativeLogLikelihood(lp, y, output);
            Assert.Equal(nll, output.ToArray());

            using var code = b.Upload(bits, Rows, Cols);
            using var adv = b.Upload(advantages, Rows, 1);
            using var grad = b.Allocate(Rows, Cols);
            b.ScoreFunctionGradient(code, p, adv, grad);
            Assert.Equal(gradient, grad.ToArray());
        }
    }
}
