using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Synthetic;
using XcNotebooks.Tests.DexaTests;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

/// <summary>DEXA's M-IV classifiers label-sharded over 1..3 in-process ranks against one process: the same model bytes on every rank.</summary>
public sealed class DistributedDexaClassifiersTests
{
    // The embedded multi-label default (128 labels, texts and label texts), its first 500 points: seconds per run.
    private static readonly Dataset Train = EmbeddedData.DefaultMultiLabel().Train.SelectRows(Enumerable.Range(0, 500).ToArray());

    private static readonly DexaOptions Options = ToyText.Options() with { EncoderEpochs = 1, ClassifierEpochs = 3 };

    private static byte[] TrainedBytes(ICollective? collective)
    {
        // Every rank builds the same encoder (same seed); helper code that trains it across ranks hands each rank the same one.
        using var model = Dexa.TrainEncoder(Train, Options);
        Dexa.TrainClassifiers(model, Train, null, null, collective);
        var path = Path.Combine(TestData.TempDir(), "model.dexa");
        model.Save(path);
        return File.ReadAllBytes(path);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ShardedClassifiersSaveTheSameBytesAsOneProcessOnEveryRank(int ranks)
    {
        var single = TrainedBytes(null);
        var sharded = InProcessCollectives.Run(ranks, TrainedBytes);
        Assert.All(sharded, bytes => Assert.Equal(single, bytes));
    }
}
