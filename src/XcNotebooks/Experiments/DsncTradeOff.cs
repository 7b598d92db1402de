using XcNotebooks.Methods.Dsnc;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

namespace XcNotebooks.Experiments;

/// <summary>One row of the accuracy-versus-code-length table.</summary>
/// <param name="Method">"DSNC decoder", "DSNC lookup (Hamming)", "DSNC lookup (likelihood)" or "W-LTLS".</param>
/// <param name="Model">"m=16" for DSNC, "b=5" for W-LTLS.</param>
/// <param name="Bits">Binary predictors: DSNC's code length m, W-LTLS's number of edges.</param>
/// <param name="TestAccuracy">Test accuracy, percent.</param>
/// <param name="PointsPerSecond">End-to-end prediction speed on the test split (encoding and decoding; best of 3).</param>
/// <param name="AverageNeighboursProbed">Lookup only: neighbouring codes tried per point.</param>
/// <param name="FallbackShare">Lookup only: share of points decided by the table scan (no hit within the cap).</param>
/// <param name="TrainSeconds">Training time of the model (shared by the rows of one DSNC model).</param>
/// <param name="CodedClasses">DSNC only: classes with a code in the table.</param>
/// <param name="CollidingClasses">DSNC only: classes whose most frequent code another class also wanted.</param>
public sealed record CodeLengthRow(string Method, string Model, int Bits, double TestAccuracy, double PointsPerSecond,
    double? AverageNeighboursProbed, double? FallbackShare, double TrainSeconds, int? CodedClasses, int? CollidingClasses);

/// <summary>
/// The accuracy-versus-code-length experiment (the paper's accuracy-versus-cost figure on DMOZ-12K): DSNC at several
/// code lengths m, decoded by the learned decoder and by code lookup (both neighbour orders), next to W-LTLS with the
/// slice width whose number of edges is nearest to m. Every model sees the same data and seed.
/// </summary>
public static class DsncTradeOff
{
    /// <summary>The code lengths of the default experiment.</summary>
    public static IReadOnlyList<int> DefaultCodeBits { get; } = [8, 16, 32, 64];

    /// <summary>Method names of the table's rows.</summary>
    public const string Decoder = "DSNC decoder", LookupHamming = "DSNC lookup (Hamming)", LookupLikelihood = "DSNC lookup (likelihood)", WltlsMethod = "W-LTLS";

    /// <summary>
    /// Trains DSNC (<paramref name="options"/> with CodeBits = m) for each m of <paramref name="codeBits"/> and W-LTLS
    /// (<paramref name="wltlsOptions"/>) at the slice widths nearest in edges; returns the table, DSNC rows first.
    /// </summary>
    public static IReadOnlyList<CodeLengthRow> Run(DataSplits data, IReadOnlyList<int>? codeBits = null, DsncOptions? options = null,
        WltlsOptions? wltlsOptions = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        codeBits ??= DefaultCodeBits;
        options ??= new DsncOptions();
        wltlsOptions ??= new WltlsOptions { Seed = options.Seed };
        monitor ??= TrainingMonitor.Silent;
        if (codeBits.Count == 0) throw new ArgumentException("the experiment needs at least one code length");
        var rows = new List<CodeLengthRow>();
        foreach (int m in codeBits)
        {
            var training = Dsnc.TrainDetailed(data.Train, data.Heldout, options with { CodeBits = m }, monitor with { Log = null });
            using var model = training.Model;
            var stats = model.CodeStatistics;
            int coded = model.CodeTable.Count;
            var (decoded, decoderSpeed) = Measure(() => model.Predict(data.Test), data.Test.NumPoints);
            rows.Add(new CodeLengthRow(Decoder, $"m={m}", m, 100 * XcMetrics.Accuracy(data.Test.Labels, decoded), decoderSpeed, null, null,
                training.TrainSeconds, coded, stats.CollidingClasses));
            foreach (var (method, order) in new[] { (LookupHamming, NeighbourOrder.HammingThenConfidence), (LookupLikelihood, NeighbourOrder.Likelihood) })
            {
                var (lookup, speed) = Measure(() => model.PredictByLookup(data.Test, order), data.Test.NumPoints);
                rows.Add(new CodeLengthRow(method, $"m={m}", m, 100 * XcMetrics.Accuracy(data.Test.Labels, lookup.Classes), speed,
                    lookup.AverageNeighboursProbed, lookup.FallbackShare, training.TrainSeconds, coded, stats.CollidingClasses));
            }
            foreach (var row in rows.TakeLast(3)) monitor.Write(Describe(row));
        }
        var widths = codeBits.Select(m => SliceWidthForBits(data.Train.NumLabels, m)).Distinct().Order().ToArray();
        foreach (var w in WltlsSweep.Run(data, widths, wltlsOptions, includeOneVsRest: false, monitor with { Log = null }))
        {
            rows.Add(new CodeLengthRow(WltlsMethod, w.Model, w.Predictors, w.TestAccuracy, 1e6 / Math.Max(w.PredictMicrosecondsPerPoint, 1e-9),
                null, null, w.TrainSeconds, null, null));
            monitor.Write(Describe(rows[^1]));
        }
        return rows;
    }

    /// <summary>
    /// The W-LTLS slice width (2..K) whose trellis has the number of edges nearest to <paramref name="bits"/> (ties:
    /// the narrower graph). Edges grow with the width, so widths past 2·bits + 2 are not tried.
    /// </summary>
    public static int SliceWidthForBits(int numClasses, int bits)
    {
        if (numClasses < 2) throw new ArgumentException($"W-LTLS needs at least 2 classes, got {numClasses}");
        if (bits < 1) throw new ArgumentException($"bits must be positive, got {bits}");
        int best = 2, bestGap = int.MaxValue;
        for (int b = 2; b <= Math.Min(numClasses, 2 * bits + 2); b++)
        {
            int gap = Math.Abs(TrellisGraph.Create(numClasses, b).NumEdges - bits);
            if (gap < bestGap) (best, bestGap) = (b, gap);
        }
        return best;
    }

    /// <summary>Accuracy against the number of binary predictors (code bits, trellis edges), one line per method.</summary>
    public static XcChart AccuracyByBitsChart(IReadOnlyList<CodeLengthRow> rows, string title = "Accuracy vs code length", ChartStyle? style = null) =>
        Charts.Lines(rows.GroupBy(r => r.Method).Select(g =>
        {
            var ordered = g.OrderBy(r => r.Bits).ToArray();
            return new ChartSeries(g.Key, ordered.Select(r => (double)r.Bits).ToArray(), ordered.Select(r => r.TestAccuracy).ToArray());
        }), title, "bits (DSNC code length m, W-LTLS edges)", "test accuracy (%)", style: style);

    /// <summary>Accuracy against prediction cost (microseconds per point, log scale), one colour per method.</summary>
    public static XcChart AccuracyByCostChart(IReadOnlyList<CodeLengthRow> rows, string title = "Accuracy vs prediction cost", ChartStyle? style = null) =>
        Charts.TradeOff(rows.Select(r => new TradeOffPoint(r.Model, 1e6 / r.PointsPerSecond, r.TestAccuracy, r.Method)), title,
            "prediction time per point (µs, log scale)", "test accuracy (%)", logX: true, style: style);

    /// <summary>A report page with both charts and the table.</summary>
    public static HtmlReport Report(IReadOnlyList<CodeLengthRow> rows, string dataName) =>
        new HtmlReport($"DSNC vs W-LTLS on {dataName}")
        {
            Introduction = "DSNC trained at each code length m and decoded by its learned decoder and by code lookup (Hamming radius first, " +
                "or most probable code first), next to W-LTLS with the slice width whose number of edges is nearest to m. " +
                "Prediction speed is end to end (encoding and decoding) on the test split, best of 3.",
        }.AddSection("Trade-off", ReportBlock.Chart(AccuracyByBitsChart(rows)), ReportBlock.Chart(AccuracyByCostChart(rows)),
            ReportBlock.Table(ToTable(rows)));

    /// <summary>
    /// A run report of the experiment: test accuracies named "METHOD MODEL accuracy" (percent), the training time of
    /// every model (DSNC's three decodings share one), both methods' options, and the rows under details.
    /// </summary>
    public static RunReport ToRunReport(IReadOnlyList<CodeLengthRow> rows, DsncOptions options, WltlsOptions wltlsOptions,
        IReadOnlyDictionary<string, string>? datasetFiles = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new RunReport
        {
            Method = "dsnc-tradeoff",
            DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
            Options = new Dictionary<string, object> { ["dsnc"] = options, ["wltls"] = wltlsOptions },
            Metrics = rows.ToDictionary(r => $"{r.Method} {r.Model} accuracy", r => r.TestAccuracy),
            TrainSeconds = rows.Where(r => r.Method is Decoder or WltlsMethod).Sum(r => r.TrainSeconds),
            Details = new Dictionary<string, object?> { ["table"] = rows },
        };
    }

    /// <summary>The rows as a table (reals with two decimals).</summary>
    public static HtmlTable ToTable(IReadOnlyList<CodeLengthRow> rows, string caption = "accuracy, cost and code statistics per model") =>
        HtmlTable.FromRecords(rows) with { Caption = caption, RealFormat = "F2" };

    /// <summary>One table line, e.g. "DSNC lookup (Hamming) m=16: 16 bits, test 91.2%, 52,000 points/s, 12.3 neighbours".</summary>
    public static string Describe(CodeLengthRow row) => string.Create(CultureInfo.InvariantCulture,
        $"{row.Method} {row.Model}: {row.Bits} bits, test {row.TestAccuracy:F1}%, {row.PointsPerSecond:N0} points/s") +
        (row.AverageNeighboursProbed is { } probed
            ? string.Create(CultureInfo.InvariantCulture, $", {probed:F1} neighbours probed, {100 * row.FallbackShare:F1}% fallbacks")
            : "");

    private static (T Result, double PointsPerSecond) Measure<T>(Func<T> predict, int points)
    {
        var result = predict();
        double best = double.PositiveInfinity;
        for (int rep = 0; rep < 3; rep++)
        {
            var clock = Stopwatch.StartNew();
            predict();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return (result, points / Math.Max(best, 1e-9));
    }
}
