using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Metrics;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>DSNC end to end on small synthetic sets: separation, reproducibility, both backends, persistence.</summary>
[Collection("backends")]
public sealed class DsncTrainingTests(BackendFixture fixture)
{
    private static readonly DataSplits Small = SeparableData.Create(classes: 8, trainPerClass: 30, heldoutPerClass: 5, testPerClass: 10, seed: 21);

    private static DsncOptions SmallOptions(int seed = 1) => new() { CodeBits = 8, Epochs = 15, BatchSize = 16, Seed = seed };

    [Fact]
    public void SeparatesASmallSyntheticSetPerfectlyWithBothDecodings()
    {
        using var model = Dsnc.Train(Small.Train, null, SmallOptions(), backend: fixture.Cpu);
        foreach (var split in new[] { Small.Train, Small.Test })
        {
            Assert.Equal(100.0, model.Accuracy(split));
            Assert.Equal(100.0, model.LookupAccuracy(split));
        }
        var stats = model.CodeStatistics;
        Assert.Equal(8, model.CodeTable.Count);
        Assert.Equal(0, stats.CollidingClasses);
        Assert.Equal(0, stats.ClassesWithoutCode);
        Assert.Equal(8, stats.DistinctClassCodes);
        // Exact hits are the points whose own code is their class's table code (brute force over the codes), and purity counts them.
        var lookup = model.PredictByLookup(Small.Train);
        var codes = model.Codes(Small.Train.Features);
        var classes = Small.Train.Labels.Classes();
        int own = Enumerable.Range(0, codes.Length).Count(i => model.CodeTable.HasCode(classes[i]) && model.CodeTable.CodeOfClass(classes[i]) == codes[i]);
        Assert.Equal(own, lookup.ExactHits);
        Assert.Equal((double)own / codes.Length, stats.Purity, 12);
    }

    [Fact]
    public void SameSeedSameModelDifferentSeedDifferentModel()
    {
        float[] Logits(int seed)
        {
            using var model = Dsnc.Train(Small.Train, null, SmallOptions(seed) with { Epochs = 2 }, backend: fixture.Cpu);
            return model.CodeLogits(Small.Test.Features).Data;
        }
        var first = Logits(4);
        Assert.Equal(first, Logits(4));
        Assert.NotEqual(first, Logits(5));
    }

    [Fact]
    public void TrainsAlikeOnTheCpuBackendAndOnIlgpu()
    {
        var tiny = SeparableData.Create(classes: 4, trainPerClass: 6, heldoutPerClass: 0, testPerClass: 3, seed: 8);
        var options = new DsncOptions { CodeBits = 6, EncoderHidden = [5], Epochs = 2, BatchSize = 8, Seed = 3 };
        using var onCpu = Dsnc.Train(tiny.Train, null, options, backend: fixture.Cpu);
        using var onIlgpu = Dsnc.Train(tiny.Train, null, options, backend: fixture.Ilgpu);
        var cpuLogits = onCpu.CodeLogits(tiny.Test.Features).Data;
        Numbers.Close(cpuLogits, onIlgpu.CodeLogits(tiny.Test.Features).Data, 1e-4, "code logits");
        Numbers.Close(onCpu.TopK(tiny.Test, 4).Scores, onIlgpu.TopK(tiny.Test, 4).Scores, 1e-4, "class scores");
        Assert.Equal(onCpu.CodeTable.CodedClasses, onIlgpu.CodeTable.CodedClasses);
        Assert.True(cpuLogits.Min(Math.Abs) > 1e-3, "logits this close to 0 could threshold differently on the two backends");
    }

    [Fact]
    public void ReinforceLearnsTooThoughMoreSlowly()
    {
        using var model = Dsnc.Train(Small.Train, null, SmallOptions() with { Estimator = BinaryGradientEstimator.Reinforce, Epochs = 30 },
            backend: fixture.Cpu);
        // Chance is 12.5%.
        Assert.True(model.Accuracy(Small.Test) > 60, $"REINFORCE test accuracy {model.Accuracy(Small.Test):F1}%");
    }

    [Fact]
    public void KeepsTheEpochOfBestValidationAccuracy()
    {
        // A noisy set and a large step: validation accuracy goes up and down, so the best epoch is not the last.
        var noisy = SyntheticData.MultiClass(classes: 10, features: 100, train: 300, heldout: 100, test: 20, seed: 4);
        var options = SmallOptions(seed: 3) with { Epochs = 8, LearningRate = 0.1f };
        var training = Dsnc.TrainDetailed(noisy.Train, noisy.Heldout, options, backend: fixture.Cpu);
        using var model = training.Model;
        var validations = training.Epochs.Select(e => e.ValidationAccuracy!.Value).ToArray();
        Assert.Equal(8, validations.Length);
        Assert.Equal(validations, training.ValidationAccuracies);
        Assert.Equal(training.Epochs.Select(e => e.TrainAccuracy), training.TrainAccuracies);
        int expected = Array.LastIndexOf(validations, validations.Max()) + 1;
        Assert.True(expected < 8, $"validation accuracies {string.Join(", ", validations)}: the test needs a best epoch before the last");
        Assert.Equal(expected, training.BestEpoch);
        Assert.Equal([expected], training.Epochs.Where(e => e.IsBest).Select(e => e.Epoch));
        Assert.Equal(validations.Max(), model.Accuracy(noisy.Heldout!), 9);

        // Without keeping the best epoch, the model is the last epoch's.
        using var last = Dsnc.Train(noisy.Train, noisy.Heldout, options with { KeepBestEpoch = false }, backend: fixture.Cpu);
        Assert.Equal(validations[^1], last.Accuracy(noisy.Heldout!), 9);
    }

    [Fact]
    public void MultiLabelDataIsRejectedNamingThePoint()
    {
        var data = SyntheticData.MultiLabel(labels: 5, features: 20, points: 30, seed: 2);
        int row = Enumerable.Range(0, data.NumPoints).First(i => data.Labels.Matrix.RowLength(i) != 1);
        var e = Assert.Throws<DataFormatException>(() => Dsnc.Train(data, null, SmallOptions(), backend: fixture.Cpu));
        Assert.Contains($"point {row + 1} has", e.Message);
        Assert.Throws<ArgumentException>(() => Dsnc.Train(Small.Train, null, SmallOptions() with { CodeBits = 65 }, backend: fixture.Cpu));
    }

    [Fact]
    public void SavedModelsLoadWithTheSamePredictionsAndCodes()
    {
        using var model = Dsnc.Train(Small.Train, null, SmallOptions() with { Epochs = 3, DecoderHidden = [7] }, backend: fixture.Cpu);
        var path = Path.Combine(TestData.TempDir(), "model.dsnc");
        model.Save(path);
        using var loaded = DsncModel.Load(path, fixture.Cpu);
        Assert.Equal(model.CodeLogits(Small.Test.Features).Data, loaded.CodeLogits(Small.Test.Features).Data);
        Assert.Equal(model.TopK(Small.Test, 3).Scores, loaded.TopK(Small.Test, 3).Scores);
        Assert.Equal(model.PredictByLookup(Small.Test).Classes, loaded.PredictByLookup(Small.Test).Classes);
        Assert.Equal(model.CodeTable.CodedClasses, loaded.CodeTable.CodedClasses);
        Assert.Equal(model.CodeStatistics, loaded.CodeStatistics);
        Assert.Equal(model.Options.DecoderHidden, loaded.Options.DecoderHidden);

        var truncated = Path.Combine(TestData.TempDir(), "truncated.dsnc");
        File.WriteAllBytes(truncated, File.ReadAllBytes(path)[..^40]);
        Assert.Contains("truncated.dsnc", Assert.Throws<DataFormatException>(() => DsncModel.Load(truncated, fixture.Cpu)).Message);

        var wltls = Path.Combine(TestData.TempDir(), "model.wltls");
        Wltls.Train(Small.Train, null, new WltlsOptions { SliceWidth = 2, Epochs = 1 }).Save(wltls);
        Assert.Contains("not a dsnc model", Assert.Throws<DataFormatException>(() => DsncModel.Load(wltls, fixture.Cpu)).Message);
    }

    [Fact]
    public void TopKRanksTheLearnedDecodersScores()
    {
        using var model = Dsnc.Train(Small.Train, null, SmallOptions() with { Epochs = 3 }, backend: fixture.Cpu);
        var top = model.TopK(Small.Test, 8);
        Assert.Equal(model.Predict(Small.Test), top.Top1());
        for (int i = 0; i < Small.Test.NumPoints; i++)
        {
            var scores = top.ScoresOf(i).ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.Equal(Enumerable.Range(0, 8), top.LabelsOf(i).ToArray().Order());
        }
        Assert.Equal(XcMetrics.Accuracy(Small.Test.Labels, top.Top1()) * 100, model.Accuracy(Small.Test), 9);
    }
}
