using XcNotebooks.Compute;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.Text.Encoders;

public sealed class BagOfEmbeddingsEncoderTests
{
    private readonly CpuBackend _b = new();

    private static readonly int[][] Rows = [[1, 4, 1], [6], [2, 3, 4, 5, 0], [7, 7]];

    [Theory]
    [InlineData(0, EmbeddingBagMode.Mean, ActivationKind.Relu)]
    [InlineData(1, EmbeddingBagMode.Mean, ActivationKind.Gelu)] // smooth: finite differences across a ReLU kink would mislead
    [InlineData(2, EmbeddingBagMode.Sum, ActivationKind.Tanh)]
    public void GradientsMatchFiniteDifferences(int blocks, EmbeddingBagMode pooling, ActivationKind activation)
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions
        {
            Dimension = 5, HiddenSize = 4, ResidualBlocks = blocks, Pooling = pooling, HiddenActivation = new Activation(activation), Seed = 3,
        });
        EncoderChecks.Gradients(encoder, EncoderChecks.Corpus(Rows).Batch([0, 1, 2, 3]));
    }

    [Fact]
    public void NoBlocksIsTheNormalisedMeanOfTheTokenRows()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 3, ResidualBlocks = 0, Seed = 1 });
        var table = encoder.EmbeddingTable.GetValues();
        var corpus = EncoderChecks.Corpus(Rows);
        var embedded = encoder.EncodeAll(corpus);
        for (int i = 0; i < Rows.Length; i++)
        {
            var mean = new double[3];
            foreach (int t in Rows[i]) for (int j = 0; j < 3; j++) mean[j] += table[t * 3 + j] / (double)Rows[i].Length;
            double norm = Math.Sqrt(mean.Sum(v => v * v));
            Numbers.Close(mean.Select(v => v / norm).ToArray(), embedded.Row(i).ToArray(), 1e-5, $"row {i}");
        }
    }

    [Fact]
    public void EncodeAllInChunksMatchesOneForwardPass()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 6, Seed = 2 });
        EncoderChecks.EncodeAllMatchesForward(encoder, EncoderChecks.Corpus(Rows));
    }

    [Fact]
    public void PassesOfASharedEncoderAccumulate()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 4, Seed = 5 });
        var corpus = EncoderChecks.Corpus(Rows);
        EncoderChecks.TwoPassesAccumulate(encoder, corpus.Batch([0, 2]), corpus.Batch([1, 2, 3]));
    }

    [Fact]
    public void DropoutActsInTrainingOnly()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 16, Dropout = 0.5f, Seed = 5 });
        var batch = EncoderChecks.Corpus(Rows).Batch([0, 1, 2, 3]);
        using var eval1 = encoder.Forward(batch, training: false);
        using var eval2 = encoder.Forward(batch, training: false);
        using var train = encoder.Forward(batch, training: true);
        Assert.Equal(eval1.Embeddings.ToArray(), eval2.Embeddings.ToArray());
        Assert.NotEqual(eval1.Embeddings.ToArray(), train.Embeddings.ToArray());
    }

    [Fact]
    public void SaveAndLoadGiveTheSameEmbeddings()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 4, ResidualBlocks = 2, Seed = 9 });
        var path = Path.Combine(TestData.TempDir(), "encoder.xcn");
        TextEncoders.Save(path, encoder);
        using var loaded = TextEncoders.Load(path, _b);
        Assert.IsType<BagOfEmbeddingsEncoder>(loaded);
        var corpus = EncoderChecks.Corpus(Rows);
        Assert.Equal(encoder.EncodeAll(corpus).Data, loaded.EncodeAll(corpus).Data);
    }

    [Fact]
    public void MisuseIsReportedClearly()
    {
        using var encoder = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 4 });
        using var other = new BagOfEmbeddingsEncoder(_b, 8, new BagOfEmbeddingsOptions { Dimension = 4 });
        var e = Assert.Throws<ArgumentException>(() => encoder.Forward(EncoderChecks.Corpus([1, 9]).Batch([0])));
        Assert.Contains("token 9", e.Message);
        using var pass = other.Forward(EncoderChecks.Corpus([1, 2]).Batch([0]));
        using var g = _b.Allocate(1, 4);
        Assert.Contains("another encoder", Assert.Throws<ArgumentException>(() => encoder.Backward(pass, g)).Message);
        using var own = encoder.Forward(EncoderChecks.Corpus([1, 2]).Batch([0]));
        using var wrong = _b.Allocate(2, 4);
        Assert.Contains("gradient is 2 x 4", Assert.Throws<ArgumentException>(() => encoder.Backward(own, wrong)).Message);
        var file = TestData.TempFile("bad.xcn", "not a model");
        Assert.Throws<DataFormatException>(() => TextEncoders.Load(file, _b));
    }
}
