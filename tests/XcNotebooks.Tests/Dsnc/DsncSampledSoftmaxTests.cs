using XcNotebooks.Compute;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>
/// DSNC's sampled-softmax decoder (many classes): against the full softmax computed here in double precision when
/// every class is a candidate, against finite differences of its own loss when some are sampled, its logQ correction
/// against the empirical inclusion frequencies, and end to end (learning, same seed same model, persistence).
/// </summary>
[Collection("backends")]
public sealed class DsncSampledSoftmaxTests(BackendFixture fixture)
{
    private const int Bits = 6, Classes = 9, Rows = 5;

    private static float[] RandomValues(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(scale * (2 * random.NextDouble() - 1))).ToArray();
    }

    private static Tensor Upload(IComputeBackend backend, float[] values, int rows, int cols)
    {
        var t = backend.Allocate(rows, cols);
        t.CopyFrom(values);
        return t;
    }

    [Fact]
    public void WithEveryClassSampledTheLossAndGradientsAreTheFullSoftmaxs()
    {
        foreach (var backend in fixture.Both)
        {
            using var decoder = new SampledSoftmaxDecoder(backend, Bits, Classes, negativeSamples: Classes, seed: 2);
            Assert.True(decoder.Exhaustive);
            var w = RandomValues(Classes * Bits, 3);
            var b = RandomValues(Classes, 4);
            decoder.Weight.SetValues(w);
            decoder.Bias.SetValues(b);
            var codes = RandomValues(Rows * Bits, 5).Select(v => v > 0 ? 1f : 0f).ToArray();
            int[] targets = [3, 0, 8, 3, 5];
            using var codeTensor = Upload(backend, codes, Rows, Bits);
            var (candidates, targetIndex, corrections) = decoder.Candidates(targets, new Random(1));
            Assert.Equal(Enumerable.Range(0, Classes), candidates);
            Assert.All(corrections, c => Assert.Equal(0f, c));
            var scores = decoder.Forward(codeTensor, candidates, corrections);
            using var loss = new SoftmaxCrossEntropyLoss(backend);
            using var y = backend.UploadInt(targetIndex, Rows, 1);
            double value = loss.Compute(scores, y);
            decoder.Weight.ZeroGradient();
            decoder.Bias.ZeroGradient();
            var codeGradient = decoder.Backward(loss.Gradient).ToArray();

            // The reference: z = c Wᵀ + b over all classes, mean cross-entropy, in double precision.
            var dz = new double[Rows, Classes];
            double expected = 0;
            for (int i = 0; i < Rows; i++)
            {
                var z = new double[Classes];
                for (int j = 0; j < Classes; j++)
                {
                    z[j] = b[j];
                    for (int t = 0; t < Bits; t++) z[j] += codes[i * Bits + t] * w[j * Bits + t];
                }
                double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
                expected += -(z[targets[i]] - max - Math.Log(sum)) / Rows;
                for (int j = 0; j < Classes; j++) dz[i, j] = (Math.Exp(z[j] - max) / sum - (j == targets[i] ? 1 : 0)) / Rows;
            }
            Numbers.Close(expected, value, 1e-5, "loss");
            var dw = new double[Classes * Bits];
            var db = new double[Classes];
            var dc = new double[Rows * Bits];
            for (int i = 0; i < Rows; i++)
                for (int j = 0; j < Classes; j++)
                {
                    db[j] += dz[i, j];
                    for (int t = 0; t < Bits; t++)
                    {
                        dw[j * Bits + t] += dz[i, j] * codes[i * Bits + t];
                        dc[i * Bits + t] += dz[i, j] * w[j * Bits + t];
                    }
                }
            Numbers.Close(dw, decoder.Weight.Gradient.ToArray(), 1e-5, $"weight gradient on {backend.Name}");
            Numbers.Close(db, decoder.Bias.Gradient.ToArray(), 1e-5, $"bias gradient on {backend.Name}");
            Numbers.Close(dc, codeGradient, 1e-5, $"code gradient on {backend.Name}");
            Assert.Equal(Enumerable.Range(0, Classes), decoder.Weight.TouchedRows.Order());
        }
    }

    [Fact]
    public void SampledGradientsMatchFiniteDifferencesOfTheSampledLoss()
    {
        var backend = fixture.Cpu;
        const int classes = 40;
        using var decoder = new SampledSoftmaxDecoder(backend, Bits, classes, negativeSamples: 7, seed: 2);
        var w = RandomValues(classes * Bits, 13);
        decoder.Weight.SetValues(w);
        decoder.Bias.SetValues(RandomValues(classes, 14));
        var training = Enumerable.Range(0, 200).Select(i => i % 7 == 0 ? i % classes : i % 5).ToArray();
        decoder.SetProposal(training, Rows);
        var codes = RandomValues(Rows * Bits, 15).Select(v => v > 0 ? 1f : 0f).ToArray();
        using var codeTensor = Upload(backend, codes, Rows, Bits);
        int[] targets = [1, 4, 1, 30, 2];
        var (candidates, targetIndex, corrections) = decoder.Candidates(targets, new Random(9));
        Assert.Equal([1, 4, 30, 2], candidates[..4]); // the batch's classes first, in order of first occurrence
        Assert.True(candidates.Length > 4 && candidates.Length == candidates.Distinct().Count());
        Assert.Equal([0, 1, 0, 2, 3], targetIndex);
        using var loss = new SoftmaxCrossEntropyLoss(backend);
        using var y = backend.UploadInt(targetIndex, Rows, 1);
        double Loss() => loss.Compute(decoder.Forward(codeTensor, candidates, corrections), y);
        Loss();
        decoder.Weight.ZeroGradient();
        decoder.Bias.ZeroGradient();
        var analytic = decoder.Backward(loss.Gradient).ToArray();
        var weightGradient = decoder.Weight.Gradient.ToArray();
        // A class that is not a candidate gets no gradient and is not touched.
        int absent = Enumerable.Range(0, classes).First(c => !candidates.Contains(c));
        Assert.All(weightGradient.AsSpan(absent * Bits, Bits).ToArray(), g => Assert.Equal(0f, g));
        Assert.DoesNotContain(absent, decoder.Weight.TouchedRows);
        const float h = 1e-2f;
        foreach (int c in candidates.Take(6))
            for (int t = 0; t < Bits; t += 2)
            {
                var plus = (float[])w.Clone();
                plus[c * Bits + t] += h;
                decoder.Weight.SetValues(plus);
                double up = Loss();
                plus[c * Bits + t] -= 2 * h;
                decoder.Weight.SetValues(plus);
                double down = Loss();
                Numbers.Close((up - down) / (2 * h), weightGradient[c * Bits + t], 2e-3, $"d loss / d w[{c}, {t}]");
            }
        decoder.Weight.SetValues(w);
        Assert.Equal(Rows * Bits, analytic.Length);
    }

    [Fact]
    public void TheCorrectionIsMinusTheLogOfTheEmpiricalInclusionFrequency()
    {
        const int classes = 30, samples = 12, trials = 20_000;
        using var decoder = new SampledSoftmaxDecoder(fixture.Cpu, Bits, classes, samples, seed: 1);
        var training = Enumerable.Range(0, 300).Select(i => (i * i) % 11).ToArray(); // classes 0..10, unevenly
        decoder.SetProposal(training, batchRows: 0); // no batch term: π_j = 1 − (1 − Q_j)^S
        var hits = new int[classes];
        var random = new Random(4);
        float[]? corrections = null;
        int[]? order = null;
        for (int trial = 0; trial < trials; trial++)
        {
            var (candidates, _, c) = decoder.Candidates([], random);
            foreach (int j in candidates) hits[j]++;
            if (trial == 0) (corrections, order) = (c, candidates);
        }
        for (int a = 0; a < order!.Length; a++)
        {
            double inclusion = (double)hits[order[a]] / trials;
            Numbers.Close(inclusion, Math.Exp(-corrections![a]), 0.02, $"inclusion probability of class {order[a]}");
        }
    }

    private static DsncOptions Sampled(int seed = 1) => new()
    {
        CodeBits = 8, Epochs = 15, BatchSize = 16, Seed = seed, SampledSoftmaxMinClasses = 2, NegativeSamples = 3,
    };

    [Fact]
    public void TrainsWithSampledNegativesSameSeedSameModelAndSavesAndLoads()
    {
        var data = SeparableData.Create(classes: 12, trainPerClass: 25, heldoutPerClass: 4, testPerClass: 10, seed: 21);
        using var model = Dsnc.Train(data.Train, data.Heldout, Sampled(), backend: fixture.Cpu);
        Assert.True(model.Options.UsesSampledSoftmax(12));
        Assert.True(model.Accuracy(data.Test) >= 90, $"test accuracy {model.Accuracy(data.Test):F1}% (chance 8.3%)");
        Assert.True(model.LookupAccuracy(data.Test) >= 90, $"lookup accuracy {model.LookupAccuracy(data.Test):F1}%");
        using var again = Dsnc.Train(data.Train, data.Heldout, Sampled(), backend: fixture.Cpu);
        Assert.Equal(model.CodeLogits(data.Test.Features).Data, again.CodeLogits(data.Test.Features).Data);
        Assert.Equal(model.TopK(data.Test, 3).Scores, again.TopK(data.Test, 3).Scores);
        using var other = Dsnc.Train(data.Train, data.Heldout, Sampled(seed: 2) with { Epochs = 2 }, backend: fixture.Cpu);
        using var otherAgain = Dsnc.Train(data.Train, data.Heldout, Sampled(seed: 3) with { Epochs = 2 }, backend: fixture.Cpu);
        Assert.NotEqual(other.CodeLogits(data.Test.Features).Data, otherAgain.CodeLogits(data.Test.Features).Data);

        var path = Path.Combine(Path.GetTempPath(), $"dsnc-sampled-{Guid.NewGuid():N}.xcm");
        try
        {
            model.Save(path);
            using var loaded = DsncModel.Load(path, fixture.Cpu);
            Assert.Equal(model.TopK(data.Test, 5).Labels, loaded.TopK(data.Test, 5).Labels);
            Assert.Equal(model.TopK(data.Test, 5).Scores, loaded.TopK(data.Test, 5).Scores);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RanksEveryClassAcrossScoringBlocksLikeABruteForceTopK()
    {
        // More classes than one scoring block: the running top-k over blocks equals sorting all scores here.
        int classes = SampledSoftmaxDecoder.ScoringBlock + 37;
        using var decoder = new SampledSoftmaxDecoder(fixture.Cpu, Bits, classes, negativeSamples: 4, seed: 6);
        var w = decoder.Weight.GetValues();
        var b = decoder.Bias.GetValues();
        var codes = RandomValues(3 * Bits, 8).Select(v => v > 0 ? 1f : 0f).ToArray();
        using var codeTensor = Upload(fixture.Cpu, codes, 3, Bits);
        var (top, scores) = decoder.TopK(codeTensor, 4);
        for (int i = 0; i < 3; i++)
        {
            var all = Enumerable.Range(0, classes).Select(j => (Class: j, Score: b[j] + Enumerable.Range(0, Bits).Sum(t => codes[i * Bits + t] * w[j * Bits + t])))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Class).Take(4).ToArray();
            Numbers.Close(all.Select(p => p.Score).ToArray(), scores.AsSpan(i * 4, 4).ToArray(), 1e-5, $"row {i} top scores");
            Assert.Equal(all[0].Class, top[i * 4]);
        }
    }

    [Fact]
    public void BelowTheThresholdTheDecoderIsTheDenseSoftmax()
    {
        var options = new DsncOptions();
        Assert.False(options.UsesSampledSoftmax(options.SampledSoftmaxMinClasses - 1));
        Assert.True(options.UsesSampledSoftmax(options.SampledSoftmaxMinClasses));
        Assert.False((options with { DecoderHidden = [16] }).UsesSampledSoftmax(1_000_000));
        Assert.False((options with { SampledSoftmaxMinClasses = 0 }).UsesSampledSoftmax(1_000_000));
        Assert.Throws<ArgumentException>(() => (options with { NegativeSamples = 0 }).Validate());
    }
}
