using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Experiments;
using Xunit;

namespace XcNotebooks.Tests.BaselineTests;

public sealed class BaselineTests
{
    [Fact]
    public void PopularityRanksLabelsByTrainingCount()
    {
        // Counts: label 0 → 2, 1 → 3, 2 → 0, 3 → 2 (ties 0 and 3: lower id first).
        var labels = LabelMatrix.FromLabelSets([[0, 1], [1, 3], [1], [0, 3]], 4);
        var train = new Dataset(CsrMatrix.Empty(4, 3), labels);
        var model = LabelPopularity.Train(train);
        Assert.Equal([2, 3, 0, 2], model.Counts);
        Assert.Equal([1, 0, 3, 2], model.Ranking);
        var topk = model.TopK(new Dataset(CsrMatrix.Empty(2, 3), LabelMatrix.FromLabelSets([[3], []], 4)), 3);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal([1, 0, 3], topk.LabelsOf(i).ToArray());
            Assert.Equal([0.75f, 0.5f, 0.5f], topk.ScoresOf(i).ToArray());
        }
        // k beyond the labels is padded.
        Assert.Equal([1, 0, 3, 2, -1], model.TopK(1, 5).LabelsOf(0).ToArray());
        var path = Path.Combine(TestData.TempDir(), "model.popularity");
        model.Save(path);
        Assert.Equal(model.Ranking, LabelPopularity.Load(path).Ranking);
    }

    [Fact]
    public void NearestNeighboursAgreeWithBruteForce()
    {
        var data = SyntheticData.MultiLabel(labels: 9, features: 30, points: 160, seed: 11);
        var train = data.SelectRows(Enumerable.Range(0, 120).ToArray());
        var test = data.SelectRows(Enumerable.Range(120, 40).ToArray());
        foreach (var weighting in new[] { NeighbourWeighting.Similarity, NeighbourWeighting.Uniform })
        {
            var options = new KNearestNeighboursOptions { Neighbours = 7, Weighting = weighting };
            var model = KNearestNeighbours.Train(train, options);
            var neighbours = model.Neighbours(test.Features);
            var topk = model.TopK(test, 4);
            var x = train.Features.ToDense();
            var q = test.Features.ToDense();
            for (int i = 0; i < test.NumPoints; i++)
            {
                // Brute force in double: cosine to every training point, best 7 (ties: lower index), votes per label.
                double Norm(float[,] m, int r) => Math.Sqrt(Enumerable.Range(0, 30).Sum(j => (double)m[r, j] * m[r, j]));
                var cos = Enumerable.Range(0, train.NumPoints)
                    .Select(p => Enumerable.Range(0, 30).Sum(j => (double)q[i, j] * x[p, j]) / (Norm(q, i) * Norm(x, p))).ToArray();
                var best = Enumerable.Range(0, train.NumPoints).OrderByDescending(p => Math.Round(cos[p], 5)).ThenBy(p => p).Take(7).ToArray();
                Assert.Equal(best, neighbours.LabelsOf(i).ToArray());
                for (int n = 0; n < 7; n++) Assert.Equal(cos[best[n]], neighbours.ScoresOf(i)[n], 4);
                var votes = new double[9];
                foreach (var p in best)
                    foreach (var l in train.Labels.LabelsOf(p)) votes[l] += weighting == NeighbourWeighting.Similarity ? cos[p] : 1;
                var expected = Enumerable.Range(0, 9).Where(l => votes[l] > 0).OrderByDescending(l => Math.Round(votes[l], 5)).ThenBy(l => l).Take(4).ToArray();
                Assert.Equal(expected, topk.LabelArray(i));
            }
            var path = Path.Combine(TestData.TempDir(), "model.knn");
            model.Save(path);
            var loaded = KNearestNeighbours.Load(path);
            Assert.Equal(topk.Labels, loaded.TopK(test, 4).Labels);
            Assert.Equal(weighting, loaded.Options.Weighting);
        }
    }

    [Fact]
    public void RankingMetricsArePyxclibsAtOneThreeFive()
    {
        var data = SyntheticData.MultiLabel(labels: 8, features: 20, points: 60, seed: 2);
        var predictions = LabelPopularity.Train(data).TopK(data, 5);
        var metrics = RankingMetrics.Standard(data, data, predictions);
        Assert.Equal(["P@1", "P@3", "P@5", "nDCG@1", "nDCG@3", "nDCG@5", "PSP@1", "PSP@3", "PSP@5"], metrics.Keys);
        var report = XcMetrics.Evaluate(data.Labels, predictions, 5, Propensity.Inverse(data.Labels));
        Assert.Equal(report.P(3) * 100, metrics["P@3"], 12);
        Assert.Equal(report.NdcgAt(5) * 100, metrics["nDCG@5"], 12);
        Assert.Equal(report.Psp(1) * 100, metrics["PSP@1"], 12);
        Assert.Equal(["P@1", "nDCG@1", "PSP@1"], RankingMetrics.Standard(data, data, predictions, k: 1).Keys);
    }

    [Fact]
    public void ComparisonTableHasARowPerMethod()
    {
        var data = SyntheticData.MultiLabel(labels: 8, features: 40, points: 200, seed: 9);
        var splits = new DataSplits(data.SelectRows(Enumerable.Range(0, 150).ToArray()) with { Name = "toy.train" }, null,
            data.SelectRows(Enumerable.Range(150, 50).ToArray()));
        var options = new MethodComparisonOptions
        {
            KNearestNeighbours = new KNearestNeighboursOptions { Neighbours = 5 },
            OneVsRest = new OneVsRestOptions { Bias = 1, Epochs = 2 },
            NeuralXc = new Dictionary<string, NeuralXcOptions>
            {
                ["NeuralXC"] = new() { Epochs = 1, InputEncoderSizes = [8], LabelEncoderSizes = [4], RegressorHiddenSizes = [], Backend = XcNotebooks.Compute.BackendKind.Cpu, EvaluateTrainEachEpoch = false },
            },
        };
        var rows = MethodComparison.Run(splits, options);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal("toy", r.Dataset));
        Assert.Equal(["popularity", "5-NN (cosine, similarity)", "one-vs-rest (L2-SVM dual CD)", "Parabel-style tree (leaves <= 100, beam 10)", "NeuralXC", "HierarchicalXC"], rows.Select(r => r.Method));
        Assert.Equal(8, rows[2].ClassifiersPerPoint);
        Assert.InRange(rows[5].ClassifiersPerPoint!.Value, 1, 7);
        var popularity = RankingMetrics.Standard(splits.Train, splits.Test, LabelPopularity.Train(splits.Train).TopK(splits.Test, 5));
        Assert.Equal(popularity["P@1"], rows[0].Metrics["P@1"]);
        var markdown = MethodComparison.ToMarkdown(rows);
        Assert.Equal(2 + 6, markdown.Trim().Split('\n').Length);
        Assert.Contains("| toy | popularity | " + popularity["P@1"].ToString("F2", System.Globalization.CultureInfo.InvariantCulture), markdown);

        var report = MethodComparison.ToRunReport(rows, options);
        Assert.Equal(popularity["P@3"], report.Metrics["popularity P@3"]);
        Assert.Equal(rows.Sum(r => r.Metrics.Count), report.Metrics.Count);
        Assert.Equal(markdown, report.Details["markdown"]);
        Assert.Contains("\"method\": \"NeuralXC\"", report.ToJson().Replace("\"method\":\"", "\"method\": \""));
        Assert.Throws<ArgumentException>(() => MethodComparison.ToRunReport([rows[0], rows[0]], options));
    }

    [Fact]
    public void AutoencoderTableNamesItsRunsAndAddsLinearCodesOnRequest()
    {
        var table = MethodComparisonOptions.AutoencoderTable();
        Assert.Equal(["NeuralXC (report settings, 10 epochs)", "NeuralXC (linear regressor output, lr 1e-3, 30 epochs)"], table.NeuralXc.Keys);
        var (report, linearOutput) = (table.NeuralXc.Values.First(), table.NeuralXc.Values.Last());
        Assert.Equal((10, 3e-4f, 1e-4f), (report.Epochs, report.LearningRate, report.WeightDecay));
        Assert.Equal(XcNotebooks.Compute.Activation.Tanh, report.Activations.RegressorOutput);
        Assert.Equal(XcNotebooks.Compute.Activation.Identity, linearOutput.Activations.RegressorOutput);
        Assert.Equal(XcNotebooks.Compute.Activation.Tanh, linearOutput.Activations.LabelCode);
        Assert.Equal(1e-3f, linearOutput.LearningRate);

        var withCodes = MethodComparisonOptions.AutoencoderTable(2, 4, 3, linearCodesEpochs: 8);
        Assert.Equal(3, withCodes.NeuralXc.Count);
        var codes = withCodes.NeuralXc.Values.Last();
        Assert.Equal((8, 64, 0f, 1e-3f), (codes.Epochs, codes.BatchSize, codes.WeightDecay, codes.LearningRate));
        Assert.Equal(XcNotebooks.Compute.Activation.Identity, codes.Activations.LabelCode);
        Assert.Equal(XcNotebooks.Compute.Activation.Identity, codes.Activations.RegressorOutput);
        Assert.Equal(3, withCodes.HierarchicalXc["HierarchicalXC (linear autoencoder, 100)"].AutoencoderEpochs);
        Assert.Equal(100, withCodes.HierarchicalXc["HierarchicalXC (linear autoencoder, 100)"].AutoencoderDimension);
    }

    [Fact]
    public void BibtexReferencePoints()
    {
        Assert.SkipWhen(TestData.SharedRoot is null, "../shared/data is absent");
        var splits = DatasetReader.ReadSplits(TestData.Shared("bibtex", "bibtex_train.txt")!, null, TestData.Shared("bibtex", "bibtex_test.txt")!);
        // The reference points on bibtex test: popularity P@1 13.96, 10-NN (cosine, similarity-weighted) P@1 57.42.
        var popularity = LabelPopularity.Train(splits.Train).TopK(splits.Test, 1);
        Assert.Equal(13.96, XcMetrics.Evaluate(splits.Test.Labels, popularity, 1).P(1) * 100, 2);
        var knn = KNearestNeighbours.Train(splits.Train).TopK(splits.Test, 1);
        Assert.Equal(57.42, XcMetrics.Evaluate(splits.Test.Labels, knn, 1).P(1) * 100, 2);
    }
}
