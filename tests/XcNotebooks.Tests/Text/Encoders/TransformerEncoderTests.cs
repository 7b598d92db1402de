using XcNotebooks.Compute;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Tests.Neural;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.Text.Encoders;

public sealed class TransformerEncoderTests
{
    private readonly CpuBackend _b = new();

    private static readonly int[][] Rows = [[1, 4, 1], [6], [2, 3, 4, 5, 0], [7, 7]];

    private static TransformerEncoderOptions Tiny(float dropout = 0f) =>
        new() { Dimension = 4, Heads = 2, Layers = 2, FeedForward = 6, MaxPositions = 8, Dropout = dropout, Seed = 3 };

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var encoder = new TransformerEncoder(_b, 8, Tiny());
        EncoderChecks.Gradients(encoder, EncoderChecks.Corpus(Rows).Batch([0, 1, 2, 3]), tolerance: 5e-3, maxChecksPerParameter: 24);
    }

    [Fact]
    public void PaddingDoesNotChangeAnEmbedding()
    {
        // EncodeAll in chunks of two cuts batches to other lengths than one pass over all rows: masking makes them equal.
        using var encoder = new TransformerEncoder(_b, 8, Tiny());
        EncoderChecks.EncodeAllMatchesForward(encoder, EncoderChecks.Corpus(Rows));
    }

    [Fact]
    public void PassesOfASharedEncoderAccumulate()
    {
        using var encoder = new TransformerEncoder(_b, 8, Tiny());
        var corpus = EncoderChecks.Corpus(Rows);
        EncoderChecks.TwoPassesAccumulate(encoder, corpus.Batch([0, 2]), corpus.Batch([1, 2, 3]));
    }

    [Fact]
    public void DropoutActsInTrainingOnlyAndSavingKeepsTheWeights()
    {
        using var encoder = new TransformerEncoder(_b, 8, Tiny(dropout: 0.3f));
        var batch = EncoderChecks.Corpus(Rows).Batch([0, 1, 2, 3]);
        using (var e1 = encoder.Forward(batch, training: false))
        using (var e2 = encoder.Forward(batch, training: false))
        using (var t = encoder.Forward(batch, training: true))
        {
            Assert.Equal(e1.Embeddings.ToArray(), e2.Embeddings.ToArray());
            Assert.NotEqual(e1.Embeddings.ToArray(), t.Embeddings.ToArray());
        }
        var path = Path.Combine(TestData.TempDir(), "transformer.xcn");
        TextEncoders.Save(path, encoder);
        using var loaded = TextEncoders.Load(path, _b);
        Assert.IsType<TransformerEncoder>(loaded);
        var corpus = EncoderChecks.Corpus(Rows);
        Assert.Equal(encoder.EncodeAll(corpus).Data, loaded.EncodeAll(corpus).Data);
    }

    [Fact]
    public void SequencesLongerThanThePositionsAreRefused()
    {
        using var encoder = new TransformerEncoder(_b, 8, Tiny() with { MaxPositions = 3 });
        Assert.Contains("3 positions", Assert.Throws<ArgumentException>(() => encoder.Forward(EncoderChecks.Corpus(Rows).Batch([2]))).Message);
        Assert.Throws<ArgumentException>(() => new TransformerEncoder(_b, 8, Tiny() with { Heads = 3 }));
    }
}

/// <summary>Masked multi-head attention against a direct reference, on both backends, with its gradient.</summary>
[Collection("backends")]
public sealed class AttentionOperationTests(BackendFixture backends)
{
    private const int Sequences = 3, Length = 4, Heads = 2, Width = 6;
    private static readonly int[] Lengths = [4, 2, 0];

    /// <summary>Straightforward attention in double: softmax over the first len keys of each query's sequence.</summary>
    private static double[] Reference(float[] qkv)
    {
        int dh = Width / Heads, stride = 3 * Width;
        var output = new double[Sequences * Length * Width];
        for (int b = 0; b < Sequences; b++)
            for (int h = 0; h < Heads; h++)
                for (int i = 0; i < Lengths[b]; i++)
                {
                    var s = new double[Lengths[b]];
                    for (int j = 0; j < Lengths[b]; j++)
                    {
                        for (int c = 0; c < dh; c++)
                            s[j] += (double)qkv[(b * Length + i) * stride + h * dh + c] * qkv[(b * Length + j) * stride + Width + h * dh + c];
                        s[j] /= Math.Sqrt(dh);
                    }
                    double max = s.Max(), sum = s.Sum(v => Math.Exp(v - max));
                    for (int j = 0; j < Lengths[b]; j++)
                        for (int c = 0; c < dh; c++)
                            output[(b * Length + i) * Width + h * dh + c] += Math.Exp(s[j] - max) / sum * qkv[(b * Length + j) * stride + 2 * Width + h * dh + c];
                }
        return output;
    }

    private static (float[] Output, float[] GradQkv) Run(IComputeBackend backend, float[] qkv, float[] gradOutput)
    {
        using var x = backend.Upload(qkv, Sequences * Length, 3 * Width);
        using var lengths = backend.UploadInt(Lengths, Sequences, 1);
        using var output = backend.Allocate(Sequences * Length, Width);
        using var probabilities = backend.Allocate(Sequences * Heads * Length, Length);
        backend.MultiHeadAttention(x, lengths, Heads, output, probabilities);
        using var g = backend.Upload(gradOutput, Sequences * Length, Width);
        using var gradQkv = backend.Allocate(Sequences * Length, 3 * Width);
        using var scratch = backend.Allocate(Sequences * Heads * Length, Length);
        backend.MultiHeadAttentionBackward(x, lengths, Heads, probabilities, g, gradQkv, scratch);
        return (output.ToArray(), gradQkv.ToArray());
    }

    [Fact]
    public void ForwardMatchesTheReferenceAndBackwardMatchesFiniteDifferences()
    {
        var qkv = Numbers.Uniform(1, Sequences * Length * 3 * Width);
        var r = GradientCheck.Weights(2, Sequences * Length * Width);
        var (output, gradQkv) = Run(backends.Cpu, qkv, r);
        Numbers.Close(Reference(qkv), output, 1e-5, "attention output");
        double Project(float[] values)
        {
            var o = Reference(values);
            double sum = 0;
            for (int i = 0; i < o.Length; i++) sum += o[i] * r[i];
            return sum;
        }
        GradientCheck.Check("attention", qkv, Project, gradQkv);
    }

    [Fact]
    public void IlgpuKernelsEqualTheCpuPath()
    {
        var qkv = Numbers.Uniform(3, Sequences * Length * 3 * Width);
        var r = GradientCheck.Weights(4, Sequences * Length * Width);
        var cpu = Run(backends.Cpu, qkv, r);
        var gpu = Run(backends.Ilgpu, qkv, r);
        Numbers.Close(cpu.Output, gpu.Output, 1e-5, "output");
        Numbers.Close(cpu.GradQkv, gpu.GradQkv, 1e-5, "gradient");
    }
}
