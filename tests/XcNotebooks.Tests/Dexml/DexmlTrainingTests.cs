using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Tests.DexaTests;
using XcNotebooks.Data;
using XcNotebooks.Encoders;
using Xunit;

namespace XcNotebooks.Tests.DexmlTests;

/// <summary>DEXML end to end on DEXA's toy text task (8 labels: chance P@1 is 12.5%).</summary>
public sealed class DexmlTrainingTests
{
    /// <summary>Options small enough for a unit test (a second or two on one core).</summary>
    internal static DexmlOptions Small(DexmlLoss loss = DexmlLoss.DecoupledSoftmax, int seed = 3) => new()
    {
        BagOfEmbeddings = new BagOfEmbeddingsOptions { Dimension = 16 },
        Loss = loss,
        Temperature = 0.1f,
        SoftTopk = new SoftTopkOptions(K: 2),
        Epochs = 10,
        BatchSize = 32,
        LearningRate = 1e-2f,
        GradientCacheChunk = 3,
        MaxLength = 16,
        EvaluateEvery = 5,
        Backend = XcNotebooks.Compute.BackendKind.Cpu,
        Seed = seed,
    };

    [Theory]
    [InlineData(DexmlLoss.Softmax)]
    [InlineData(DexmlLoss.DecoupledSoftmax)]
    [InlineData(DexmlLoss.SoftTopk)]
    public void EachLossLearnsTheToyTaskFarAboveChance(DexmlLoss loss)
    {
        var data = ToyText.Create(heldout: true);
        using var model = Dexml.Train(data.Train, data.Heldout, Small(loss));
        var report = XcMetrics.Evaluate(data.Test.Labels, model.TopK(data.Test, 5), 5);
        Assert.True(report.P(1) >= 0.8, $"{loss}: P@1 {report.P(1):P1}");
        Assert.Equal(10, model.History.Count);
        Assert.True(model.History[^1].Loss < model.History[0].Loss, $"{loss}: loss {model.History[0].Loss} -> {model.History[^1].Loss}");
        Assert.NotNull(model.History[4].HeldoutP1);
        Assert.Null(model.History[3].HeldoutP1);
    }

    [Theory]
    [InlineData(DexmlNegatives.InBatch)]
    [InlineData(DexmlNegatives.HardMined)]
    public void InBatchAndHardMinedPoolsLearnToo(DexmlNegatives negatives)
    {
        var data = ToyText.Create();
        using var model = Dexml.Train(data.Train, null, Small() with { Negatives = negatives, HardNegativeStart = 3, HardNegativeRefresh = 3, HardNegativeShortlist = 3 });
        double p1 = XcMetrics.Evaluate(data.Test.Labels, model.TopK(data.Test, 5), 5).P(1);
        Assert.True(p1 >= 0.7, $"{negatives}: P@1 {p1:P1}");
    }

    [Fact]
    public void AutoPoolScoresEveryLabelUpToTheLimitAndHardMinesBeyond()
    {
        var defaults = new DexmlOptions();
        Assert.Equal(DexmlNegatives.Auto, defaults.Negatives);
        Assert.Equal(DexmlNegatives.AllLabels, defaults.NegativesFor(150));   // CLINC150, Reuters (90): as before
        Assert.Equal(DexmlNegatives.AllLabels, defaults.NegativesFor(4096));
        Assert.Equal(DexmlNegatives.HardMined, defaults.NegativesFor(4097));  // WordNet's 16,897 classes
        Assert.Equal(DexmlNegatives.InBatch, (defaults with { Negatives = DexmlNegatives.InBatch }).NegativesFor(1_000_000));
        Assert.Throws<ArgumentException>(() => (defaults with { AllLabelsUpTo = -1 }).Validate());

        var data = ToyText.Create(train: 30);
        int[] rows = [0, 1, 2];
        var whole = new LabelPools(data.Train.Labels, ToyText.Labels, Small() with { Negatives = DexmlNegatives.Auto, AllLabelsUpTo = ToyText.Labels });
        Assert.Equal(DexmlNegatives.AllLabels, whole.Negatives);
        Assert.Equal(Enumerable.Range(0, ToyText.Labels), whole.Step(rows, new Random(1)).Pool);
        var mined = new LabelPools(data.Train.Labels, ToyText.Labels, Small() with { Negatives = DexmlNegatives.Auto, AllLabelsUpTo = ToyText.Labels - 1 });
        Assert.Equal(DexmlNegatives.HardMined, mined.Negatives);
        var pool = mined.Step(rows, new Random(1)).Pool; // no shortlists yet: the batch's sampled positives only
        Assert.InRange(pool.Length, 1, rows.Length);
        Assert.All(pool, l => Assert.Contains(rows, i => data.Train.Labels.Has(i, l)));
    }

    [Fact]
    public void AutoPoolAboveTheLimitTrainsExactlyAsHardMined()
    {
        var data = ToyText.Create(train: 60, test: 20);
        var options = Small() with { Epochs = 4, HardNegativeStart = 2, HardNegativeRefresh = 2, HardNegativeShortlist = 3 };
        using var auto = Dexml.Train(data.Train, null, options with { Negatives = DexmlNegatives.Auto, AllLabelsUpTo = 4 });
        using var mined = Dexml.Train(data.Train, null, options with { Negatives = DexmlNegatives.HardMined });
        using var all = Dexml.Train(data.Train, null, options with { Negatives = DexmlNegatives.AllLabels });
        Assert.Equal(mined.History.Select(e => e.Loss), auto.History.Select(e => e.Loss));
        Assert.NotEqual(all.History.Select(e => e.Loss), auto.History.Select(e => e.Loss));
    }

    [Fact]
    public void HardMinedPoolsHoldTheBatchPositivesAndShortlistLabels()
    {
        var data = ToyText.Create(train: 30);
        var pools = new LabelPools(data.Train.Labels, ToyText.Labels, Small() with { Negatives = DexmlNegatives.HardMined, HardNegativesPerPoint = 1 })
        {
            Shortlists = Enumerable.Range(0, 30).Select(i => Enumerable.Range(0, ToyText.Labels).Where(l => !data.Train.Labels.Has(i, l)).Take(1).ToArray()).ToArray(),
        };
        int[] rows = [0, 1, 2];
        var step = pools.Step(rows, new Random(1));
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Contains(pools.Shortlists[rows[i]][0], step.Pool);
            Assert.Single(step.Targets[i]);
            // Every label of the point that made it into the pool is a positive, whoever brought it.
            var expected = data.Train.Labels.LabelArray(rows[i]).Where(l => step.Pool.Contains(l)).Select(l => Array.IndexOf(step.Pool, l)).Order();
            Assert.Equal(expected, step.Positives[i].Order());
        }
    }

    [Fact]
    public void TargetsAreSampledInProportionToRelevanceAsDexmlDoes()
    {
        // Point 0: labels 1 (relevance 1) and 4 (relevance 3); point 1: labels 0, 2, 3, 5 (relevance 1).
        var builder = new XcNotebooks.Core.CsrBuilder(6);
        builder.Add(1, 1f);
        builder.Add(4, 3f);
        builder.EndRow();
        foreach (int l in new[] { 0, 2, 3, 5 }) builder.Add(l, 1f);
        builder.EndRow();
        var labels = new Core.LabelMatrix(builder.Build());
        var rng = new Random(7);
        var decoupled = new LabelPools(labels, 6, Small());
        int fours = 0;
        for (int n = 0; n < 4000; n++)
        {
            var step = decoupled.Step([0, 1], rng);
            Assert.Single(step.Targets[0]);
            Assert.Single(step.Targets[1]);
            if (step.Targets[0][0] == 4) fours++;
        }
        Assert.InRange(fours / 4000.0, 0.72, 0.78); // 3 / (1 + 3)
        var topk = new LabelPools(labels, 6, Small(DexmlLoss.SoftTopk) with { SoftTopk = new SoftTopkOptions(K: 3) }).Step([0, 1], rng);
        Assert.Equal([1, 4], topk.Targets[0].Order());               // min(K, |P|) = 2: both
        Assert.Equal(3, topk.Targets[1].Distinct().Count());          // 3 of 4, without replacement
        Assert.All(topk.Targets[1], t => Assert.Contains(t, topk.Positives[1]));
        var all = new LabelPools(labels, 6, Small() with { SamplePositives = false }).Step([0, 1], rng);
        Assert.Equal(all.Positives[1], all.Targets[1]);
        Assert.Equal(Enumerable.Range(0, 6), all.Pool);
    }

    [Fact]
    public void SaveAndLoadReproduceThePredictions()
    {
        var data = ToyText.Create(train: 120, test: 30);
        using var model = Dexml.Train(data.Train, null, Small() with { Epochs = 3 });
        var path = Path.Combine(TestData.TempDir(), "model.dexml");
        model.Save(path);
        using var loaded = DexmlModel.Load(path, XcNotebooks.Compute.BackendKind.Cpu);
        var before = model.TopK(data.Test, 4);
        var after = loaded.TopK(data.Test, 4);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Scores, after.Scores);
        Assert.Equal(model.History.Select(e => e.Loss), loaded.History.Select(e => e.Loss));
        Assert.Equal(DexmlLoss.DecoupledSoftmax, loaded.Options.Loss);
        File.WriteAllText(path, "not a model");
        Assert.ThrowsAny<Exception>(() => DexmlModel.Load(path, XcNotebooks.Compute.BackendKind.Cpu));
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelAndCachingDoesNotChangeIt()
    {
        var data = ToyText.Create(train: 90, test: 20);
        var options = Small() with { Epochs = 2 };
        using var first = Dexml.Train(data.Train, null, options);
        using var second = Dexml.Train(data.Train, null, options);
        using var uncached = Dexml.Train(data.Train, null, options with { GradientCaching = false });
        using var other = Dexml.Train(data.Train, null, options with { Seed = 99 });
        Assert.Equal(first.LabelEmbeddings.Data, second.LabelEmbeddings.Data);
        XcNotebooks.Tests.Compute.Numbers.Close(first.LabelEmbeddings.Data, uncached.LabelEmbeddings.Data, 1e-4, "uncached training");
        Assert.NotEqual(first.LabelEmbeddings.Data, other.LabelEmbeddings.Data);
    }

    [Fact]
    public void AFilterRemovesPairsBeforeTheTopK()
    {
        var data = ToyText.Create(train: 120, test: 10);
        using var model = Dexml.Train(data.Train, null, Small() with { Epochs = 3 });
        var plain = model.TopK(data.Test, 3);
        var filter = new LabelFilter([(0, plain.LabelsOf(0)[0]), (1, plain.LabelsOf(1)[1])]);
        var filtered = model.TopK(data.Test, 3, filter);
        Assert.Equal(plain.LabelsOf(0)[1..].ToArray(), filtered.LabelsOf(0)[..2].ToArray());
        Assert.DoesNotContain(plain.LabelsOf(1)[1], filtered.LabelArray(1));
        Assert.Equal(3, filtered.LabelArray(0).Length); // refilled from the deeper retrieval
    }

    [Fact]
    public void BadSettingsAreRejected()
    {
        var data = ToyText.Create(train: 20, test: 5);
        Assert.Throws<ArgumentException>(() => Dexml.Train(data.Train, null, Small() with { Temperature = 0 }));
        Assert.Throws<ArgumentException>(() => Dexml.Train(data.Train, null, Small() with { GradientCacheChunk = 0 }));
        Assert.Throws<ArgumentException>(() => Dexml.Train(data.Train, null, Small() with { Encoder = TextEncoderKind.Onnx }));
        Assert.Throws<ArgumentException>(() => Dexml.Train(data.Train, null, Small() with { SoftTopk = new SoftTopkOptions(Alpha: -1) }));
        Assert.Throws<ArgumentException>(() => Dexml.Train(data.Train with { Texts = null }, null, Small()));
    }
}
