using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Learners;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>One row of the slice-width table: a W-LTLS graph width, or the one-vs-rest limit (SliceWidth null).</summary>
/// <param name="Model">"b=5" or "one-vs-rest".</param>
/// <param name="SliceWidth">The slice width, null for one-vs-rest.</param>
/// <param name="Predictors">Binary predictors: edges of the graph, or labels for one-vs-rest.</param>
/// <param name="ModelBytes">Size of the weights (float32).</param>
/// <param name="TestAccuracy">Test accuracy, percent.</param>
/// <param name="ValidationAccuracy">Heldout accuracy of the chosen model, percent (null without a heldout split).</param>
/// <param name="TrainSeconds">Training time.</param>
/// <param name="PredictMicrosecondsPerPoint">Batch prediction time on the test split per point (parallel, best of 3).</param>
public sealed record SliceWidthRow(string Model, int? SliceWidth, int Predictors, long ModelBytes, double TestAccuracy,
    double? ValidationAccuracy, double TrainSeconds, double PredictMicrosecondsPerPoint);

/// <summary>The cost a slice-width trade-off chart puts on its x axis.</summary>
public enum SweepCost
{
    /// <summary>Size of the weights (MB).</summary>
    ModelSize,
    /// <summary>Batch prediction time per test point (microseconds).</summary>
    PredictionTime,
}

/// <summary>
/// The wider-graphs experiment: W-LTLS at several slice widths and the one-vs-rest linear model (the limit of a
/// graph as wide as the number of classes), each trained with the same learner, epochs and seed; a table of
/// accuracy, model size and prediction time.
/// </summary>
public static class WltlsSweep
{
    /// <summary>The slice widths of the paper's sector table.</summary>
    public static IReadOnlyList<int> DefaultSliceWidths { get; } = [2, 4, 5, 8, 16, 32];

    /// <summary>
    /// Trains W-LTLS for each of <paramref name="sliceWidths"/> (other settings from <paramref name="options"/>) and,
    /// when <paramref name="includeOneVsRest"/>, a one-vs-rest model with the same learner, epochs and seed.
    /// </summary>
    public static IReadOnlyList<SliceWidthRow> Run(DataSplits data, IReadOnlyList<int>? sliceWidths = null, WltlsOptions? options = null,
        bool includeOneVsRest = true, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new WltlsOptions();
        monitor ??= TrainingMonitor.Silent;
        sliceWidths ??= DefaultSliceWidths;
        var rows = new List<SliceWidthRow>();
        foreach (int b in sliceWidths)
        {
            var clock = Stopwatch.StartNew();
            var training = Wltls.TrainDetailed(data.Train, data.Heldout, options with { SliceWidth = b, CheckpointPath = null },
                monitor with { Log = null });
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var model = training.Best;
            var (accuracy, micros) = Measure(() => model.Predict(data.Test), data);
            double? validation = training.Epochs.FirstOrDefault(e => e.Epoch == training.BestEpoch)?.ValidationAccuracy;
            rows.Add(new SliceWidthRow($"b={b}", b, model.Graph.NumEdges, model.ModelBytes, accuracy, validation, trainSeconds, micros));
            monitor.Write(Describe(rows[^1]));
        }
        if (includeOneVsRest)
        {
            var clock = Stopwatch.StartNew();
            var ovr = OneVsRestLinear.Train(data.Train,
                new OneVsRestOptions { Learner = options.Learner, Epochs = options.Epochs, Seed = options.Seed, NormalizeRows = false, Bias = 0 }, monitor with { Log = null });
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var (accuracy, micros) = Measure(() => ovr.Predict(data.Test), data);
            double? validation = data.Heldout is null ? null : ovr.Accuracy(data.Heldout);
            rows.Add(new SliceWidthRow("one-vs-rest", null, ovr.NumLabels, ovr.ModelBytes, accuracy, validation, trainSeconds, micros));
            monitor.Write(Describe(rows[^1]));
        }
        return rows;
    }

    /// <summary>One table line, e.g. "b=5: 55 predictors, 11.6MB, test 94.7%, 2.1 us/point, trained in 2.3s".</summary>
    public static string Describe(SliceWidthRow row) => string.Create(CultureInfo.InvariantCulture,
        $"{row.Model}: {row.Predictors} predictors, {Wltls.Megabytes(row.ModelBytes)}, test {row.TestAccuracy:F1}%, {row.PredictMicrosecondsPerPoint:F1} us/point, trained in {row.TrainSeconds:F1}s");

    /// <summary>The sweep as a table: model, binary predictors, size, accuracies and times.</summary>
    public static HtmlTable ToTable(IReadOnlyList<SliceWidthRow> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cells = rows.Select(r => (IReadOnlyList<object?>)
        [
            r.Model, r.Predictors, Wltls.Megabytes(r.ModelBytes), Math.Round(r.TestAccuracy, 2),
            r.ValidationAccuracy is { } v ? Math.Round(v, 2) : null, Math.Round(r.TrainSeconds, 2), Math.Round(r.PredictMicrosecondsPerPoint, 2),
        ]).ToArray();
        return new HtmlTable(["model", "binary predictors", "model size", "test accuracy %", "validation accuracy %", "train s", "predict µs/point"], cells)
        { Caption = caption };
    }

    /// <summary>
    /// Test accuracy against <paramref name="cost"/> (log scale), one labelled marker per row: W-LTLS widths in one
    /// colour, one-vs-rest in another, so the better trade-offs sit top-left.
    /// </summary>
    public static XcChart TradeOffChart(IReadOnlyList<SliceWidthRow> rows, SweepCost cost = SweepCost.ModelSize, string? title = null,
        ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var points = rows.Select(r => new TradeOffPoint(r.SliceWidth is null ? "OvR" : r.Model,
            cost == SweepCost.ModelSize ? r.ModelBytes / 1048576.0 : r.PredictMicrosecondsPerPoint, r.TestAccuracy,
            r.SliceWidth is null ? "one-vs-rest" : "W-LTLS"));
        var (defaultTitle, xTitle) = cost == SweepCost.ModelSize
            ? ("test accuracy against model size", "model size (MB, log scale)")
            : ("test accuracy against prediction time", "prediction time per point (µs, log scale)");
        return Charts.TradeOff(points, title ?? defaultTitle, xTitle, "test accuracy (%)", logX: true, style);
    }

    /// <summary>
    /// The sweep as a run report: one "MODEL accuracy" metric per row (test accuracy, percent), as options the slice
    /// widths of the rows and the W-LTLS options they share (their SliceWidth is replaced by each row's), and the rows
    /// under Details "table".
    /// </summary>
    public static RunReport ToRunReport(IReadOnlyList<SliceWidthRow> rows, WltlsOptions options, IReadOnlyDictionary<string, string>? datasetFiles = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var metrics = new Dictionary<string, double>();
        foreach (var r in rows)
            if (!metrics.TryAdd($"{r.Model} accuracy", r.TestAccuracy)) throw new ArgumentException($"two rows are named '{r.Model}'");
        return new RunReport
        {
            Method = "wltls-slice-widths",
            DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
            Options = new { SliceWidths = rows.Where(r => r.SliceWidth is not null).Select(r => r.SliceWidth!.Value).ToArray(), Wltls = options },
            Metrics = metrics,
            TrainSeconds = rows.Sum(r => r.TrainSeconds),
            Details = new Dictionary<string, object?> { ["table"] = rows },
        };
    }

    private static (double Accuracy, double MicrosecondsPerPoint) Measure(Func<int[]> predict, DataSplits data)
    {
        int[] predicted = predict();
        double best = double.PositiveInfinity;
        for (int rep = 0; rep < 3; rep++)
        {
            var clock = Stopwatch.StartNew();
            predict();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        double micros = data.Test.NumPoints == 0 ? 0 : best * 1e6 / data.Test.NumPoints;
        return (WltlsModel.AccuracyOf(predicted, data.Test.Labels), micros);
    }
}
