using XcNotebooks.Compute;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Neural;

/// <summary>End-to-end learning: XOR and a small synthetic multi-label set, reproducibility, and both backends.</summary>
[Collection("backends")]
public sealed class TrainingTests(BackendFixture fixture)
{
    [Fact]
    public void TwoLayerMlpLearnsXor()
    {
        var b = fixture.Cpu;
        using var mlp = Mlp.Create(b, [2, 8, 1], new MlpOptions { Hidden = Activation.Tanh, Seed = 1 });
        using var optimizer = new Adam(mlp.Parameters, new AdamOptions { LearningRate = 0.05f });
        using var loss = new BinaryCrossEntropyLoss(b);
        using var x = b.Upload([0, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        using var y = b.Upload([0, 1, 1, 0], 4, 1);
        double value = double.NaN;
        for (int step = 0; step < 400; step++)
        {
            optimizer.ZeroGradients();
            value = loss.Compute(mlp.Forward(x), y);
            mlp.Backward(loss.Gradient);
            optimizer.Step();
        }
        var logits = mlp.Forward(x, training: false).ToArray();
        Assert.True(value < 0.05, $"final loss {value}");
        Assert.Equal([false, true, true, false], logits.Select(z => z > 0).ToArray());
    }

    /// <summary>
    /// 12 labels, each with 5 signature features; a point has 1-2 labels, 3 signature features of each and 2 noise
    /// features out of 20, rows L2-normalised.
    /// </summary>
    private static Dataset Synthetic(int seed, int points)
    {
        const int labels = 12, perLabel = 5, noise = 20, d = labels * perLabel + noise;
        var rng = new Random(seed);
        var features = new CsrBuilder(d);
        var labelSets = new List<int[]>();
        for (int i = 0; i < points; i++)
        {
            var set = Enumerable.Range(0, labels).OrderBy(_ => rng.Next()).Take(1 + rng.Next(2)).ToArray();
            foreach (var l in set)
                foreach (var f in Enumerable.Range(0, perLabel).OrderBy(_ => rng.Next()).Take(3)) features.Add(l * perLabel + f, 1f);
            for (int n = 0; n < 2; n++) features.Add(labels * perLabel + rng.Next(noise), 1f);
            features.EndRow();
            labelSets.Add(set);
        }
        return new Dataset(features.Build().NormalizeRows(), LabelMatrix.FromLabelSets(labelSets, labels));
    }

    private sealed class SparseMlp : IDisposable
    {
        public SparseMlp(IComputeBackend b, int features, int labels, int seed)
        {
            Input = new SparseLinear(b, features, 32, seed);
            Head = new Sequential([new ActivationLayer(b, Activation.Relu), new Linear(b, 32, labels, seed + 1)]);
            Parameters = [.. Input.Parameters, .. Head.Parameters];
        }

        public SparseLinear Input { get; }
        public Sequential Head { get; }
        public IReadOnlyList<Parameter> Parameters { get; }

        public Tensor Forward(SparseTensor x, bool training) => Head.Forward(Input.Forward(x), training);

        public void Backward(Tensor gradient) => Input.Backward(Head.Backward(gradient));

        public void Dispose()
        {
            Input.Dispose();
            Head.Dispose();
        }
    }

    /// <summary>Trains the sparse MLP with AdamW and BCE; returns the model (caller disposes).</summary>
    private static SparseMlp Train(IComputeBackend b, Dataset train, int epochs, int seed)
    {
        var model = new SparseMlp(b, train.NumFeatures, train.NumLabels, seed);
        using var optimizer = new Adam(model.Parameters, AdamOptions.AdamW(learningRate: 0.02f));
        using var loss = new BinaryCrossEntropyLoss(b);
        var batches = new MiniBatchOptions { BatchSize = 32, Seed = seed };
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var batch in MiniBatches.Epoch(train, batches, epoch))
            {
                using var x = b.Upload(batch.Features);
                using var y = b.UploadDense(batch.Labels.Matrix);
                optimizer.ZeroGradients();
                loss.Compute(model.Forward(x, training: true), y);
                model.Backward(loss.Gradient);
                optimizer.Step();
            }
        }
        return model;
    }

    private static TopKPredictions Predict(IComputeBackend b, SparseMlp model, Dataset data, int k)
    {
        using var x = b.Upload(data.Features);
        var scores = model.Forward(x, training: false);
        using var values = b.Allocate(data.NumPoints, k);
        using var indices = b.AllocateInt(data.NumPoints, k);
        b.TopK(scores, values, indices);
        return new TopKPredictions(data.NumPoints, k, indices.ToArray(), values.ToArray());
    }

    [Fact]
    public void SparseInputMlpLearnsASyntheticMultiLabelSet()
    {
        var b = fixture.Cpu;
        var train = Synthetic(seed: 11, points: 400);
        var test = Synthetic(seed: 12, points: 150);
        using var model = Train(b, train, epochs: 15, seed: 3);
        var report = XcMetrics.Evaluate(test.Labels, Predict(b, model, test, 3), k: 3);

        // Baseline: the most frequent training label for every point.
        int popular = train.Labels.LabelCounts().Select((c, l) => (c, l)).Max().l;
        double baseline = Enumerable.Range(0, test.NumPoints).Count(i => test.Labels.Has(i, popular)) / (double)test.NumPoints;
        Assert.True(baseline < 0.3, $"baseline P@1 {baseline}");
        Assert.True(report.P(1) > 0.9, $"P@1 {report.P(1)} (baseline {baseline})");
    }

    [Fact]
    public void SameSeedSameBitsDifferentSeedDifferentModel()
    {
        var b = fixture.Cpu;
        var train = Synthetic(seed: 13, points: 200);
        float[] Weights(int seed)
        {
            using var model = Train(b, train, epochs: 2, seed);
            return [.. model.Input.Weight.GetValues(), .. model.Head.Parameters[0].GetValues()];
        }
        var first = Weights(4);
        Assert.Equal(first, Weights(4));
        Assert.NotEqual(first, Weights(5));
    }

    [Fact]
    public void TheSameModelCodeTrainsAlikeOnBothBackends()
    {
        var train = Synthetic(seed: 14, points: 96);
        using var onCpu = Train(fixture.Cpu, train, epochs: 2, seed: 6);
        using var onIlgpu = Train(fixture.Ilgpu, train, epochs: 2, seed: 6);
        for (int p = 0; p < onCpu.Parameters.Count; p++)
            Numbers.Close(onCpu.Parameters[p].GetValues(), onIlgpu.Parameters[p].GetValues(), 1e-4, onCpu.Parameters[p].Name);
    }
}
