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
    IReadOnlyList<NeuralXcEpoch>? History = null);

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
        monitor ??= TrainingMonitor.Silent;
        if (options.K < 1) throw new ArgumentException($"k must be at least 1, got {options.K}");
        var train = data.Train;
        string name = train.Name.Split('.', '_')[0];
        var rows = new List<ComparisonRow>();

        var settings = new ExperimentSettings { TopK = options.K, Ks = new[] { 1, 3, 5 }.Where(k => k <= options.K).ToArray() };
        ComparisonRow Row(string method, string registered, object methodOptions, Func<ExperimentResult, double?>? classifiers = null)
        {
            monitor.Write($"{name}: {method}");
            using var result = Experiment.Run(XcMethods.Find(registered), data, methodOptions, settings, monitor);
            var report = result.Report;
            var metrics = MetricNames.Where(report.Metrics.ContainsKey).ToDictionary(m => m, m => report.Metrics[m]);
            var row = new ComparisonRow(name, method, metrics, report.TrainSeconds, report.PredictSeconds, classifiers?.Invoke(result),
                (result.Model as NeuralXcModel)?.History);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {method}: P@1 {row.Metrics["P@1"]:F2}, P@5 {(row.Metrics.TryGetValue("P@5", out var p5) ? p5 : double.NaN):F2}, train {row.TrainSeconds:F1}s"));
            return row;
        }

        if (options.Popularity) rows.Add(Row("popularity", LabelPopularity.MethodName, new LabelPopularityOptions()));
        if (options.KNearestNeighbours is { } knn)
            rows.Add(Row($"{knn.Neighbours}-NN (cosine, {knn.Weighting.ToString().ToLowerInvariant()})", KNearestNeighbours.MethodName, knn));
        if (options.OneVsRest is { } ovr)
            rows.Add(Row($"one-vs-rest ({ovr.Description})", OneVsRestLinear.MethodName, ovr, _ => train.NumLabels));
        if (options.Parabel is { } parabel)
            rows.Add(Row($"Parabel-style tree (leaves <= {parabel.MaxLeafLabels}, beam {parabel.Beam})", Methods.Parabel.Parabel.MethodName, parabel));
        foreach (var (method, nxc) in options.NeuralXc)
            rows.Add(Row(method, Methods.NeuralXc.NeuralXc.MethodName, nxc));
        foreach (var (method, hxc) in options.HierarchicalXc)
            rows.Add(Row(method, Methods.HierarchicalXc.HierarchicalXc.MethodName, hxc,
                result => (double?)result.Report.Details["classifiersEvaluatedPerPoint"]));
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

    /// <summary>The rows as a Markdown table (for results files).</summary>
    public static string ToMarkdown(IEnumerable<ComparisonRow> rows)
    {
        var table = ToTable(rows);
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", table.Columns).AppendLine(" |");
        sb.Append("| ").AppendJoin(" | ", table.Columns.Select((_, i) => i < 2 ? "---" : "---:")).AppendLine(" |");
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
