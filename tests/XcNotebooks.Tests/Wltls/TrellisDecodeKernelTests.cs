using XcNotebooks.Compute;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class TrellisDecodeKernelTests
{
    [Fact]
    public void CpuAcceleratorDecodesLikeTheCpuPath()
    {
        using var device = IlgpuDevice.Create(IlgpuTarget.Cpu);
        var rng = new Random(12);
        foreach (var (k, b) in new[] { (105, 5), (37, 3), (1000, 8) })
        {
            var graph = TrellisGraph.Create(k, b);
            var responses = new RowMajorMatrix(70, graph.NumEdges);
            for (int i = 0; i < responses.Rows; i++)
                LossBasedDecoderTests.RandomResponses(rng, graph.NumEdges).CopyTo(responses.Row(i));
            foreach (var loss in Enum.GetValues<DecodingLoss>())
            {
                var decoder = new LossBasedDecoder(graph, loss);
                var expected = decoder.DecodeBatch(responses);
                var actual = TrellisDecodeKernel.Decode(device, decoder, responses);
                Assert.Equal(expected.Codewords, actual.Codewords);
                Assert.Equal(expected.Scores, actual.Scores);
            }
        }
    }

    [Fact]
    public void ModelPredictsTheSameOnTheDevice()
    {
        var data = SyntheticData.MultiClass(12, 300, 240, 0, 120, seed: 3);
        var model = Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 3, Epochs = 1 });
        using var device = IlgpuDevice.Create(IlgpuTarget.Cpu);
        Assert.Equal(model.Predict(data.Test.Features), model.Predict(data.Test.Features, device));
    }
}
