using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Everything one W-LTLS run reports (the original's log and the paper's sector table): the training history, the
/// best-validated model's test predictions and accuracy, the last epoch's ("final") model's accuracy and, when asked
/// for, the sparse-models table.
/// </summary>
/// <param name="Options">The settings of the run.</param>
/// <param name="Training">Models and per-epoch figures.</param>
/// <param name="TrainSeconds">Wall-clock training time.</param>
/// <param name="TestPredictions">The best-validated model's top-k classes of every test point.</param>
/// <param name="TestAccuracy">Its test accuracy, percent.</param>
/// <param name="TestSeconds">Time to decode the test split.</param>
/// <param name="FinalModelAccuracy">Test accuracy of the last epoch's model, percent.</param>
/// <param name="FinalModelSeconds">Time to test that model.</param>
/// <param name="SparseModels">The pruning experiment on the last epoch's model (null when not run).</param>
public sealed record WltlsRunResult(
    WltlsOptions Options,
    WltlsTraining Training,
    double TrainSeconds,
    TopKPredictions TestPredictions,
    double TestAccuracy,
    double TestSeconds,
    double FinalModelAccuracy,
    double FinalModelSeconds,
    SparseModelsResult? SparseModels)
{
    /// <summary>The best-validated model (the method's result).</summary>
    public WltlsModel Model => Training.Best;
}

/// <summary>The original's test step: the best model's test accuracy and the last epoch's model's accuracy and time (percent, seconds).</summary>
public sealed record WltlsTestResult(double Accuracy, double FinalModelAccuracy, double FinalModelSeconds);

/// <summary>
/// A whole W-LTLS experiment as the original script runs it (train, test, final model, optional sparse models) and
/// its result as a run report, tables, charts and an HTML page: what <c>xcn wltls</c>, the notebooks and
/// <c>scripts/wltls-sector.csx</c> share.
/// </summary>
public static class WltlsRun
{
    /// <summary>
    /// Trains on <paramref name="data"/>.Train (validating on Heldout when present), tests the best-validated model
    /// (top <paramref name="topK"/> classes) and the last epoch's model, and with <paramref name="sparseModels"/> runs
    /// the pruning experiment (needs a heldout split). Logs the original implementation's lines through
    /// <paramref name="monitor"/>.
    /// </summary>
    public static WltlsRunResult Run(DataSplits data, WltlsOptions? options = null, bool sparseModels = false, int topK = 1,
        TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new WltlsOptions();
        monitor ??= TrainingMonitor.Silent;
        if (topK < 1) throw new ArgumentException($"top-k must be at least 1, got {topK}");
        if (sparseModels && data.Heldout is null)
            throw new ArgumentException("the sparse-models experiment needs a heldout split (its stopping rule watches validation accuracy)");

        LogDataset(data, monitor);
        var clock = Stopwatch.StartNew();
        var training = Wltls.TrainDetailed(data.Train, data.Heldout, options, monitor);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var model = training.Best;

        clock.Restart();
        var predictions = model.TopK(data.Test, topK);
        double testSeconds = clock.Elapsed.TotalSeconds;
        var test = TestAsOriginal(training, data.Test, predictions, testSeconds, monitor);

        SparseModelsResult? sparse = null;
        if (sparseModels)
        {
            monitor.Write("Experimenting sparse models:");
            sparse = WltlsSparseModels.Run(training.LastEpoch, data.Heldout!, data.Test, null, monitor);
        }
        return new WltlsRunResult(options, training, trainSeconds, predictions, test.Accuracy, testSeconds, test.FinalModelAccuracy, test.FinalModelSeconds, sparse);
    }

    /// <summary>The original's description of the data set (classes, features, split sizes).</summary>
    public static void LogDataset(DataSplits data, TrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(monitor);
        var train = data.Train;
        monitor.Write($"Multi-class dataset '{train.Name}':");
        monitor.Write($"\tLabels:\t\tK={train.NumLabels:N0}");
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"\tFeatures:\td={train.NumFeatures:N0} ({(train.NumPoints == 0 ? 0 : (double)train.Features.NonZeros / train.NumPoints):F1} non-zero features on average)"));
        monitor.Write($"\tSamples:\t{train.NumPoints:N0} / {data.Heldout?.NumPoints ?? 0:N0} / {data.Test.NumPoints:N0}");

    }

    /// <summary>
    /// The original's test step on the best model's <paramref name="predictions"/> (made in <paramref name="testSeconds"/>)
    /// and on the last epoch's ("final") model, with its log lines: test accuracy, average binary loss, assignment
    /// score, the final model's accuracy and time.
    /// </summary>
    public static WltlsTestResult TestAsOriginal(WltlsTraining training, Dataset test, TopKPredictions predictions, double testSeconds, TrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(monitor);
        var clock = Stopwatch.StartNew();
        double accuracy = WltlsModel.AccuracyOf(predictions.Top1(), test.Labels);
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {accuracy:F1}% ({Wltls.Duration(testSeconds)})"));
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Average binary loss: {training.AverageBinaryLoss:N2}"));
        if (training.AssignmentQuality is { } quality)
            monitor.Write($"Codeword-to-class assignment score (Eq. 5 of Evron et al. 2023, lower is better): {quality}");

        // The original's "final model": the last epoch's learners merged into one D x E matrix.
        monitor.Write("Preparing a final model (this may take some time)...");
        var final = training.LastEpoch;
        monitor.Write("The final model created successfully.");
        clock.Restart();
        double finalAccuracy = final.Accuracy(test);
        double finalSeconds = clock.Elapsed.TotalSeconds;
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"The final model was tested in {Wltls.Duration(finalSeconds)} and achieved {finalAccuracy:F1}% accuracy."));

        return new WltlsTestResult(accuracy, finalAccuracy, finalSeconds);
    }

    /// <summary>
    /// The report details: "edges", "sliceWidth", "epochs" (the per-epoch records), "bestEpoch", "earlyStopped",
    /// "assignedLabels", "averageBinaryLoss", "finalModelAccuracy", "finalModelSeconds", "assignmentScore" and
    /// "sparse" (when run).
    /// </summary>
    public static Dictionary<string, object?> Details(WltlsTraining training, double finalModelAccuracy, double finalModelSeconds, SparseModelsResult? sparse)
    {
        ArgumentNullException.ThrowIfNull(training);
        var details = new Dictionary<string, object?>
        {
            ["edges"] = training.Best.Graph.NumEdges,
            ["sliceWidth"] = training.Best.Graph.SliceWidth,
            ["epochs"] = training.Epochs,
            ["bestEpoch"] = training.BestEpoch,
            ["earlyStopped"] = training.EarlyStopped,
            ["assignedLabels"] = training.AssignedLabels,
            ["averageBinaryLoss"] = training.AverageBinaryLoss,
            ["finalModelAccuracy"] = finalModelAccuracy,
            ["finalModelSeconds"] = finalModelSeconds,
            ["assignmentScore"] = training.AssignmentQuality,
        };
        if (sparse is not null) details["sparse"] = sparse;
        return details;
    }

    /// <summary>
    /// The run as a run report: metric "accuracy" and pyxclib's metrics at the predictions' k, costs, the options,
    /// and Details "edges", "sliceWidth", "epochs" (the per-epoch records), "bestEpoch", "earlyStopped",
    /// "assignedLabels", "averageBinaryLoss", "finalModelAccuracy", "finalModelSeconds", "assignmentScore" and
    /// "sparse" (when run).
    /// </summary>
    public static RunReport ToRunReport(WltlsRunResult result, IReadOnlyDictionary<string, string>? datasetFiles = null,
        LabelMatrix? testLabels = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var model = result.Model;
        var details = Details(result.Training, result.FinalModelAccuracy, result.FinalModelSeconds, result.SparseModels);
        var metrics = new Dictionary<string, double> { ["accuracy"] = result.TestAccuracy };
        if (testLabels is not null)
            foreach (var (name, value) in XcMetrics.Evaluate(testLabels, result.TestPredictions, result.TestPredictions.K).ToDictionary())
                metrics[name] = value;
        return new RunReport
        {
            Method = Wltls.MethodName,
            DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
            Options = result.Options,
            Metrics = metrics,
            TrainSeconds = result.TrainSeconds,
            PredictSeconds = result.TestSeconds,
            ModelBytes = model.ModelBytes,
            Details = details,
        };
    }

    /// <summary>The headline figures of the paper's table: edges, model size, test accuracy, final model, times.</summary>
    public static HtmlTable SummaryTable(WltlsRunResult result, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var model = result.Model;
        var rows = new List<KeyValuePair<string, object?>>
        {
            new("classes (K)", model.NumClasses),
            new("slice width (b)", model.Graph.SliceWidth),
            new("edges (binary learners)", model.Graph.NumEdges),
            new("model size", Wltls.Megabytes(model.ModelBytes)),
            new("binary learner", result.Options.Learner.DisplayName),
            new("epochs run", result.Training.Epochs.Count),
            new("best epoch", result.Training.BestEpoch),
            new("test accuracy (%)", Percent(result.TestAccuracy)),
            new("final model test accuracy (%)", Percent(result.FinalModelAccuracy)),
            new("train time", Wltls.Duration(result.TrainSeconds)),
            new("test time", Wltls.Duration(result.TestSeconds)),
            new("average binary loss", Math.Round(result.Training.AverageBinaryLoss, 4)),
        };
        if (result.SparseModels is { } sparse)
            rows.Add(new("best sparse model", string.Create(CultureInfo.InvariantCulture,
                $"#{sparse.Best.Index}: {sparse.Best.NonZeroPercent:F2}% non-zeros, {Wltls.Megabytes(sparse.Best.SparseBytes)}, test {sparse.Best.TestAccuracy:F2}%")));
        return HtmlTable.FromPairs(rows, "figure", "value") with { Caption = caption };
    }

    /// <summary>One row per epoch: online train accuracy, validation accuracy, times, and which epoch was kept.</summary>
    public static HtmlTable EpochTable(WltlsTraining training, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        var rows = training.Epochs.Select(e => (IReadOnlyList<object?>)
        [
            e.Epoch, Percent(e.TrainAccuracy), e.ValidationAccuracy is { } v ? Percent(v) : null, Math.Round(e.TrainSeconds, 2),
            e.ValidationSeconds is { } s ? Math.Round(s, 2) : null, e.Epoch == training.BestEpoch ? "kept" : "",
        ]).ToArray();
        return new HtmlTable(["epoch", "train accuracy % (online)", "validation accuracy %", "train s", "validation s", "model"], rows)
        { Caption = caption };
    }

    /// <summary>The sparse-models table (as the original prints it) with the test accuracy of every pruning level.</summary>
    public static HtmlTable SparseTable(SparseModelsResult sparse, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(sparse);
        var rows = sparse.Rows.Select(r => (IReadOnlyList<object?>)
        [
            r.Index, r.Threshold.ToString("F7", CultureInfo.InvariantCulture), Percent(r.NonZeroPercent), Wltls.Megabytes(r.SparseBytes),
            Percent(r.SparsePercentOfDense), Percent(r.ValidationAccuracy), Percent(r.TestAccuracy), r.Index == sparse.Best.Index ? "best" : "",
        ]).ToArray();
        return new HtmlTable(["#", "threshold", "non-zeros %", "sparse size", "% of dense", "validation %", "test %", ""], rows)
        { Caption = caption ?? $"sparse models (dense: {Wltls.Megabytes(sparse.DenseBytes)})" };
    }

    /// <summary>Train (online) and validation accuracy per epoch.</summary>
    public static XcChart EpochChart(WltlsTraining training, string title = "W-LTLS accuracy per epoch")
    {
        ArgumentNullException.ThrowIfNull(training);
        var curves = new Dictionary<string, IReadOnlyList<double>> { ["train (online)"] = training.TrainAccuracies };
        var validation = training.ValidationAccuracies;
        if (validation.Length > 0 && validation.Length == training.Epochs.Count) curves["validation"] = validation;
        return Charts.OverEpochs(curves, title, yTitle: "accuracy (%)");
    }

    /// <summary>The model's trellis graph with the decoded path of point <paramref name="row"/> of <paramref name="data"/> drawn thick.</summary>
    public static XcChart DecodedPathChart(WltlsModel model, Dataset data, int row = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.NumPoints == 0) return TrellisPlot.Chart(model.Graph);
        if (row < 0 || row >= data.NumPoints) throw new ArgumentOutOfRangeException(nameof(row), $"{data.Name} has {data.NumPoints} points, no point {row}");
        var path = model.DecodedPath(data.Features, row);
        int predicted = model.ClassOfCodeword[model.Graph.CodewordOfPath(path)];
        string truth = string.Join(",", data.Labels.LabelArray(row).Select(data.LabelName));
        return TrellisPlot.Chart(model.Graph, path, pathName: $"point {row + 1}: decoded class {data.LabelName(predicted)} (true {truth})");
    }

    /// <summary>
    /// The run as an HTML page: the summary, the per-epoch table and chart, the sparse table (when run), the trellis
    /// with the decoded path of the first test point, and the run report.
    /// </summary>
    public static HtmlReport ToHtmlReport(WltlsRunResult result, RunReport report, Dataset test, string title, string? introduction = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var section = new ReportSection("Result")
            .Table(SummaryTable(result))
            .Table(EpochTable(result.Training, "per epoch"))
            .Chart(EpochChart(result.Training));
        if (result.SparseModels is { } sparse)
            section = section.Table(SparseTable(sparse))
                .Paragraph("The sparse models prune the final model's weights below a magnitude threshold; the experiment stops once " +
                           "validation accuracy falls by a point, and keeps the sparsest model before that.");
        return new HtmlReport(title) { Introduction = introduction }
            .AddSection(section)
            .AddSection(new ReportSection("Trellis graph").Chart(DecodedPathChart(result.Model, test), "the decoded path of the first test point"))
            .AddSection(new ReportSection("Run").Run(report));
    }

    private static double Percent(double value) => Math.Round(value, 2);
}
