using System.Globalization;
using XcNotebooks.Metrics;
using XcNotebooks.Core;

namespace XcNotebooks.Plotting;

/// <summary>A named series of points (x, y), one line of a line chart.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>A series over epochs 1..n (x = 1, 2, ...).</summary>
    public static ChartSeries OverEpochs(string name, IReadOnlyList<double> values) =>
        new(name, Enumerable.Range(1, values.Count).Select(e => (double)e).ToArray(), values);
}

/// <summary>One labelled point of a trade-off chart: its cost (time, size, ...) and accuracy; points of a group share a colour.</summary>
public sealed record TradeOffPoint(string Label, double Cost, double Accuracy, string Group = "");

/// <summary>
/// One bar of a grouped bar chart with error bars: the <paramref name="Mean"/> of <paramref name="Series"/> in
/// <paramref name="Category"/>, with a symmetric error bar of <paramref name="StandardDeviation"/> (figures over seeds).
/// </summary>
public sealed record SpreadBar(string Category, string Series, double Mean, double StandardDeviation);

/// <summary>A named value marked on a chart's x axis (a vertical line), e.g. the score of one assignment among random ones.</summary>
public sealed record ValueMarker(string Name, double Value);

/// <summary>
/// The kit's chart builders (figures rendered by Plotly.NET, returned as <see cref="XcChart"/>), all styled by <see cref="ChartStyle"/>: lines over epochs, metric bars
/// by method, cost/accuracy trade-offs and heatmaps. Each call builds a new chart. Display them in a notebook,
/// add them to an HtmlReport (Reports), save them with <see cref="ChartHtml"/> or <see cref="ChartExport"/>.
/// </summary>
public static class Charts
{
    /// <summary>A line chart with one line per series (markers on the points).</summary>
    public static XcChart Lines(IEnumerable<ChartSeries> series, string title = "", string xTitle = "epoch", string yTitle = "",
        bool logY = false, ChartStyle? style = null)
    {
        var all = series.ToList();
        var figure = LineChart(all, title, xTitle, yTitle, logX: false, logY, showMarkers: true, style);
        if (IsFewWholeNumbers(all.SelectMany(s => s.X))) figure.Object("xaxis")["dtick"] = 1;
        return figure.ToChart();
    }

    /// <summary>
    /// A line chart on log-log axes (one line per series, markers on the points): how a cost grows with a size, where
    /// a power law y ∝ x^a is a straight line of slope a (the scaling sweep's model bytes, times against labels).
    /// </summary>
    public static XcChart LogLog(IEnumerable<ChartSeries> series, string title = "", string xTitle = "", string yTitle = "", ChartStyle? style = null) =>
        LineChart(series.ToList(), title, xTitle, yTitle, logX: true, logY: true, showMarkers: true, style).ToChart();

    /// <summary>
    /// Metrics against k: one line per method and metric, k = 1..K, in percent; a colour per method, a dash style
    /// per metric. <paramref name="metrics"/> names pyxclib's families ("P", "nDCG", "R", "PSP", "PSnDCG"; default:
    /// P, nDCG and, for reports with propensities, PSP).
    /// </summary>
    public static XcChart MetricsByK(IReadOnlyDictionary<string, MetricReport> reportsByMethod, IReadOnlyList<string>? metrics = null,
        string title = "", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(reportsByMethod);
        return MetricsByK(reportsByMethod.Select(kv => Tuple.Create(kv.Key, kv.Value)), metrics, title, style);
    }

    /// <summary>
    /// Metrics against k from (method, report) pairs, in their order: F# passes a list literal
    /// <c>[ "W-LTLS", report1; "OvR", report2 ]</c> as it is (see the dictionary overload).
    /// </summary>
    public static XcChart MetricsByK(IEnumerable<Tuple<string, MetricReport>> reportsByMethod, IReadOnlyList<string>? metrics = null,
        string title = "", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(reportsByMethod);
        var reports = reportsByMethod.ToArray();
        if (reports.Length == 0) throw new ArgumentException("a metrics chart needs at least one report");
        var palette = (style ?? ChartStyle.Default).Palette;
        string[] dashes = ["solid", "dash", "dot", "dashdot", "longdash"];
        var families = metrics ?? ["P", "nDCG", "PSP"];
        var figure = new FigureBuilder();
        int method = 0;
        foreach (var (name, report) in reports)
        {
            for (int m = 0; m < families.Count; m++)
            {
                var values = MetricFamily(report, families[m]);
                if (values is null)
                {
                    if (metrics is null) continue; // PSP by default only where propensities were given
                    throw new ArgumentException($"the report of '{name}' has no {families[m]} (PSP and PSnDCG need inverse propensities)");
                }
                string label = reports.Length == 1 ? $"{families[m]}@k" : $"{name}: {families[m]}@k";
                figure.Add("scatter", Line(label, Enumerable.Range(1, report.K).Select(k => (double)k).ToArray(), values.Select(v => 100 * v).ToArray(),
                    showMarkers: true, color: palette[method % palette.Count], dash: dashes[m % dashes.Length]));
            }
            method++;
        }
        if (figure.TraceCount == 0) throw new ArgumentException("none of the reports has the metrics asked for");
        figure.Finish(style, title, "k", "%").Object("xaxis")["dtick"] = 1;
        return figure.ToChart();
    }

    /// <summary>
    /// Label frequencies in decreasing order, the long tail of XC data: one line per data set, x = label rank
    /// (1 = most frequent), y = points carrying the label. On <paramref name="logAxes"/> (default) labels without
    /// points are left out, since a log axis cannot show 0.
    /// </summary>
    public static XcChart LabelFrequencies(IEnumerable<Dataset> datasets, string title = "label frequencies", bool logAxes = true,
        ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var series = datasets.Select(d =>
        {
            var counts = d.Labels.LabelCounts().Where(c => !logAxes || c > 0).Select(c => (double)c).OrderDescending().ToArray();
            return new ChartSeries(d.Name, Enumerable.Range(1, counts.Length).Select(r => (double)r).ToArray(), counts);
        }).ToList();
        string scale = logAxes ? " (log scale)" : "";
        return LineChart(series, title, "label rank" + scale, "points with the label" + scale, logAxes, logAxes, showMarkers: false, style).ToChart();
    }

    /// <summary>
    /// One line per named series over epochs 1..n ("train loss", "P@1", ...). Any list type serves as the values
    /// (double[], List&lt;double&gt;, an F# list, ...).
    /// </summary>
    public static XcChart OverEpochs<TValues>(IReadOnlyDictionary<string, TValues> seriesByName, string title = "",
        string yTitle = "", bool logY = false, ChartStyle? style = null) where TValues : IReadOnlyList<double>
    {
        ArgumentNullException.ThrowIfNull(seriesByName);
        return OverEpochs(seriesByName.Select(kv => Tuple.Create(kv.Key, kv.Value)), title, yTitle, logY, style);
    }

    /// <summary>
    /// One line per (name, values) pair over epochs 1..n, in their order: F# passes a list literal
    /// <c>[ "train loss", losses; "P@1", precisions ]</c> as it is.
    /// </summary>
    public static XcChart OverEpochs<TValues>(IEnumerable<Tuple<string, TValues>> series, string title = "",
        string yTitle = "", bool logY = false, ChartStyle? style = null) where TValues : IReadOnlyList<double>
    {
        ArgumentNullException.ThrowIfNull(series);
        return Lines(series.Select(s => ChartSeries.OverEpochs(s.Item1, s.Item2)), title, "epoch", yTitle, logY, style);
    }

    /// <summary>
    /// Grouped bars: one group per method, one bar per metric. <paramref name="metricsByMethod"/> maps a method to its
    /// metrics ("P@1" -> 83.2); <paramref name="metrics"/> picks and orders the metrics (default: those of the first
    /// method). A metric a method lacks is left out of its group.
    /// </summary>
    public static XcChart MetricBars(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> metricsByMethod,
        IReadOnlyList<string>? metrics = null, string title = "", string yTitle = "%", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(metricsByMethod);
        return MetricBars(metricsByMethod.Select(kv => Tuple.Create(kv.Key, kv.Value)), metrics, title, yTitle, style);
    }

    /// <summary>
    /// Grouped bars from (method, metrics) pairs, one group per pair in their order: F# passes a list literal
    /// <c>[ "W-LTLS", report1.Metrics; "OvR", report2.Metrics ]</c> as it is (see the dictionary overload).
    /// </summary>
    public static XcChart MetricBars(IEnumerable<Tuple<string, IReadOnlyDictionary<string, double>>> metricsByMethod,
        IReadOnlyList<string>? metrics = null, string title = "", string yTitle = "%", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(metricsByMethod);
        var methods = metricsByMethod.ToArray();
        if (methods.Length == 0) throw new ArgumentException("a bar chart needs at least one method");
        metrics ??= methods[0].Item2.Keys.ToArray();
        var figure = new FigureBuilder();
        foreach (var metric in metrics)
        {
            var having = methods.Where(m => m.Item2.ContainsKey(metric)).ToArray();
            figure.Add("bar", new()
            {
                ["name"] = metric,
                ["x"] = having.Select(m => m.Item1).ToArray(),
                ["y"] = having.Select(m => m.Item2[metric]).ToArray(),
            });
        }
        return figure.Finish(style, title, "method", yTitle).ToChart();
    }

    /// <summary>Grouped metric bars from run reports (one group per report, labelled by its method).</summary>
    public static XcChart MetricBars(IEnumerable<RunReport> reports, IReadOnlyList<string>? metrics = null, string title = "",
        ChartStyle? style = null)
    {
        var byMethod = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        foreach (var r in reports)
        {
            var name = r.Method;
            for (int i = 2; byMethod.ContainsKey(name); i++) name = $"{r.Method} ({i})";
            byMethod[name] = r.Metrics;
        }
        return MetricBars(byMethod, metrics, title, "%", style);
    }

    /// <summary>
    /// Cost against accuracy: one marker per point, labelled, one colour per group (e.g. method), so the better
    /// trade-offs sit top-left. Use <paramref name="logX"/> when costs span orders of magnitude.
    /// </summary>
    public static XcChart TradeOff(IEnumerable<TradeOffPoint> points, string title = "", string xTitle = "cost",
        string yTitle = "accuracy (%)", bool logX = false, ChartStyle? style = null)
    {
        var groups = points.GroupBy(p => p.Group).ToList();
        if (groups.Count == 0) throw new ArgumentException("a trade-off chart needs at least one point");
        var figure = new FigureBuilder();
        foreach (var g in groups)
            figure.Add("scatter", new()
            {
                ["name"] = g.Key,
                ["showlegend"] = g.Key.Length > 0,
                ["x"] = g.Select(p => p.Cost).ToArray(),
                ["y"] = g.Select(p => p.Accuracy).ToArray(),
                ["mode"] = "markers+text",
                ["text"] = g.Select(p => p.Label).ToArray(),
                ["textposition"] = "top center",
            });
        return figure.Finish(style, title, xTitle, yTitle, logX).ToChart();
    }

    /// <summary>
    /// A heatmap of <paramref name="z"/> (rows top to bottom, as a matrix is read), with optional row and column
    /// labels (default: indices).
    /// </summary>
    public static XcChart Heatmap(IReadOnlyList<IReadOnlyList<double>> z, IReadOnlyList<string>? columnLabels = null,
        IReadOnlyList<string>? rowLabels = null, string title = "", string xTitle = "", string yTitle = "", ChartStyle? style = null)
    {
        if (z.Count == 0) throw new ArgumentException("a heatmap needs at least one row");
        int cols = z[0].Count;
        for (int r = 0; r < z.Count; r++)
            if (z[r].Count != cols) throw new ArgumentException($"heatmap row {r} has {z[r].Count} values, row 0 has {cols}");
        if (columnLabels is not null && columnLabels.Count != cols)
            throw new ArgumentException($"{columnLabels.Count} column labels for {cols} columns");
        if (rowLabels is not null && rowLabels.Count != z.Count)
            throw new ArgumentException($"{rowLabels.Count} row labels for {z.Count} rows");
        var figure = new FigureBuilder().Add("heatmap", new()
        {
            ["z"] = z.Select(row => row.ToArray()).ToArray(),
            ["x"] = (columnLabels ?? Enumerable.Range(0, cols).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()).ToArray(),
            ["y"] = (rowLabels ?? Enumerable.Range(0, z.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()).ToArray(),
            ["colorscale"] = "Viridis",
        });
        figure.Finish(style, title, xTitle, yTitle).Object("yaxis")["autorange"] = "reversed";
        return figure.ToChart();
    }

    /// <summary>A heatmap of a dense matrix (confusion matrices, weights, similarities).</summary>
    public static XcChart Heatmap(RowMajorMatrix matrix, IReadOnlyList<string>? columnLabels = null,
        IReadOnlyList<string>? rowLabels = null, string title = "", string xTitle = "", string yTitle = "", ChartStyle? style = null)
    {
        var rows = new IReadOnlyList<double>[matrix.Rows];
        for (int r = 0; r < matrix.Rows; r++)
        {
            var row = new double[matrix.Cols];
            var span = matrix.Row(r);
            for (int c = 0; c < row.Length; c++) row[c] = span[c];
            rows[r] = row;
        }
        return Heatmap(rows, columnLabels, rowLabels, title, xTitle, yTitle, style);
    }

    /// <summary>
    /// Grouped bars with error bars (mean ± standard deviation): one group per category (in order of first
    /// appearance), one bar per series in each group, one colour per series. With <paramref name="zoom"/> the value
    /// axis does not start at 0 but half the bars' spread below the lowest error bar (never below 0 for non-negative
    /// bars), so that differences of a few points between high bars stay visible.
    /// </summary>
    public static XcChart SpreadBars(IEnumerable<SpreadBar> bars, string title = "", string xTitle = "", string yTitle = "",
        bool zoom = false, ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var all = bars.ToList();
        if (all.Count == 0) throw new ArgumentException("a bar chart needs at least one bar");
        foreach (var bar in all)
            if (!double.IsFinite(bar.Mean) || !double.IsFinite(bar.StandardDeviation) || bar.StandardDeviation < 0)
                throw new ArgumentException($"bar '{bar.Series}' of '{bar.Category}': mean {bar.Mean} ± {bar.StandardDeviation} is not a finite value with a non-negative spread");
        var figure = new FigureBuilder();
        foreach (var series in all.GroupBy(b => b.Series))
            figure.Add("bar", new()
            {
                ["name"] = series.Key,
                ["x"] = series.Select(b => b.Category).ToArray(),
                ["y"] = series.Select(b => b.Mean).ToArray(),
                ["error_y"] = new Dictionary<string, object?>
                {
                    ["type"] = "data",
                    ["array"] = series.Select(b => b.StandardDeviation).ToArray(),
                    ["visible"] = true,
                },
                ["hovertext"] = series.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Series}, {b.Category}: {b.Mean:G4} ± {b.StandardDeviation:G3}")).ToArray(),
                ["hoverinfo"] = "text",
            });
        figure.Finish(style, title, xTitle, yTitle).Set("barmode", "group");
        if (zoom)
        {
            double bottom = all.Min(b => b.Mean - b.StandardDeviation), top = all.Max(b => b.Mean + b.StandardDeviation);
            // Equal bars: a spread of 10% of their value (or 1) keeps the axis open.
            double spread = top > bottom ? top - bottom : Math.Max(Math.Abs(top) * 0.1, 1);
            double from = bottom - 0.5 * spread;
            if (all.All(b => b.Mean >= 0)) from = Math.Max(0, from);
            figure.Object("yaxis")["range"] = new[] { from, top + 0.05 * spread };
        }
        return figure.ToChart();
    }

    /// <summary>
    /// A histogram of <paramref name="values"/> in <paramref name="bins"/> equal bins over their range (counted
    /// here, so the figure holds the counts), with each of <paramref name="markers"/> drawn as a vertical line at its
    /// value (the axis stretches to show markers outside the values' range).
    /// </summary>
    public static XcChart Histogram(IReadOnlyList<double> values, IEnumerable<ValueMarker>? markers = null, int bins = 30,
        string name = "values", string title = "", string xTitle = "", string yTitle = "count", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("a histogram needs at least one value");
        if (bins < 1) throw new ArgumentException($"a histogram needs at least one bin, got {bins}");
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("histogram values must be finite numbers");
        var (centres, counts, width) = HistogramCounts(values, bins);
        var figure = new FigureBuilder().Add("bar", new()
        {
            ["name"] = name,
            ["x"] = centres,
            ["y"] = counts,
            ["width"] = Enumerable.Repeat(width, bins).ToArray(),
        });
        var palette = (style ?? ChartStyle.Default).Palette;
        double top = counts.Max() * 1.1;
        double left = centres[0] - width / 2, right = centres[^1] + width / 2;
        int colour = 1;
        foreach (var marker in markers ?? [])
        {
            if (!double.IsFinite(marker.Value)) throw new ArgumentException($"marker '{marker.Name}' is at {marker.Value}, not a finite number");
            (left, right) = (Math.Min(left, marker.Value), Math.Max(right, marker.Value));
            figure.Add("scatter", Line(string.Create(CultureInfo.InvariantCulture, $"{marker.Name} ({marker.Value:G4})"), [marker.Value, marker.Value], [0, top],
                showMarkers: false, color: palette[colour++ % palette.Count], dash: "dash", width: 2));
        }
        // A margin on both sides, so that a marker at the end of the range is not drawn on the frame.
        double pad = 0.04 * (right - left);
        figure.Finish(style, title, xTitle, yTitle).Object("xaxis")["range"] = new[] { left - pad, right + pad };
        return figure.ToChart();
    }

    /// <summary>Bin centres, counts and bin width of <paramref name="bins"/> equal bins over the range of the values (the last bin closed).</summary>
    internal static (double[] Centres, int[] Counts, double Width) HistogramCounts(IReadOnlyList<double> values, int bins)
    {
        double min = values.Min(), max = values.Max();
        // All values equal: one unit-wide range around them, so the bars keep a width.
        if (max == min) (min, max) = (min - 0.5, max + 0.5);
        double width = (max - min) / bins;
        var counts = new int[bins];
        foreach (var v in values) counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
        var centres = Enumerable.Range(0, bins).Select(i => min + (i + 0.5) * width).ToArray();
        return (centres, counts, width);
    }

    private static IReadOnlyList<double>? MetricFamily(MetricReport report, string name) => name switch
    {
        "P" => report.Precision,
        "nDCG" => report.Ndcg,
        "R" => report.Recall,
        "PSP" => report.PropensityPrecision,
        "PSnDCG" => report.PropensityNdcg,
        _ => throw new ArgumentException($"unknown metric '{name}': expected P, nDCG, R, PSP or PSnDCG"),
    };

    private static FigureBuilder LineChart(IReadOnlyList<ChartSeries> series, string title, string xTitle, string yTitle, bool logX, bool logY,
        bool showMarkers, ChartStyle? style)
    {
        if (series.Count == 0) throw new ArgumentException("a line chart needs at least one series");
        var figure = new FigureBuilder();
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"series '{s.Name}': {s.X.Count} x values but {s.Y.Count} y values");
            figure.Add("scatter", Line(s.Name, s.X.ToArray(), s.Y.ToArray(), showMarkers));
        }
        return figure.Finish(style, title, xTitle, yTitle, logX, logY);
    }

    /// <summary>The properties of a line trace (Plotly "scatter" in lines mode); colour, dash and width only where given.</summary>
    internal static Dictionary<string, object?> Line(string name, double[] x, double[] y, bool showMarkers, string? color = null, string? dash = null,
        double? width = null)
    {
        var line = new Dictionary<string, object?>();
        if (color is not null) line["color"] = color;
        if (dash is not null) line["dash"] = dash;
        if (width is not null) line["width"] = width;
        return new()
        {
            ["name"] = name,
            ["x"] = x,
            ["y"] = y,
            ["mode"] = showMarkers ? "lines+markers" : "lines",
            ["line"] = line.Count > 0 ? line : null,
        };
    }

    // Epoch axes: ticks 1, 2, 3 rather than 1, 1.5, 2 when the x values are few whole numbers.
    private static bool IsFewWholeNumbers(IEnumerable<double> xs)
    {
        var values = xs.ToArray();
        return values.Length > 0 && values.All(x => x == Math.Floor(x)) && values.Max() - values.Min() <= 20;
    }
}
