using XcNotebooks.Compute;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Tests.Neural;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.Text.Encoders;

/// <summary>The encoders are written once against the backend: the ILGPU kernels (CPU accelerator) give the CPU's numbers.</summary>
[Collection("backends")]
public sealed class EncoderBackendTests(BackendFixture backends)
{
    private static readonly int[][] Rows = [[1, 4, 1], [6], [2, 3, 4, 5, 0], [7, 7]];

    private static (float[] Embeddings, float[][] Gradients) Run(ITextEncoder encoder)
    {
        var batch = EncoderChecks.Corpus(Rows).Batch([0, 1, 2, 3]);
        using var pass = encoder.Forward(batch, training: true);
        using var g = encoder.Backend.Upload(GradientCheck.Weights(3, pass.Embeddings.Length), pass.Rows, encoder.Dimension);
        foreach (var p in encoder.Parameters) p.ZeroGradient();
        encoder.Backward(pass, g);
        return (pass.Embeddings.ToArray(), encoder.Parameters.Select(p => p.Gradient.ToArray()).ToArray());
    }

    private static void Same(Func<IComputeBackend, ITextEncoder> create, BackendFixture backends)
    {
        using var cpu = create(backends.Cpu);
        using var gpu = create(backends.Ilgpu);
        var (e1, g1) = Run(cpu);
        var (e2, g2) = Run(gpu);
        Numbers.Close(e1, e2, 1e-4, $"{cpu.Kind} embeddings");
        for (int k = 0; k < g1.Length; k++) Numbers.Close(g1[k], g2[k], 1e-3, $"{cpu.Kind} {cpu.Parameters[k].Name} gradient");
    }

    [Fact]
    public void BagOfEmbeddings() =>
        Same(b => new BagOfEmbeddingsEncoder(b, 8, new BagOfEmbeddingsOptions { Dimension = 6, HiddenSize = 5, Dropout = 0.3f, Seed = 2 }), backends);

    [Fact]
    public void Transformer() =>
        Same(b => new TransformerEncoder(b, 8, new TransformerEncoderOptions { Dimension = 4, Heads = 2, Layers = 1, FeedForward = 6, MaxPositions = 8, Dropout = 0.2f, Seed = 4 }), backends);
}
