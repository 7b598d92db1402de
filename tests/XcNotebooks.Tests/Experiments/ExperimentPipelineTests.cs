using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Data;
using XcNotebooks.Experiments;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Metrics;
using XcNotebooks.Tests.DexaTests;
using XcNotebooks.Tests.DexmlTests;
using Xunit;

namespace XcNotebooks.Tests.Experiments;

/// <summary>
/// The one pipeline: every method trains through <see cref="Experiment.Run"/> with a model path, and the saved
/// model, loaded back by the method its file names, predicts the same top k and reproduces the report's metrics
/// exactly; the saved predictions file reads back to the same predictions.
/// </summary>
public sealed class ExperimentPipelineTests
{
    private static readonly DataSplits MultiClass = SyntheticData.MultiClass(classes: 12, features: 40, train: 240, heldout: 60, test: 80, seed: 5);

    private static readonly DataSplits MultiLabel = Split(SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 12));

    private static DataSplits Split(Dataset all) =>
        new(all.SelectRows(Enumerable.Range(0, 180).ToArray()), null, all.SelectRows(Enumerable.Range(180, 60).ToArray()));

    /// <summary>Each method with options small enough for a unit test, on the data it is made for.</summary>
    public static TheoryData<string> Methods => new(XcMethods.All.Select(m => m.Name));

    private static (DataSplits Data, object Options) Case(string method) => method switch
    {
        "wltls" => (MultiClass, new WltlsOptions { Epochs = 2, Seed = 1 }),
        "dsnc" => (MultiClass, new DsncOptions { CodeBits = 8, Epochs = 4, BatchSize = 16, Backend = BackendKind.Cpu, Seed = 1 }),
        "neuralxc" => (MultiLabel, NeuralXcOptions.Recommended with
        {
            Epochs = 2, InputEncoderSizes = [16, 8], LabelEncoderSizes = [6], RegressorHiddenSizes = [], Backend = BackendKind.Cpu, Seed = 3,
        }),
        "hierarchicalxc" => (MultiLabel, new HierarchicalXcOptions { AutoencoderDimension = 8, AutoencoderEpochs = 2, Backend = BackendKind.Cpu, Seed = 2 }),
        "dexa" => (ToyText.Create(), ToyText.Options() with { EncoderEpochs = 3, ClassifierEpochs = 2 }),
        "dexml" => (ToyText.Create(), DexmlTrainingTests.Small() with { Epochs = 3 }),
        "ovr" => (MultiLabel, new OneVsRestOptions { Seed = 1 }),
        "parabel" => (MultiLabel, new ParabelOptions { MaxLeafLabels = 3, Seed = 1 }),
        "knn" => (MultiLabel, new KNearestNeighboursOptions { Neighbours = 5 }),
        "fusion" => (MultiLabel, new CalibratedFusionOptions { Costs = [1], Neighbours = [5], NeighbourWeights = [0, 0.5], Folds = 2, Seed = 1 }),
        "popularity" => (MultiLabel, new LabelPopularityOptions()),
        _ => throw new ArgumentException($"no test case for {method}"),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void SavedModelReproducesTheReportedMetrics(string method)
    {
        var (data, options) = Case(method);
        var dir = TestData.TempDir();
        var settings = new ExperimentSettings
        {
            ModelPath = Path.Combine(dir, "model." + method),
            PredictionsPath = Path.Combine(dir, "scores.txt"),
            ReportPath = Path.Combine(dir, "report.json"),
        };
        using var result = Experiment.Run(XcMethods.Find(method), data, options, settings);
        var report = result.Report;
        Assert.Equal(method, report.Method);
        Assert.Equal(result.Model.SizeBytes, report.ModelBytes);
        Assert.True(report.ModelBytes > 0);
        Assert.Equal(data.Test.NumPoints, result.Predictions.Rows);
        Assert.Equal(5, result.Predictions.K);
        Assert.True(File.Exists(settings.ReportPath));

        using var loaded = XcMethods.Load(settings.ModelPath, BackendKind.Cpu);
        Assert.Equal(method, loaded.Method);
        Assert.Equal(result.Model.SizeBytes, loaded.SizeBytes);
        var again = loaded.TopK(data.Test, settings.TopK);
        Assert.Equal(result.Predictions.Labels, again.Labels);
        var fromFile = TopKPredictions.Load(settings.PredictionsPath);
        Assert.Equal(result.Predictions.Labels, fromFile.Labels);
        Assert.Equal(result.Predictions.Scores.Where((_, i) => result.Predictions.Labels[i] >= 0), fromFile.Scores.Where((_, i) => fromFile.Labels[i] >= 0));

        // The metrics recomputed from the loaded model's predictions, by the brute-force definition of P@k.
        var metrics = Experiment.Evaluate(data.Test.Labels, again, settings, data.Train.Labels).ToDictionary(ks: settings.Ks);
        foreach (var (name, value) in metrics) Assert.Equal(report.Metrics[name], value);
        foreach (int k in settings.Ks)
            Assert.Equal(BruteForcePrecision(data.Test.Labels, again, k), report.Metrics[$"P@{k}"], 9);
        Assert.Equal(data.Train.Labels.IsMultiClass, report.Metrics.ContainsKey("accuracy"));
        Assert.True(report.Metrics.ContainsKey("PSP@5"));
    }

    /// <summary>P@k as the papers define it: the share of the top k that are relevant, averaged over points, in percent.</summary>
    private static double BruteForcePrecision(LabelMatrix truth, TopKPredictions predictions, int k)
    {
        double sum = 0;
        for (int i = 0; i < truth.Rows; i++)
            sum += predictions.LabelArray(i).Take(k).Count(l => truth.Has(i, l)) / (double)k;
        return 100 * sum / truth.Rows;
    }

    [Fact]
    public void PredictionsFileIsPyxclibTextAndKeepsTheRankingOfTies()
    {
        // Two points: the first has a tie (labels 7 and 2 both 0.5) ranked 7 first, the second one prediction and padding.
        var predictions = new TopKPredictions(2, 3, [7, 2, 0, 4, -1, -1], [0.5f, 0.5f, 0.125f, 1.25f, float.NegativeInfinity, float.NegativeInfinity]);
        var path = Path.Combine(TestData.TempDir(), "scores.txt");
        predictions.Save(path, numLabels: 9);
        Assert.Equal("2 9\n7:0.5 2:0.5 0:0.125\n4:1.25\n", File.ReadAllText(path));
        var back = TopKPredictions.Load(path);
        Assert.Equal(3, back.K);
        Assert.Equal(predictions.Labels, back.Labels);
        Assert.Equal([0.5f, 0.5f, 0.125f, 1.25f], back.Scores.Where(float.IsFinite));
        // Read back with a smaller k, each row keeps its best entries.
        Assert.Equal([7, 4], TopKPredictions.Load(path, 1).Labels);
    }

    [Fact]
    public void DamagedPredictionsFileNamesFileAndLine()
    {
        var path = Path.Combine(TestData.TempDir(), "bad.txt");
        File.WriteAllText(path, "2 5\n1:0.5 3:x\n");
        var e = Assert.Throws<DataFormatException>(() => TopKPredictions.Load(path));
        Assert.Contains("bad.txt:2:", e.Message);
        File.WriteAllText(path, "2 5\n1:0.5\n");
        Assert.Contains("header says 2", Assert.Throws<DataFormatException>(() => TopKPredictions.Load(path)).Message);
        File.WriteAllText(path, "1 5\n9:0.5\n");
        Assert.Contains("outside", Assert.Throws<DataFormatException>(() => TopKPredictions.Load(path)).Message);
    }

    [Fact]
    public void RegistryNamesEveryMethodAndRejectsUnknownOnes()
    {
        Assert.Equal(["wltls", "dsnc", "neuralxc", "hierarchicalxc", "dexa", "dexml", "ovr", "parabel", "knn", "fusion", "popularity"], XcMethods.All.Select(m => m.Name));
        foreach (var method in XcMethods.All)
        {
            Assert.IsType(method.OptionsType, method.DefaultOptions);
            method.Validate(method.DefaultOptions);
        }
        var e = Assert.Throws<ArgumentException>(() => XcMethods.Find("parable"));
        Assert.Contains("wltls, dsnc", e.Message);
        Assert.Contains("takes ParabelOptions", Assert.Throws<ArgumentException>(() => XcMethods.Find("parabel").Validate(new WltlsOptions())).Message);
        // Options are checked before any data is read or any model trained.
        Assert.Throws<ArgumentException>(() => XcMethods.Find("wltls").Validate(new WltlsOptions { SliceWidth = 1 }));
        Assert.Throws<ArgumentException>(() => Experiment.Run("knn", MultiLabel, new KNearestNeighboursOptions { Neighbours = 0 }));
    }

    [Fact]
    public void LoadingNamesTheMethodOfTheFile()
    {
        var path = Path.Combine(TestData.TempDir(), "model.bin");
        LabelPopularity.Train(MultiLabel.Train).Save(path);
        using var model = XcMethods.Load(path);
        Assert.Equal("popularity", model.Method);
        Assert.Equal("popularity", ModelFile.ReadMethod(path));
        File.WriteAllText(path, "not a model");
        Assert.Contains("bad magic", Assert.Throws<DataFormatException>(() => XcMethods.Load(path)).Message);
    }

    [Fact]
    public void FilterRemovesPairsBeforeEvaluation()
    {
        var data = MultiLabel;
        using var plain = Experiment.Run("popularity", data, new LabelPopularityOptions());
        // Filter each point's top label: the filtered predictions are the plain ones shifted up by one.
        var filter = new LabelFilter(Enumerable.Range(0, data.Test.NumPoints).Select(i => (i, plain.Predictions.LabelsOf(i)[0])));
        using var filtered = Experiment.Run("popularity", data, new LabelPopularityOptions(), new ExperimentSettings { Filter = filter });
        for (int i = 0; i < data.Test.NumPoints; i++)
            Assert.Equal(plain.Predictions.LabelArray(i).Skip(1), filtered.Predictions.LabelArray(i));
    }
}
