using XcNotebooks.Compute;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.Text.Encoders;

/// <summary>The frozen ONNX encoder on a model written in the test (token embeddings masked by the attention mask).</summary>
public sealed class OnnxEncoderTests
{
    private const int Vocabulary = 8, Width = 5;
    private readonly CpuBackend _b = new();
    private static readonly int[][] Rows = [[1, 4, 1], [6], [2, 3, 4, 5, 0], [7, 7]];

    private static float[] Table() => Numbers.Uniform(11, Vocabulary * Width);

    private static string Model(bool symbolicWidth = false, bool withMask = true) =>
        TinyOnnxModel.Write(Path.Combine(TestData.TempDir(), "tiny.onnx"), Table(), Vocabulary, Width, symbolicWidth, withMask);

    /// <summary>The normalised mean of the token rows: what mean pooling of the tiny model must give.</summary>
    private static double[] Expected(int[] row, bool cls = false)
    {
        var table = Table();
        var tokens = cls ? row.Take(1).ToArray() : row;
        var mean = new double[Width];
        foreach (int t in tokens) for (int j = 0; j < Width; j++) mean[j] += table[t * Width + j] / (double)tokens.Length;
        double norm = Math.Sqrt(mean.Sum(v => v * v));
        return mean.Select(v => v / norm).ToArray();
    }

    [Theory]
    [InlineData(false, OnnxPooling.Mean)]
    [InlineData(true, OnnxPooling.Mean)]
    [InlineData(false, OnnxPooling.Cls)]
    public void PoolsTheModelsTokenStatesIntoUnitEmbeddings(bool symbolicWidth, OnnxPooling pooling)
    {
        using var encoder = OnnxEncoder.Load(_b, Model(symbolicWidth), Vocabulary, new OnnxEncoderOptions { Pooling = pooling });
        Assert.Equal(Width, encoder.Dimension);
        Assert.False(encoder.IsTrainable);
        Assert.Empty(encoder.Parameters);
        var embedded = encoder.EncodeAll(EncoderChecks.Corpus(Rows), chunkSize: 3);
        for (int i = 0; i < Rows.Length; i++)
            Numbers.Close(Expected(Rows[i], pooling == OnnxPooling.Cls), embedded.Row(i).ToArray(), 1e-5, $"row {i}");
    }

    [Fact]
    public void IsFrozenAndSavesAReferenceToItsModel()
    {
        var path = Model();
        using var encoder = OnnxEncoder.Load(_b, path, Vocabulary);
        using var pass = encoder.Forward(EncoderChecks.Corpus(Rows).Batch([0, 1]));
        using var g = _b.Allocate(2, Width);
        Assert.Contains("frozen", Assert.Throws<InvalidOperationException>(() => encoder.Backward(pass, g)).Message);
        var saved = Path.Combine(TestData.TempDir(), "encoder.xcn");
        TextEncoders.Save(saved, encoder);
        using (var loaded = TextEncoders.Load(saved, _b))
            Assert.Equal(encoder.EncodeAll(EncoderChecks.Corpus(Rows)).Data, loaded.EncodeAll(EncoderChecks.Corpus(Rows)).Data);
        File.AppendAllText(path, " "); // the model file changed: loading the saved encoder says so
        Assert.Contains("changed", Assert.Throws<DataFormatException>(() => TextEncoders.Load(saved, _b)).Message);
    }

    [Fact]
    public void BadModelsAndMismatchedOptionsAreReportedWithTheFile()
    {
        var garbage = TestData.TempFile("bad.onnx", "this is not a protobuf");
        var e = Assert.Throws<DataFormatException>(() => OnnxEncoder.Load(_b, garbage, Vocabulary));
        Assert.Contains("bad.onnx", e.Message);
        Assert.Contains("no input 'ids'", Assert.Throws<DataFormatException>(() =>
            OnnxEncoder.Load(_b, Model(), Vocabulary, new OnnxEncoderOptions { InputIdsName = "ids" })).Message);
        Assert.Contains("rank 3", Assert.Throws<DataFormatException>(() =>
            OnnxEncoder.Load(_b, Model(), Vocabulary, new OnnxEncoderOptions { Pooling = OnnxPooling.None })).Message);
        Assert.Throws<FileNotFoundException>(() => OnnxEncoder.Load(_b, "/no/such/model.onnx", Vocabulary));
        using var encoder = OnnxEncoder.Load(_b, Model(withMask: false), Vocabulary); // a model without a mask input works too
        Assert.Contains("token 9", Assert.Throws<ArgumentException>(() => encoder.Forward(EncoderChecks.Corpus([9]).Batch([0]))).Message);
    }
}
