using XcNotebooks.Compute;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Tests.DexaTests;
using XcNotebooks.Text;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.DexmlTests;

/// <summary>Gradient caching: the same loss and parameter gradients as one uncached pass, with less memory held.</summary>
public sealed class GradientCacheTests
{
    internal sealed record Setup(TokenizedCorpus Documents, TokenizedCorpus Labels, int VocabularySize, XcNotebooks.Core.DataSplits Data);

    internal static Setup Corpus()
    {
        var data = ToyText.Create(train: 24, test: 4);
        var tokenizer = CorpusVocabularyTokenizer.Build([.. data.Train.Texts!, .. data.Train.LabelTexts!]);
        var sequence = new SequenceOptions { MaxLength = 16, AddSpecialTokens = false };
        return new Setup(TokenizedCorpus.Build(data.Train.Texts!, tokenizer, sequence), TokenizedCorpus.Build(data.Train.LabelTexts!, tokenizer, sequence),
            tokenizer.VocabularySize, data);
    }

    internal static ITextEncoder Encoder(IComputeBackend backend, int vocabulary, bool transformer) => transformer
        ? new TransformerEncoder(backend, vocabulary, new TransformerEncoderOptions { Dimension = 8, Heads = 2, Layers = 1, FeedForward = 16, Dropout = 0f, Seed = 4 })
        : new BagOfEmbeddingsEncoder(backend, vocabulary, new BagOfEmbeddingsOptions { Dimension = 12, Seed = 4 });

    /// <summary>The loss and every parameter's gradient after one step (gradients zeroed first).</summary>
    internal static (double Loss, float[][] Gradients) Step(ITextEncoder encoder, Setup setup, DexmlLoss loss, int? chunk)
    {
        foreach (var p in encoder.Parameters) p.ZeroGradient();
        int[] rows = [0, 1, 2, 3, 4, 5];
        var pools = new LabelPools(setup.Data.Train.Labels, setup.Labels.Count, new DexmlOptions { Loss = loss, SoftTopk = new SoftTopkOptions(K: 2) });
        var step = pools.Step(rows, new Random(5));
        double value = GradientCache.Accumulate(encoder, setup.Documents.Batch(rows), setup.Labels, step.Pool, step.Positives, step.Targets,
            new DexmlObjective(loss, 0.1f, new SoftTopkOptions(K: 2)), chunk);
        return (value, encoder.Parameters.Select(p => p.Gradient.ToArray()).ToArray());
    }

    [Theory]
    [InlineData(DexmlLoss.Softmax, false)]
    [InlineData(DexmlLoss.DecoupledSoftmax, false)]
    [InlineData(DexmlLoss.SoftTopk, false)]
    [InlineData(DexmlLoss.DecoupledSoftmax, true)]
    public void CachedAndUncachedGradientsAreEqual(DexmlLoss loss, bool transformer)
    {
        var setup = Corpus();
        using var backend = ComputeBackends.Create(BackendKind.Cpu);
        using var encoder = Encoder(backend, setup.VocabularySize, transformer);
        var whole = Step(encoder, setup, loss, null);
        foreach (int chunk in new[] { 3, 5, 100 })
        {
            var cached = Step(encoder, setup, loss, chunk);
            Assert.Equal(whole.Loss, cached.Loss, 6);
            for (int p = 0; p < whole.Gradients.Length; p++)
                Numbers.Close(whole.Gradients[p], cached.Gradients[p], 1e-5, $"{encoder.Parameters[p].Name}, chunk {chunk}");
        }
        Assert.Contains(whole.Gradients.SelectMany(g => g), v => Math.Abs(v) > 1e-4);
    }

    [Fact]
    public void ParameterGradientsMatchFiniteDifferences()
    {
        var setup = Corpus();
        using var backend = ComputeBackends.Create(BackendKind.Cpu);
        using var encoder = Encoder(backend, setup.VocabularySize, transformer: false);
        var (_, gradients) = Step(encoder, setup, DexmlLoss.DecoupledSoftmax, 3);
        int checkedEntries = 0;
        for (int p = 0; p < encoder.Parameters.Count; p++)
        {
            var parameter = encoder.Parameters[p];
            var values = parameter.GetValues();
            // The largest gradient entries of each parameter: well above float noise.
            foreach (int j in Enumerable.Range(0, values.Length).OrderByDescending(j => Math.Abs(gradients[p][j])).Take(3))
            {
                const float h = 2e-3f;
                var plus = (float[])values.Clone();
                var minus = (float[])values.Clone();
                plus[j] += h;
                minus[j] -= h;
                parameter.SetValues(plus);
                double up = Step(encoder, setup, DexmlLoss.DecoupledSoftmax, 3).Loss;
                parameter.SetValues(minus);
                double down = Step(encoder, setup, DexmlLoss.DecoupledSoftmax, 3).Loss;
                parameter.SetValues(values);
                double numeric = (up - down) / (plus[j] - minus[j]);
                Assert.True(Math.Abs(numeric - gradients[p][j]) <= 0.03 * Math.Abs(numeric) + 2e-3,
                    $"{parameter.Name}[{j}]: analytic {gradients[p][j]}, numeric {numeric}");
                checkedEntries++;
            }
        }
        Assert.True(checkedEntries >= 12);
    }

    [Fact]
    public void CachingHoldsLessThanOnePassOverTheWholePool()
    {
        var setup = Corpus();
        // A pool of 400 labels (the toy label texts repeated), 20 per chunk.
        var ids = new int[400 * setup.Labels.MaxLength];
        var lengths = new int[400];
        for (int l = 0; l < 400; l++)
        {
            setup.Labels.Row(l % setup.Labels.Count).CopyTo(ids.AsSpan(l * setup.Labels.MaxLength));
            lengths[l] = setup.Labels.Lengths[l % setup.Labels.Count];
        }
        var labels = new TokenizedCorpus(400, setup.Labels.MaxLength, setup.Labels.PadId, ids, lengths);
        var pool = Enumerable.Range(0, 400).ToArray();
        int[][] positives = [[0], [1]];
        var objective = new DexmlObjective(DexmlLoss.DecoupledSoftmax, 0.1f, new SoftTopkOptions());
        using var backend = (ComputeBackend)ComputeBackends.Create(BackendKind.Cpu);
        using var encoder = new TransformerEncoder(backend, setup.VocabularySize,
            new TransformerEncoderOptions { Dimension = 16, Heads = 2, Layers = 2, FeedForward = 64, Dropout = 0f, Seed = 1 });
        long Peak(int? chunk)
        {
            backend.ResetPeakTensorBytes();
            long before = backend.LiveTensorBytes;
            GradientCache.Accumulate(encoder, setup.Documents.Batch([0, 1]), labels, pool, positives, positives, objective, chunk);
            Assert.Equal(before, backend.LiveTensorBytes); // every tensor of the step was freed
            return backend.PeakTensorBytes - before;
        }
        long uncached = Peak(null), cached = Peak(20);
        Assert.True(cached * 4 < uncached, $"cached step peak {cached:N0} bytes, uncached {uncached:N0}");
    }
}

/// <summary>The cached step on ILGPU's CPU accelerator against the uncached step on the CPU backend.</summary>
[Collection("backends")]
public sealed class GradientCacheBackendTests(BackendFixture backends)
{
    [Fact]
    public void TheCachedStepOnIlgpuEqualsTheUncachedStepOnTheCpu()
    {
        var setup = GradientCacheTests.Corpus();
        (double Loss, float[][] Gradients) Step(IComputeBackend backend, int? chunk)
        {
            using var encoder = GradientCacheTests.Encoder(backend, setup.VocabularySize, transformer: false);
            return GradientCacheTests.Step(encoder, setup, DexmlLoss.DecoupledSoftmax, chunk);
        }

        var onCpu = Step(backends.Cpu, chunk: null);
        var onIlgpu = Step(backends.Ilgpu, chunk: 5);
        Assert.Equal(onCpu.Loss, onIlgpu.Loss, 4);
        for (int p = 0; p < onCpu.Gradients.Length; p++)
            Numbers.Close(onCpu.Gradients[p], onIlgpu.Gradients[p], 1e-4, $"parameter {p}");
        Assert.Contains(onCpu.Gradients.SelectMany(g => g), v => Math.Abs(v) > 1e-4);
    }
}
