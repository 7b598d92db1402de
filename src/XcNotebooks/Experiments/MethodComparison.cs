using XcNotebooks.Methods.Baselines;
using System.Globalization;
using System.Text;
using XcNotebooks.Learners;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using XcNotebooks.Metrics;

namespace XcNotebooks.Experiments;

/// <summary>
/// One method's line of a comparison: test metrics in percent (P@k, nDCG@k, PSP@k for k = 1, 3, 5), training and test
/// seconds, the classifiers evaluated per test point (one-vs-rest: all; HierarchicalXC: those on the explored paths),
/// and NeuralXC's per-epoch history (for training curves).
/// </summary>
public sealed record ComparisonRow(
    string Dataset,
    string Method,
    IReadOnlyDictionary<string, double> Metrics,
    double TrainSeconds,
    double PredictSeconds,
    double? ClassifiersPerPoint = null,
    IReadOnlyList<NeuralXcEpoch>? History = null)
{
    /// <summary>The model's size in bytes (its <see cref="IXcModel.SizeBytes"/>).</summary>
    public long ModelBytes { get; init; }

    /// <summary>
    /// The process's peak working set during this row's run (training, prediction, evaluation), data included, when
    /// <see cref="PeakMemoryOfRunOnly"/>; else the process's peak since it started.
    /// </summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>True when the peak was started afresh before this row's run (<see cref="RunReport.ResetPeakMemory"/>).</summary>
    public bool PeakMemoryOfRunOnly { get; init; }

    /// <summary>The number of test points predicted.</summary>
    public int TestPoints { get; init; }

    /// <summary>Prediction time per test point in microseconds (NaN without test points).</summary>
    public double PredictMicrosecondsPerPoint => TestPoints > 0 ? 1e6 * PredictSeconds / TestPoints : double.NaN;
}

/// <summary>One row of a comparison to run: its display name, the registered method (<see cref="XcMethods"/> name) and its options.</summary>
/// <param name="Name">The row's name in tables and charts (distinct within a comparison).</param>
/// <param name="Method">The method's registered name ("wltls", "ovr", ...).</param>
/// <param name="Options">Options of the method's options type.</param>
public sealed record ComparisonRun(string Name, string Method, object Options);

/// <summary>Which methods a comparison runs, with their settings (a method whose entry is empty is left out).</summary>
public sealed record MethodComparisonOptions
{
    /// <summary>Largest k of the metrics.</summary>
    public int K { get; init; } = 5;

    /// <summary>Run the label popularity baseline.</summary>
    public bool Popularity { get; init; } = true;

    /// <summary>The k-NN baseline's settings (null: skip it).</summary>
    public KNearestNeighboursOptions? KNearestNeighbours { get; init; } = new();

    /// <summary>The one-vs-rest linear baseline's settings (null: skip it). Default: L2-SVM by dual coordinate descent on unit-norm rows, bias feature 1.</summary>
    public OneVsRestOptions? OneVsRest { get; init; } = new() { Bias = 1 };

    /// <summary>The Parabel-style label tree's settings (null: skip it).</summary>
    public Methods.Parabel.ParabelOptions? Parabel { get; init; } = new();

    /// <summary>NeuralXC runs by display name (e.g. the report's settings and a tuned variant).</summary>
    public IReadOnlyDictionary<string, NeuralXcOptions> NeuralXc { get; init; } =
        new Dictionary<string, NeuralXcOptions> { ["NeuralXC"] = new() };

    /// <summary>HierarchicalXC runs by display name.</summary>
    public IReadOnlyDictionary<string, HierarchicalXcOptions> HierarchicalXc { get; init; } =
        new Dictionary<string, HierarchicalXcOptions> { ["HierarchicalXC"] = new() };

    /// <summary>
    /// The settings of the NeuralXC issue's table (benchmarks/results/autoencoders-table.md): the baselines, NeuralXC
    /// with the authors' report settings and with a linear regressor output (no tanh, Adam lr 1e-3), HierarchicalXC on
    /// the raw features and behind a 100-wide linear autoencoder. The epoch counts default to the table's; notebooks
    /// lower them in fast mode (the method names say the counts used). With <paramref name="linearCodesEpochs"/> &gt; 0
    /// a third NeuralXC run uses <see cref="NeuralXcOptions.LinearCodes"/> with lr 1e-3 in batches of 64.
    /// </summary>
    public static MethodComparisonOptions AutoencoderTable(int reportEpochs = 10, int linearOutputEpochs = 30, int autoencoderEpochs = 10,
        int linearCodesEpochs = 0)
    {
        var neuralXc = new Dictionary<string, NeuralXcOptions>
        {
            [$"NeuralXC (report settings, {reportEpochs} epochs)"] = new() { Epochs = reportEpochs },
            [$"NeuralXC (linear regressor output, lr 1e-3, {linearOutputEpochs} epochs)"] = new()
            {
                Activations = NeuralXcActivations.LinearRegressorOutput,
                LearningRate = 1e-3f,
                Epochs = linearOutputEpochs,
            },
        };
        if (linearCodesEpochs > 0)
            // lr 1e-3 in batches of 64 on bibtex: P@1 55.1 at 20 epochs, against 53.0 with the demo's lr 3e-3 in batches of 32.
            neuralXc[$"NeuralXC (linear codes, no weight decay, lr 1e-3, {linearCodesEpochs} epochs)"] =
                NeuralXcOptions.Recommended with { Epochs = linearCodesEpochs };
        return new()
        {
            NeuralXc = neuralXc,
            HierarchicalXc = new Dictionary<string, HierarchicalXcOptions>
            {
                ["HierarchicalXC (raw features)"] = new(),
                ["HierarchicalXC (linear autoencoder, 100)"] = new() { AutoencoderDimension = 100, AutoencoderEpochs = autoencoderEpochs },
            },
        };
    }
}

/// <summary>
/// The comparison of the autoencoder methods with the baselines on a data set's test split (the bibtex / enron table of
/// the NeuralXC issue): popularity, cosine k-NN, one-vs-rest linear, NeuralXC and HierarchicalXC, each trained on the
/// training split and evaluated by the one pipeline (<see cref="Experiment.Run"/>).
/// </summary>
public static class MethodComparison
{
    /// <summary>The metric columns of the table, in order.</summary>
    public static IReadOnlyList<string> MetricNames { get; } = ["P@1", "P@3", "P@5", "nDCG@1", "nDCG@3", "nDCG@5", "PSP@1", "PSP@3", "PSP@5"];

    /// <summary>Trains and tests every method of <paramref name="options"/> on <paramref name="data"/>, one row each.</summary>
    public static IReadOnlyList<ComparisonRow> Run(DataSplits data, MethodComparisonOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new MethodComparisonOptions();
        var runs = new List<ComparisonRun>();
        if (options.Popularity) runs.Add(new("popularity", LabelPopularity.MethodName, new LabelPopularityOptions()));
        if (options.KNearestNeighbours is { } knn)
            runs.Add(new($"{knn.Neighbours}-NN (cosine, {knn.Weighting.ToString().ToLowerInvariant()})", KNearestNeighbours.MethodName, knn));
        if (options.OneVsRest is { } ovr)
            runs.Add(new($"one-vs-rest ({ovr.Description})", OneVsRestLinear.MethodName, ovr));
        if (options.Parabel is { } parabel)
            runs.Add(new($"Parabel-style tree (leaves <= {parabel.MaxLeafLabels}, beam {parabel.Beam})", Methods.Parabel.Parabel.MethodName, parabel));
        foreach (var (method, nxc) in options.NeuralXc)
            runs.Add(new(method, Methods.NeuralXc.NeuralXc.MethodName, nxc));
        foreach (var (method, hxc) in options.HierarchicalXc)
            runs.Add(new(method, Methods.HierarchicalXc.HierarchicalXc.MethodName, hxc));
        return Run(data, runs, options.K, monitor);
    }

    /// <summary>
    /// Trains and tests each of <paramref name="runs"/> on <paramref name="data"/> through the one pipeline
    /// (<see cref="Experiment.Run"/>), one after the other, one row each: metrics for k = 1, 3, 5 up to
    /// <paramref name="k"/>, train and predict seconds, model bytes, and each run's own peak memory where the system
    /// lets the peak be reset (Linux; <see cref="ComparisonRow.PeakMemoryOfRunOnly"/>).
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Run(DataSplits data, IEnumerable<ComparisonRun> runs, int k = 5, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(runs);
        monitor ??= TrainingMonitor.Silent;
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var list = runs.ToList();
        if (list.Select(r => r.Name).Distinct().Count() != list.Count)
            throw new ArgumentException($"two runs share a name: {string.Join(", ", list.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'"))}; give the runs distinct names");
        foreach (var run in list) XcMethods.Find(run.Method).Validate(run.Options); // every run's options before the first trains
        var train = data.Train;
        string name = train.Name.Split('.', '_')[0];
        var settings = new ExperimentSettings { TopK = k, Ks = new[] { 1, 3, 5 }.Where(x => x <= k).ToArray() };
        var rows = new List<ComparisonRow>();
        foreach (var run in list)
        {
            monitor.Write($"{name}: {run.Name}");
            // The previous run's model is gone: give its memory back so the peak below is this run's.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            bool ownPeak = RunReport.ResetPeakMemory();
            using var result = Experiment.Run(XcMethods.Find(run.Method), data, run.Options, settings, monitor);
            var report = result.Report;
            var metrics = MetricNames.Where(report.Metrics.ContainsKey).ToDictionary(m => m, m => report.Metrics[m]);
            double? classifiers = report.Details.TryGetValue("classifiersEvaluatedPerPoint", out var evaluated) && evaluated is double perPoint ? perPoint
                : run.Method == OneVsRestLinear.MethodName ? train.NumLabels : null;
            var row = new ComparisonRow(name, run.Name, metrics, report.TrainSeconds, report.PredictSeconds, classifiers,
                (result.Model as NeuralXcModel)?.History)
            {
                ModelBytes = report.ModelBytes,
                PeakMemoryBytes = report.PeakMemoryBytes,
                PeakMemoryOfRunOnly = ownPeak,
                TestPoints = data.Test.NumPoints,
            };
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {run.Name}: P@1 {row.Metrics["P@1"]:F2}, P@5 {(row.Metrics.TryGetValue("P@5", out var p5) ? p5 : double.NaN):F2}, train {row.TrainSeconds:F1}s"));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// A run report of the comparison: metrics named "METHOD P@1" etc. (percent), the summed training and test
    /// seconds, the rows (without NeuralXC's histories) and the Markdown table under details.
    /// </summary>
    public static RunReport ToRunReport(IReadOnlyList<ComparisonRow> rows, MethodComparisonOptions options,
        IReadOnlyDictionary<string, string>? datasetFiles = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var metrics = new Dictionary<string, double>();
        foreach (var row in rows)
            foreach (var (metric, value) in row.Metrics)
                if (!metrics.TryAdd($"{row.Method} {metric}", value))
                    throw new ArgumentException($"two rows are named '{row.Method}': give the runs distinct names");
        return new RunReport
        {
            Method = "method-comparison",
            DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
            Options = options,
            Metrics = metrics,
            TrainSeconds = rows.Sum(r => r.TrainSeconds),
            PredictSeconds = rows.Sum(r => r.PredictSeconds),
            Details = new Dictionary<string, object?>
            {
                ["rows"] = rows.Select(r => r with { History = null }).ToArray(),
                ["markdown"] = ToMarkdown(rows),
            },
        };
    }

    /// <summary>The rows as a table: data set, method, metrics, seconds, classifiers per point.</summary>
    public static HtmlTable ToTable(IEnumerable<ComparisonRow> rows)
    {
        var list = rows.ToList();
        var metrics = MetricNames.Where(m => list.Any(r => r.Metrics.ContainsKey(m))).ToArray();
        var columns = new List<string> { "data set", "method" };
        columns.AddRange(metrics);
        columns.AddRange(["train s", "test s", "classifiers / point"]);
        var cells = list.Select(r =>
        {
            var row = new List<object?> { r.Dataset, r.Method };
            row.AddRange(metrics.Select(m => (object?)(r.Metrics.TryGetValue(m, out var v) ? v : null)));
            row.AddRange([r.TrainSeconds, r.PredictSeconds, r.ClassifiersPerPoint]);
            return (IReadOnlyList<object?>)row;
        }).ToList();
        return new HtmlTable(columns, cells) { Caption = "Test metrics (%)", RealFormat = "F2" };
    }

    /// <summary>The columns of <see cref="ToCostTable"/> after the method's name.</summary>
    public static IReadOnlyList<string> CostColumns { get; } = ["P@1", "P@5", "PSP@5", "train s", "predict µs/point", "model MB", "peak memory MB"];

    /// <summary>
    /// The rows as accuracy against cost (issue 16's table): method, P@1, P@5, PSP@5 (%), train seconds, predict µs
    /// per test point, model MB and peak memory MB (the run's own peak, data included, where it could be measured; the
    /// caption says which).
    /// </summary>
    public static HtmlTable ToCostTable(IEnumerable<ComparisonRow> rows)
    {
        var list = rows.ToList();
        const double mega = 1e6;
        var cells = list.Select(r => (IReadOnlyList<object?>)
        [
            r.Method,
            Metric(r, "P@1"), Metric(r, "P@5"), Metric(r, "PSP@5"),
            r.TrainSeconds, r.PredictMicrosecondsPerPoint, r.ModelBytes / mega, r.PeakMemoryBytes / mega,
        ]).ToList();
        string peak = list.All(r => r.PeakMemoryOfRunOnly)
            ? "peak memory: the process's peak resident set during the run, data included"
            : "peak memory: the process's peak resident set since it started (it could not be reset between runs)";
        string dataset = list.Count > 0 ? list[0].Dataset : "";
        return new HtmlTable(["method", .. CostColumns], cells)
        {
            Caption = $"{dataset}: test metrics (%), times and sizes; {peak}",
            RealFormat = "F2",
        };
    }

    private static double? Metric(ComparisonRow row, string metric) => row.Metrics.TryGetValue(metric, out var v) ? v : null;

    /// <summary>The rows as a Markdown table (for results files).</summary>
    public static string ToMarkdown(IEnumerable<ComparisonRow> rows) => ToMarkdown(ToTable(rows));

    /// <summary><see cref="ToCostTable"/> as a Markdown table (for results files and scripts).</summary>
    public static string ToCostMarkdown(IEnumerable<ComparisonRow> rows) => ToMarkdown(ToCostTable(rows));

    private static string ToMarkdown(HtmlTable table)
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", table.Columns).AppendLine(" |");
        int textColumns = table.Columns.TakeWhile(c => c is "data set" or "method").Count();
        sb.Append("| ").AppendJoin(" | ", table.Columns.Select((_, i) => i < textColumns ? "---" : "---:")).AppendLine(" |");
        foreach (var row in table.Rows)
            sb.Append("| ").AppendJoin(" | ", row.Select(c => c switch
            {
                null => "-",
                double d => d.ToString("F2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            })).AppendLine(" |");
        return sb.ToString();
    }
}
