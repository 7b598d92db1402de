using System.Diagnostics;
using XcNotebooks.Core;
using XcNotebooks.Data;
using XcNotebooks.Metrics;

namespace XcNotebooks.Experiments;

/// <summary>How an experiment predicts, evaluates and what it writes.</summary>
public sealed record ExperimentSettings
{
    /// <summary>Predictions kept per test point.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The k of the reported metrics (P@k, nDCG@k, R@k, PSP@k, PSnDCG@k).</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 3, 5];

    /// <summary>Propensity constant A of the PSP metrics (0.55; Amazon 0.6, Wikipedia 0.5).</summary>
    public double PropensityA { get; init; } = Propensity.Default.A;

    /// <summary>Propensity constant B of the PSP metrics (1.5; Amazon 2.6, Wikipedia 0.4).</summary>
    public double PropensityB { get; init; } = Propensity.Default.B;

    /// <summary>Where the trained model goes (null: not saved).</summary>
    public string? ModelPath { get; init; }

    /// <summary>Where the run report (JSON) goes (null: not written).</summary>
    public string? ReportPath { get; init; }

    /// <summary>Where the test predictions go as pyxclib sparse score text (null: not written).</summary>
    public string? PredictionsPath { get; init; }

    /// <summary>(point, label) pairs of the test split removed from the predictions (an LF-* filter_labels_test.txt).</summary>
    public LabelFilter? Filter { get; init; }

    /// <summary>Data files by role ("train", "heldout", "test") for the report.</summary>
    public IReadOnlyDictionary<string, string>? DatasetFiles { get; init; }

    /// <summary>Checks the values (no data needed).</summary>
    public ExperimentSettings Validate()
    {
        if (TopK < 1) throw new ArgumentException($"top-k must be at least 1, got {TopK}");
        if (Ks is null || Ks.Count == 0 || Ks.Any(k => k < 1)) throw new ArgumentException("the metrics' k must be a non-empty list of values of at least 1");
        if (!(PropensityA > 0) || !(PropensityB > 0)) throw new ArgumentException($"propensity constants must be positive, got A={PropensityA}, B={PropensityB}");
        return this;
    }
}

/// <summary>What an experiment produced: the trained model (the caller disposes it), the test predictions, the report.</summary>
public sealed record ExperimentResult(IXcModel Model, TopKPredictions Predictions, RunReport Report) : IDisposable
{
    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The one pipeline every front end (CLI commands, the demo, comparisons, notebooks, scripts) runs: train → predict
/// the test split (top k per point, never an N x L score matrix) → metrics (P@k, nDCG@k, R@k, and PSP@k/PSnDCG@k
/// with the training labels' propensities; accuracy on multi-class data) → <see cref="RunReport"/> (train and
/// predict seconds, model bytes, peak memory, the model's own details) → optional saving of model, report and
/// predictions. `xcn predict` + `xcn eval` reproduce the report's metrics from the saved model.
/// </summary>
public static class Experiment
{
    /// <summary>Runs <paramref name="method"/> with <paramref name="options"/> (of its options type) on <paramref name="data"/>.</summary>
    public static ExperimentResult Run(XcMethod method, DataSplits data, object options, ExperimentSettings? settings = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        settings = (settings ?? new ExperimentSettings()).Validate();
        monitor ??= TrainingMonitor.Silent;
        method.Validate(options);
        if (data.Train.NumLabels != data.Test.NumLabels)
            throw new ArgumentException($"{data.Train.Name} has {data.Train.NumLabels} labels, {data.Test.Name} has {data.Test.NumLabels}");
        // Outputs are checked before training: a run is never lost to an unwritable path at the end.
        foreach (var path in new[] { settings.ModelPath, settings.ReportPath, settings.PredictionsPath })
            if (path is not null) InputFile.CheckWritableFile(path);

        var clock = Stopwatch.StartNew();
        var model = method.Train(data.Train, data.Heldout, options, monitor);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            clock.Restart();
            var predictions = Predict(model, data.Test, settings.TopK, settings.Filter);
            double predictSeconds = clock.Elapsed.TotalSeconds;
            var metrics = new Dictionary<string, double>();
            if (data.Train.Labels.IsMultiClass)
                metrics["accuracy"] = 100 * XcMetrics.Accuracy(data.Test.Labels, predictions.Top1());
            foreach (var (name, value) in Evaluate(data.Test.Labels, predictions, settings, data.Train.Labels).ToDictionary(ks: settings.Ks))
                metrics[name] = value;
            var details = new Dictionary<string, object?>();
            if (model is IReportDetails own)
            {
                var extra = own.ReportDetails(data, predictions, predictSeconds, monitor);
                foreach (var (name, value) in extra.Metrics) metrics[name] = value;
                foreach (var (name, value) in extra.Details) details[name] = value;
            }
            if (settings.ModelPath is { } modelPath)
            {
                model.Save(modelPath);
                monitor.Write($"Model saved to {modelPath}");
            }
            var report = new RunReport
            {
                Method = model.Method,
                DatasetFiles = settings.DatasetFiles ?? new Dictionary<string, string>(),
                Options = options,
                Metrics = metrics,
                TrainSeconds = trainSeconds,
                PredictSeconds = predictSeconds,
                ModelBytes = model.SizeBytes,
                Details = details,
            };
            if (settings.ReportPath is { } reportPath) report.Save(reportPath);
            if (settings.PredictionsPath is { } predictionsPath) predictions.Save(predictionsPath, data.Test.NumLabels);
            return new ExperimentResult(model, predictions, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Runs the method called <paramref name="method"/> (see <see cref="XcMethods.Find"/>).</summary>
    public static ExperimentResult Run<TOptions>(string method, DataSplits data, TOptions options, ExperimentSettings? settings = null, TrainingMonitor? monitor = null)
        where TOptions : class =>
        Run(XcMethods.Find(method), data, options, settings, monitor);

    /// <summary>
    /// The top <paramref name="k"/> labels of every point of <paramref name="data"/>, without the pairs of
    /// <paramref name="filter"/> (removed before ranking by models that can, else after): what the experiment and
    /// `xcn predict` both call.
    /// </summary>
    public static TopKPredictions Predict(IXcModel model, Dataset data, int k, LabelFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (filter is null) return model.TopK(data, k);
        return model is IFilteredTopK filtered ? filtered.TopK(data, k, filter) : filter.Apply(model.TopK(data, k));
    }

    /// <summary>
    /// pyxclib's metrics of <paramref name="predictions"/> for k = 1..max(Ks), with PSP and PSnDCG when
    /// <paramref name="trainLabels"/> are given (propensities A and B of <paramref name="settings"/>).
    /// </summary>
    public static MetricReport Evaluate(LabelMatrix truth, TopKPredictions predictions, ExperimentSettings settings, LabelMatrix? trainLabels = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predictions);
        settings = (settings ?? new ExperimentSettings()).Validate();
        if (trainLabels is not null && trainLabels.NumLabels != truth.NumLabels)
            throw new ArgumentException($"the training labels have {trainLabels.NumLabels} labels, the ground truth {truth.NumLabels}");
        var inverse = trainLabels is null ? null : Propensity.Inverse(trainLabels, settings.PropensityA, settings.PropensityB);
        return XcMetrics.Evaluate(truth, predictions, settings.Ks.Max(), inverse);
    }
}
