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
            foreach (double scale in new[] { 1.0, 2.5 })
            {
                var decoder = new LossBasedDecoder(graph, loss, scale);
                foreach (int top in new[] { 1, 4 })
                {
                    var expected = decoder.DecodeBatch(responses, top);
                    var actual = TrellisDecodeKernel.Decode(device, decoder, responses, top);
                    Assert.Equal(top, actual.K);
                    Assert.Equal(expected.Codewords, actual.Codewords);
                    Assert.Equal(expected.Scores, actual.Scores);
                }
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

    [Fact]
    public void ListsShorterThanKAreFilledAsOnTheCpu()
    {
        // K = 3 classes have 3 codewords: a top-5 list holds 3 paths, then -1 / -inf, as LossBasedDecoder gives them.
        using var device = IlgpuDevice.Create(IlgpuTarget.Cpu);
        var graph = TrellisGraph.Create(3, 2);
        var responses = new RowMajorMatrix(4, graph.NumEdges);
        var rng = new Random(5);
        for (int i = 0; i < responses.Rows; i++) LossBasedDecoderTests.RandomResponses(rng, graph.NumEdges).CopyTo(responses.Row(i));
        var decoder = new LossBasedDecoder(graph);
        var actual = TrellisDecodeKernel.Decode(device, decoder, responses, 5);
        Assert.Equal(decoder.DecodeBatch(responses, 5).Codewords, actual.Codewords);
        Assert.Equal(new[] { -1, -1 }, actual.Codewords[3..5]);
        Assert.Equal(double.NegativeInfinity, actual.Scores[4]);
    }

    [Fact]
    public void TheIlgpuBackendOptionDecodesTopKLikeTheCpu()
    {
        // WltlsOptions.Backend = Ilgpu: TopK and Predict go through the kernel (here on ILGPU's CPU accelerator, as no
        // GPU is present) and give the CPU path's labels and scores exactly.
        var data = SyntheticData.MultiClass(40, 400, 300, 0, 150, seed: 8);
        var onCpu = Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = 1 });
        Assert.Equal(BackendKind.Cpu, onCpu.Options.Backend);
        var onIlgpu = onCpu.OnBackend(BackendKind.Ilgpu);
        foreach (int k in new[] { 1, 5 })
        {
            var expected = onCpu.TopK(data.Test, k);
            var actual = onIlgpu.TopK(data.Test, k);
            Assert.Equal(expected.Labels, actual.Labels);
            Assert.Equal(expected.Scores, actual.Scores);
        }
        Assert.Equal(onCpu.Predict(data.Test), onIlgpu.Predict(data.Test));
        var trainedForIlgpu = Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = 1, Backend = BackendKind.Ilgpu });
        Assert.Equal(onCpu.Weights.Data, trainedForIlgpu.Weights.Data);
        Assert.Equal(onCpu.TopK(data.Test, 3).Labels, trainedForIlgpu.TopK(data.Test, 3).Labels);
    }

    [Fact]
    public void ALoadedModelDecodesOnTheBackendAskedFor()
    {
        // `xcn predict --backend ilgpu` loads through Load(path, backend): the model then decodes with the kernel and
        // ranks exactly as the CPU model it was saved from; without a backend it keeps the one it was trained for.
        var data = SyntheticData.MultiClass(40, 400, 300, 0, 150, seed: 9);
        var trained = Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = 1 });
        var path = Path.Combine(Path.GetTempPath(), $"xcn-wltls-backend-{Guid.NewGuid():N}.model");
        try
        {
            trained.Save(path);
            var onIlgpu = WltlsModel.Load(path, BackendKind.Ilgpu);
            Assert.Equal(BackendKind.Ilgpu, onIlgpu.Options.Backend);
            Assert.Equal(BackendKind.Cpu, WltlsModel.Load(path).Options.Backend);
            var expected = trained.TopK(data.Test, 3);
            var actual = onIlgpu.TopK(data.Test, 3);
            Assert.Equal(expected.Labels, actual.Labels);
            Assert.Equal(expected.Scores, actual.Scores);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
