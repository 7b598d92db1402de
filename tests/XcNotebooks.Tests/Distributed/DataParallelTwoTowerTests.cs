using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Encoders;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Tests.DexaTests;
using XcNotebooks.Tests.DexmlTests;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

/// <summary>
/// Data-parallel DEXML and DEXA M1 (threads as ranks) against one process: the same parameters up to float rounding,
/// identical parameters on every rank, the same P@1; and the gradient exchange against a hand-made sum.
/// </summary>
public sealed class DataParallelTwoTowerTests
{
    private static float[] Values(ITextEncoder encoder) => [.. encoder.Parameters.SelectMany(p => p.GetValues())];

    private static double P1(IXcModel model, Dataset test) => XcMetrics.Evaluate(test.Labels, model.TopK(test, 1), 1).P(1);

    /// <summary>Largest |a − b| over the parameters, relative to the largest |a|.</summary>
    private static double RelativeDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(a[i]));
        }
        return diff / scale;
    }

    public static TheoryData<int, string> DexmlCases() => new()
    {
        { 1, "cached" }, { 2, "cached" }, { 3, "cached" }, { 2, "uncached" }, { 3, "in-batch" }, { 2, "softtopk" },
        { 2, "split-pool" }, { 3, "split-pool-uncached" },
    };

    private static DexmlOptions DexmlOptionsFor(string name) => name switch
    {
        "cached" => DexmlTrainingTests.Small() with { Epochs = 6 },
        "uncached" => DexmlTrainingTests.Small() with { Epochs = 6, GradientCaching = false },
        // Batches of 2 over 3 ranks: pools of 1-2 labels, embedded whole by every rank, and a rank without queries.
        "in-batch" => DexmlTrainingTests.Small() with { Epochs = 2, Negatives = DexmlNegatives.InBatch, BatchSize = 2 },
        // Batches of 4 or 5 queries (some ranks get one query), the 8 labels split over the ranks.
        "split-pool" => DexmlTrainingTests.Small() with { Epochs = 3, BatchSize = 4 },
        "split-pool-uncached" => DexmlTrainingTests.Small() with { Epochs = 3, BatchSize = 5, GradientCaching = false },
        "softtopk" => DexmlTrainingTests.Small(DexmlLoss.SoftTopk) with { Epochs = 6, SamplePositives = false },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(DexmlCases))]
    public void DexmlOnRanksTrainsTheOneProcessModel(int ranks, string setting)
    {
        var data = ToyText.Create(heldout: true);
        var options = DexmlOptionsFor(setting);
        using var single = Dexml.Train(data.Train, data.Heldout, options);
        var models = InProcessCollectives.Run(ranks, c => Dexml.Train(data.Train, data.Heldout, options, collective: c));
        try
        {
            var reference = Values(single.Encoder);
            var first = Values(models[0].Encoder);
            foreach (var m in models.Skip(1)) Assert.Equal(first, Values(m.Encoder)); // every rank took the same steps
            if (ranks == 1) Assert.Equal(reference, first); // one rank is the one-process run, bit for bit
            double relative = RelativeDifference(reference, first);
            Assert.True(relative < 1e-3, $"{ranks} ranks, {setting}: parameters differ by {relative:E2} of their scale");
            for (int e = 0; e < options.Epochs; e++)
                Assert.Equal(single.History[e].Loss, models[0].History[e].Loss, 1e-4);
            Assert.Equal(single.History[^1].HeldoutP1!.Value, models[0].History[^1].HeldoutP1!.Value, 1e-9);
            Assert.Equal(P1(single, data.Test), P1(models[0], data.Test), 0.002);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void DexaEncoderOnRanksTrainsTheOneProcessModel(int ranks, bool auxiliary)
    {
        var data = ToyText.Create();
        var options = ToyText.Options() with { EncoderEpochs = 8, Auxiliary = auxiliary, Classifiers = false };
        using var single = Dexa.TrainEncoder(data.Train, options);
        var models = InProcessCollectives.Run(ranks, c => Dexa.TrainEncoder(data.Train, options, collective: c));
        try
        {
            var reference = Values(single.Encoder);
            foreach (var m in models.Skip(1))
            {
                Assert.Equal(Values(models[0].Encoder), Values(m.Encoder));
                Assert.Equal(models[0].LabelEmbeddings.Data, m.LabelEmbeddings.Data);
            }
            double relative = RelativeDifference(reference, Values(models[0].Encoder));
            Assert.True(relative < 1e-3, $"{ranks} ranks: encoder parameters differ by {relative:E2} of their scale");
            if (auxiliary)
            {
                double aux = RelativeDifference(single.Auxiliary!.Values().Data, models[0].Auxiliary!.Values().Data);
                Assert.True(aux < 1e-3, $"auxiliary vectors differ by {aux:E2} of their scale");
            }
            Assert.Equal(P1(single, data.Test), P1(models[0], data.Test), 0.002);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DexaWithClassifiersOnRanksGivesEveryRankTheModel(int ranks)
    {
        var data = ToyText.Create();
        var options = ToyText.Options() with { EncoderEpochs = 3, ClassifierEpochs = 2 };
        using var single = Dexa.Train(data.Train, null, options);
        var models = InProcessCollectives.Run(ranks, c => Dexa.Train(data.Train, null, options, collective: c));
        try
        {
            foreach (var m in models.Skip(1)) Assert.Equal(models[0].ClassifierVectors!.Data, m.ClassifierVectors!.Data); // M-IV gathers the shards everywhere
            if (ranks == 1)
            {
                Assert.Equal(Values(single.Encoder), Values(models[0].Encoder));
                Assert.Equal(single.ClassifierVectors!.Data, models[0].ClassifierVectors!.Data);
            }
            Assert.Equal(P1(single, data.Test), P1(models[0], data.Test), 0.05);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    [Fact]
    public void GradientExchangeSumsDenseAndTheUnionOfTouchedRows()
    {
        // Rank r writes gradient (r + 1) · (row + 1) into dense parameter rows and touches sparse rows {r, r + 2}.
        var results = InProcessCollectives.Run(3, c =>
        {
            using var backend = ComputeBackends.Create(BackendKind.Cpu);
            using var dense = new Parameter(backend, "dense", 2, 3);
            using var sparse = new Parameter(backend, "table", 6, 2, rowSparse: true);
            dense.Gradient.CopyFrom(Enumerable.Range(0, 6).Select(i => (float)((c.Rank + 1) * (i / 3 + 1))).ToArray());
            var g = new float[12];
            foreach (int row in new[] { c.Rank, c.Rank + 2 })
            {
                g[row * 2] = c.Rank + 1;
                g[row * 2 + 1] = 10 * (c.Rank + 1);
            }
            sparse.Gradient.CopyFrom(g);
            sparse.MarkTouched([c.Rank, c.Rank + 2]);
            var exchange = new GradientAllreduce([dense, sparse], c);
            double loss = exchange.Sum(0.1 * (c.Rank + 1))[0];
            return (Dense: dense.Gradient.ToArray(), Sparse: sparse.Gradient.ToArray(), Touched: sparse.TouchedRows.Order().ToArray(), Loss: loss, exchange.LastFloats);
        });
        foreach (var r in results)
        {
            Assert.Equal([6f, 6f, 6f, 12f, 12f, 12f], r.Dense); // (1 + 2 + 3) · (row + 1)
            // Row k is touched by ranks k and k − 2: row 0 by rank 0 (1), row 2 by ranks 0 and 2 (1 + 3), ...
            Assert.Equal([1f, 10f, 2f, 20f, 4f, 40f, 2f, 20f, 3f, 30f, 0f, 0f], r.Sparse);
            Assert.Equal([0, 1, 2, 3, 4], r.Touched); // the union, row 5 untouched everywhere
            Assert.Equal(0.6, r.Loss, 1e-10);
            Assert.Equal(6 + 4096, r.LastFloats); // flags, then dense + union rows + the loss as two floats (18), padded to a block
        }
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 3)]
    [InlineData(7, 1)]
    public void RankSlicesCoverTheItemsOnceInOrder(int total, int size)
    {
        var slices = Enumerable.Range(0, size).Select(r => RankSlice.Of(total, r, size)).ToArray();
        Assert.Equal(Enumerable.Range(0, total), slices.SelectMany(s => Enumerable.Range(s.Start, s.Count)));
        Assert.True(slices.Max(s => s.Count) - slices.Min(s => s.Count) <= 1);
    }
}
