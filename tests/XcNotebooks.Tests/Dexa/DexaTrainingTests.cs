using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Metrics;
using XcNotebooks.Data;
using Xunit;

namespace XcNotebooks.Tests.DexaTests;

/// <summary>DEXA end to end on a small text task: learning, determinism, saving, filters, the ablation.</summary>
public sealed class DexaTrainingTests
{
    [Fact]
    public void LearnsTheToyTaskAtEveryStage()
    {
        var data = ToyText.Create();
        using var model = Dexa.Train(data.Train, null, ToyText.Options());
        Assert.NotNull(model.Auxiliary);
        Assert.NotNull(model.Fusion?.Tree);
        foreach (var scores in new[] { DexaScores.Embeddings, DexaScores.Classifiers, DexaScores.Fused })
        {
            var report = XcMetrics.Evaluate(data.Test.Labels, model.TopK(data.Test, 5, null, scores));
            Assert.True(report.P(1) >= 0.9, $"{scores}: P@1 {report.P(1):P1}");
        }
    }

    [Fact]
    public void TrainsATransformerEncoderToo()
    {
        var data = ToyText.Create(train: 160, test: 40);
        var options = ToyText.Options() with
        {
            Encoder = TextEncoderKind.Transformer,
            Transformer = new XcNotebooks.Encoders.TransformerEncoderOptions { Dimension = 16, Heads = 2, Layers = 1, FeedForward = 32, Dropout = 0f },
            EncoderLearningRate = 3e-3f,
            EncoderEpochs = 15,
        };
        using var model = Dexa.Train(data.Train, null, options);
        Assert.IsType<XcNotebooks.Encoders.TransformerEncoder>(model.Encoder);
        var report = XcMetrics.Evaluate(data.Test.Labels, model.TopK(data.Test, 5));
        Assert.True(report.P(1) >= 0.8, $"P@1 {report.P(1):P1}");
    }

    [Fact]
    public void WithAFrozenOnnxEncoderTrainsAuxiliaryVectorsAndClassifiers()
    {
        // A WordPiece vocabulary of the toy words and an ONNX model embedding each token with a fixed random row.
        var dir = TestData.TempDir();
        var words = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        for (int l = 0; l < ToyText.Labels; l++) words.AddRange(new[] { "a", "b", "c", "d" }.Select(s => $"w{l}{s}"));
        words.AddRange(Enumerable.Range(0, 20).Select(n => $"noise{n}"));
        var vocab = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(vocab, words);
        var model = XcNotebooks.Tests.Text.Encoders.TinyOnnxModel.Write(Path.Combine(dir, "encoder.onnx"),
            XcNotebooks.Tests.Compute.Numbers.Uniform(5, words.Count * 24), words.Count, 24);
        var data = ToyText.Create();
        var options = ToyText.Options() with
        {
            Encoder = TextEncoderKind.Onnx, OnnxModel = model, Tokenizer = TextTokenizerKind.WordPiece, WordPieceVocabulary = vocab,
            ClassifierEpochs = 20, ClassifierLearningRate = 1e-2f,
        };
        using var trained = Dexa.Train(data.Train, null, options);
        Assert.IsType<XcNotebooks.Encoders.OnnxEncoder>(trained.Encoder);
        var p1 = XcMetrics.Evaluate(data.Test.Labels, trained.TopK(data.Test, 5)).P(1);
        Assert.True(p1 >= 0.8, $"P@1 {p1:P1}");
        // Without auxiliary vectors nothing in M1 trains: the label embeddings are the frozen encoder's.
        using var frozen = Dexa.TrainEncoder(data.Train, options with { Auxiliary = false });
        XcNotebooks.Tests.Compute.Numbers.Close(frozen.Encode(data.Train.LabelTexts!).Data, frozen.LabelEmbeddings.Data, 1e-6, "label embeddings");
        Assert.Throws<ArgumentException>(() => Dexa.TrainEncoder(data.Train, options with { Tokenizer = TextTokenizerKind.Words }));
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelAndAnotherSeedAnother()
    {
        var data = ToyText.Create(train: 120, test: 20);
        var options = ToyText.Options() with { EncoderEpochs = 4, ClassifierEpochs = 2 };
        using var first = Dexa.Train(data.Train, null, options);
        using var second = Dexa.Train(data.Train, null, options);
        using var other = Dexa.Train(data.Train, null, options with { Seed = 99 });
        Assert.Equal(first.LabelEmbeddings.Data, second.LabelEmbeddings.Data);
        Assert.Equal(first.ClassifierVectors!.Data, second.ClassifierVectors!.Data);
        Assert.Equal(first.TopK(data.Test, 3).Scores, second.TopK(data.Test, 3).Scores);
        Assert.NotEqual(first.LabelEmbeddings.Data, other.LabelEmbeddings.Data);
    }

    [Fact]
    public void SavedModelsPredictAlike()
    {
        var data = ToyText.Create(train: 120, test: 20);
        using var model = Dexa.Train(data.Train, null, ToyText.Options() with { EncoderEpochs = 3, ClassifierEpochs = 2 });
        var path = Path.Combine(TestData.TempDir(), "model.dexa");
        model.Save(path);
        using var loaded = DexaModel.Load(path, XcNotebooks.Compute.BackendKind.Cpu);
        foreach (var scores in new[] { DexaScores.Embeddings, DexaScores.Classifiers, DexaScores.Fused })
        {
            var a = model.TopK(data.Test, 4, null, scores);
            var b = loaded.TopK(data.Test, 4, null, scores);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.Scores, b.Scores);
        }
        Assert.Equal(model.Auxiliary!.LabelToVector, loaded.Auxiliary!.LabelToVector);
        Assert.Throws<Core.DataFormatException>(() => DexaModel.Load(TestData.TempFile("x.dexa", "garbage"), XcNotebooks.Compute.BackendKind.Cpu));
    }

    [Fact]
    public void FiltersRemoveExactlyTheListedPairs()
    {
        var data = ToyText.Create(train: 120, test: 12);
        using var model = Dexa.Train(data.Train, null, ToyText.Options() with { EncoderEpochs = 3, ClassifierEpochs = 2 });
        var shortlists = model.Shortlists(data.Test.Texts!);
        foreach (var scores in new[] { DexaScores.Embeddings, DexaScores.Fused })
        {
            var all = model.Rank(shortlists, ToyText.Labels, null, scores);
            // Filter each point's first and third label (and a pair of a label it does not rank, which changes nothing).
            var pairs = new List<(int, int)>();
            for (int i = 0; i < all.Rows; i++) pairs.AddRange([(i, all.LabelsOf(i)[0]), (i, all.LabelsOf(i)[2])]);
            var filter = new LabelFilter(pairs);
            var filtered = model.Rank(shortlists, ToyText.Labels, filter, scores);
            for (int i = 0; i < all.Rows; i++)
            {
                var expected = all.LabelArray(i).Where(l => !filter.Contains(i, l)).ToArray();
                Assert.Equal(expected, filtered.LabelArray(i));
                Assert.Equal(ToyText.Labels - 2, filtered.LabelArray(i).Length);
                for (int r = 0; r < expected.Length; r++)
                    Assert.Equal(all.ScoresOf(i)[Array.IndexOf(all.LabelArray(i), expected[r])], filtered.ScoresOf(i)[r]);
            }
        }
    }

    [Fact]
    public void AblationGivesThePapersStages()
    {
        var data = ToyText.Create(train: 160, test: 40, heldout: true);
        var ablation = Dexa.Ablation(data, ToyText.Options() with { EncoderEpochs = 6, ClassifierEpochs = 3 });
        Assert.Equal(["encoder only", "+ auxiliary vectors", "+ classifiers (fused)", "classifiers alone"], ablation.Rows.Select(r => r.Stage));
        Assert.All(ablation.Rows, r => Assert.InRange(r.Metrics.P(1), 0.5, 1.0));
        Assert.True(ablation.Rows[2].TrainSeconds >= ablation.Rows[1].TrainSeconds);
        Assert.Contains("PSP@5", ablation.ToString());

        // The table, the report and the chart carry the same numbers, in percent.
        var table = ablation.ToTable();
        Assert.Equal(ablation.Rows.Count, table.Rows.Count);
        Assert.Equal(100 * ablation.Rows[1].Metrics.P(3), (double)table.Rows[1][table.Columns.ToList().IndexOf("P@3")]!, 9);
        var report = ablation.ToRunReport(ToyText.Options());
        Assert.Equal(100 * ablation.Rows[2].Metrics.Psp(5), report.Metrics["+ classifiers (fused) PSP@5"], 9);
        Assert.Equal(ablation.Rows.Max(r => r.TrainSeconds), report.TrainSeconds);
        Assert.Equal(ablation.Rows.Count, ((IReadOnlyList<IReadOnlyDictionary<string, object>>)report.Details["ablation"]!).Count);
        Assert.Contains("+ auxiliary vectors", XcNotebooks.Plotting.ChartHtml.FigureJson(ablation.PrecisionChart()));
    }

    [Fact]
    public void DataWithoutTextsOrLabelTextsIsRefused()
    {
        var data = ToyText.Create(train: 20, test: 5);
        Assert.Contains("no texts", Assert.Throws<ArgumentException>(() => Dexa.TrainEncoder(data.Train with { Texts = null }, ToyText.Options())).Message);
        Assert.Contains("label texts", Assert.Throws<ArgumentException>(() =>
            Dexa.TrainEncoder(data.Train with { LabelTexts = null, LabelNames = null }, ToyText.Options())).Message);
        Assert.Contains("power of two", Assert.Throws<ArgumentException>(() =>
            Dexa.TrainEncoder(data.Train, ToyText.Options() with { AuxiliaryClusterVectors = 3 })).Message);
    }
}
