using XcNotebooks.Core;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Synthetic;
using XcNotebooks.Tests.DexmlTests;
using XcNotebooks.Tests.DexaTests;
using Xunit;

namespace XcNotebooks.Tests.TwoTowerTests;

/// <summary>The USearch HNSW label index against brute-force cosine search, its serialisation, and its errors.</summary>
public sealed class HnswLabelIndexTests
{
    /// <summary>Seeded unit vectors (Gaussian directions).</summary>
    internal static RowMajorMatrix UnitVectors(int rows, int dimension, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * dimension];
        for (int i = 0; i < rows; i++)
        {
            double norm = 0;
            for (int j = 0; j < dimension; j++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                data[i * dimension + j] = (float)g;
                norm += g * g;
            }
            for (int j = 0; j < dimension; j++) data[i * dimension + j] /= (float)Math.Sqrt(norm);
        }
        return new RowMajorMatrix(rows, dimension, data);
    }

    /// <summary>Brute force in double: each query's labels by descending cosine.</summary>
    private static int[][] BruteForce(RowMajorMatrix labels, RowMajorMatrix queries, int k) =>
        Enumerable.Range(0, queries.Rows).Select(i => Enumerable.Range(0, labels.Rows)
            .Select(l => (l, cos: Cosine(queries.Row(i), labels.Row(l)))).OrderByDescending(t => t.cos).ThenBy(t => t.l)
            .Take(k).Select(t => t.l).ToArray()).ToArray();

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < a.Length; j++) { dot += a[j] * b[j]; na += a[j] * a[j]; nb += b[j] * b[j]; }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void RecallAtTenAgainstBruteForceIsAtLeast095AndScoresAreCosines()
    {
        var labels = UnitVectors(4000, 32, seed: 1);
        var queries = UnitVectors(300, 32, seed: 2);
        // Unnormalised inputs: the index normalises labels and queries itself.
        var scaled = new RowMajorMatrix(labels.Rows, labels.Cols, labels.Data.Select((v, i) => v * (1 + i / labels.Cols % 7)).ToArray());
        using var index = HnswLabelIndex.Build(scaled);
        var found = index.Search(queries, 10);
        var exact = BruteForce(labels, queries, 10);
        int hits = 0;
        for (int i = 0; i < queries.Rows; i++)
        {
            hits += found.LabelsOf(i).ToArray().Intersect(exact[i]).Count();
            for (int r = 0; r < 10; r++)
            {
                int l = found.LabelsOf(i)[r];
                Assert.InRange(found.ScoresOf(i)[r], Cosine(queries.Row(i), labels.Row(l)) - 1e-5, Cosine(queries.Row(i), labels.Row(l)) + 1e-5);
                if (r > 0) Assert.True(found.ScoresOf(i)[r] <= found.ScoresOf(i)[r - 1], "scores must be in descending order");
            }
        }
        double recall = hits / (10.0 * queries.Rows);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F4} against brute force");
        Assert.Equal(4000, index.Count);
        Assert.Equal(32, index.Dimension);
        Assert.True(index.SizeBytes > 4000L * 32 * sizeof(float), $"USearch holds at least the vectors, reported {index.SizeBytes:N0} bytes");
    }

    [Fact]
    public void ExpansionSearchTradesRecallAsHnswShould()
    {
        // A tiny beam on a sparse graph misses neighbours the default finds: the options reach USearch.
        var labels = UnitVectors(3000, 32, seed: 5);
        var queries = UnitVectors(200, 32, seed: 6);
        var exact = BruteForce(labels, queries, 10);
        double Recall(HnswOptions options)
        {
            using var index = HnswLabelIndex.Build(labels, options);
            var found = index.Search(queries, 10);
            return Enumerable.Range(0, queries.Rows).Sum(i => found.LabelsOf(i).ToArray().Intersect(exact[i]).Count()) / (10.0 * queries.Rows);
        }
        double narrow = Recall(new HnswOptions { Connectivity = 4, ExpansionAdd = 8, ExpansionSearch = 1 });
        double wide = Recall(new HnswOptions { Connectivity = 4, ExpansionAdd = 8, ExpansionSearch = 256 });
        Assert.True(wide > narrow + 0.05, $"recall@10 with ef = 256: {wide:F3}, with ef = 1 (k bounds it below): {narrow:F3}");
    }

    [Fact]
    public void SerialisedIndexLoadsBackToIdenticalTopK()
    {
        var labels = UnitVectors(2500, 24, seed: 3);
        var queries = UnitVectors(100, 24, seed: 4);
        var options = new HnswOptions { Connectivity = 12, ExpansionSearch = 40 };
        using var index = HnswLabelIndex.Build(labels, options);
        var before = index.Search(queries, 10);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) LabelIndexes.Write(w, index);
        stream.Position = 0;
        using var r = new BinaryReader(stream);
        using var loaded = LabelIndexes.Read(r, XcNotebooks.Compute.ComputeBackends.Create(XcNotebooks.Compute.BackendKind.Cpu), labels, "memory");
        Assert.Equal(LabelIndexKind.Hnsw, loaded.Kind);
        Assert.Equal(options, ((HnswLabelIndex)loaded).Options);
        var after = loaded.Search(queries, 10);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Scores, after.Scores);
    }

    [Fact]
    public void OneThreadBuildsTheSameGraphEveryTime()
    {
        var labels = UnitVectors(1500, 16, seed: 7);
        using var first = HnswLabelIndex.Build(labels, new HnswOptions { Threads = 1 });
        using var second = HnswLabelIndex.Build(labels, new HnswOptions { Threads = 1 });
        Assert.Equal(first.Serialize(), second.Serialize());
    }

    [Fact]
    public void MoreNeighboursThanLabelsArePadded()
    {
        var labels = UnitVectors(5, 8, seed: 8);
        using var index = HnswLabelIndex.Build(labels);
        var found = index.Search(UnitVectors(3, 8, seed: 9), 7);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([0, 1, 2, 3, 4], found.LabelsOf(i)[..5].ToArray().Order());
            Assert.Equal([-1, -1], found.LabelsOf(i)[5..].ToArray());
            Assert.Equal(float.NegativeInfinity, found.ScoresOf(i)[6]);
        }
    }

    [Fact]
    public void MismatchedAndDamagedIndicesAreClearErrors()
    {
        var labels = UnitVectors(600, 16, seed: 10);
        using var index = HnswLabelIndex.Build(labels);
        var dimension = Assert.Throws<ArgumentException>(() => index.Search(UnitVectors(2, 12, seed: 11), 3));
        Assert.Contains("12 columns, the index 16", dimension.Message);
        Assert.Throws<ArgumentException>(() => index.Search(UnitVectors(2, 16, seed: 11), 0));
        Assert.Throws<ArgumentException>(() => HnswLabelIndex.Build(labels, new HnswOptions { Connectivity = 1 }));
        Assert.Throws<ArgumentException>(() => new LabelIndexOptions { HnswFromLabels = 0 }.Validate());

        byte[] Stored()
        {
            using var stream = new MemoryStream();
            using (var w = new BinaryWriter(stream)) LabelIndexes.Write(w, index);
            return stream.ToArray();
        }
        using var backend = XcNotebooks.Compute.ComputeBackends.Create(XcNotebooks.Compute.BackendKind.Cpu);
        ILabelIndex Read(byte[] bytes, RowMajorMatrix vectors)
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            return LabelIndexes.Read(r, backend, vectors, "model.dexml");
        }
        var stored = Stored();
        var other = Assert.Throws<DataFormatException>(() => Read(stored, UnitVectors(600, 20, seed: 12)));
        Assert.Contains("dimension 16, the model 600 labels of dimension 20", other.Message);
        Assert.Contains("model.dexml", other.Message);
        Assert.Throws<DataFormatException>(() => Read(stored, UnitVectors(601, 16, seed: 12)));

        // USearch's header starts the blob (after the kind byte, the options string and the length): overwrite it.
        int blob = stored.Length - index.Serialize().Length;
        var damaged = (byte[])stored.Clone();
        for (int i = blob; i < blob + 16; i++) damaged[i] ^= 0x5A;
        var header = Assert.Throws<DataFormatException>(() => Read(damaged, labels));
        Assert.Contains("damaged HNSW label index", header.Message);
        var truncated = Assert.Throws<DataFormatException>(() => Read(stored[..^100], labels));
        Assert.Contains("HNSW index ends after", truncated.Message);
        var unknown = (byte[])stored.Clone();
        unknown[0] = 9;
        Assert.Contains("unknown label index kind 9", Assert.Throws<DataFormatException>(() => Read(unknown, labels)).Message);
    }

    [Fact]
    public void AutoPicksExactBelowTheThresholdAndHnswFromIt()
    {
        var options = new LabelIndexOptions { HnswFromLabels = 1000 };
        Assert.Equal(LabelIndexKind.Exact, options.KindFor(999));
        Assert.Equal(LabelIndexKind.Hnsw, options.KindFor(1000));
        Assert.Equal(LabelIndexKind.Exact, (options with { Kind = LabelIndexKind.Exact }).KindFor(10_000_000));
        using var backend = XcNotebooks.Compute.ComputeBackends.Create(XcNotebooks.Compute.BackendKind.Cpu);
        using var small = LabelIndexes.Build(backend, UnitVectors(999, 8, seed: 1), options);
        using var large = LabelIndexes.Build(backend, UnitVectors(1000, 8, seed: 1), options);
        Assert.IsType<ExactLabelIndex>(small);
        Assert.IsType<HnswLabelIndex>(large);
        Assert.Equal(999L * 8 * sizeof(float), small.SizeBytes);
    }
}

/// <summary>DEXA and DEXML predicting through the HNSW index against the same models with exact search.</summary>
public sealed class HnswTextMethodTests
{
    /// <summary>Synthetic texts with 400 labels (label texts: the words of each label's tree path).</summary>
    private static DataSplits Texts() => SyntheticXc.Generate(new SyntheticXcOptions
    {
        NumLabels = 400, NumFeatures = 3000, NumTrain = 2400, NumTest = 300, MultiLabel = true, MeanLabelsPerPoint = 2, Seed = 4,
    });

    private static readonly LabelIndexOptions Exact = new() { Kind = LabelIndexKind.Exact };
    // One thread: the same graph every run, so the measured agreement is reproducible.
    private static readonly LabelIndexOptions Hnsw = new() { Kind = LabelIndexKind.Hnsw, Hnsw = new HnswOptions { Threads = 1 } };

    /// <summary>Share of (point, rank) slots of the top k that hold the same label.</summary>
    private static double Agreement(TopKPredictions a, TopKPredictions b)
    {
        int same = 0;
        for (int i = 0; i < a.Labels.Length; i++) same += a.Labels[i] == b.Labels[i] ? 1 : 0;
        return (double)same / a.Labels.Length;
    }

    [Fact]
    public void DexmlWithHnswPredictsWhatExactSearchPredictsAndSavesItsGraph()
    {
        var data = Texts();
        var options = DexmlTrainingTests.Small() with { Epochs = 3, EvaluateEvery = 0 };
        using var exact = Dexml.Train(data.Train, null, options with { LabelIndex = Exact });
        using var hnsw = Dexml.Train(data.Train, null, options with { LabelIndex = Hnsw });
        Assert.Equal(exact.LabelEmbeddings.Data, hnsw.LabelEmbeddings.Data); // the index plays no part in this training
        Assert.IsType<ExactLabelIndex>(exact.LabelIndex());
        AgreesWithExactAndReloads(exact, hnsw, data.Test, "model.dexml", path => DexmlModel.Load(path, XcNotebooks.Compute.BackendKind.Cpu), m => m.LabelIndex());
    }

    [Fact]
    public void DexaWithHnswPredictsWhatExactSearchPredictsAndSavesBothGraphs()
    {
        var data = Texts();
        // The weighted-sum fusion: the fitted tree would be fitted on each index's shortlists, so training would differ too.
        var options = ToyText.Options() with { EncoderEpochs = 3, ClassifierEpochs = 2, ShortlistSize = 20, Fusion = new FusionOptions { Kind = FusionKind.WeightedSum } };
        using var exact = Dexa.Train(data.Train, null, options with { LabelIndex = Exact });
        using var hnsw = Dexa.Train(data.Train, null, options with { LabelIndex = Hnsw });
        Assert.Equal(exact.LabelEmbeddings.Data, hnsw.LabelEmbeddings.Data);
        Assert.Equal(exact.ClassifierVectors!.Data, hnsw.ClassifierVectors!.Data);
        Assert.IsType<HnswLabelIndex>(hnsw.EmbeddingIndex());
        AgreesWithExactAndReloads(exact, hnsw, data.Test, "model.dexa", path => DexaModel.Load(path, XcNotebooks.Compute.BackendKind.Cpu), m => m.ClassifierIndex());
    }

    /// <summary>
    /// The HNSW model's top 5 agree with the exact model's on at least 99% of the slots (measured: 100% for both
    /// methods at 400 labels), and its saved file loads back to an HNSW index with the same top 5, scores included.
    /// </summary>
    private static void AgreesWithExactAndReloads<TModel>(IXcModel exact, TModel hnsw, Dataset test, string file, Func<string, TModel> load,
        Func<TModel, ILabelIndex?> index) where TModel : IXcModel, IDisposable
    {
        var reference = exact.TopK(test, 5);
        var approximate = hnsw.TopK(test, 5);
        Assert.IsType<HnswLabelIndex>(index(hnsw));
        double agreement = Agreement(reference, approximate);
        Assert.True(agreement >= 0.99, $"{hnsw.Method} top-5 agreement HNSW vs exact: {agreement:F4}");

        var path = Path.Combine(TestData.TempDir(), file);
        hnsw.Save(path);
        using var loaded = load(path);
        Assert.IsType<HnswLabelIndex>(index(loaded));
        var after = loaded.TopK(test, 5);
        Assert.Equal(approximate.Labels, after.Labels);
        Assert.Equal(approximate.Scores, after.Scores);
    }
}
