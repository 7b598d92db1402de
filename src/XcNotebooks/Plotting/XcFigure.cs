using System.Globalization;

namespace XcNotebooks.Plotting;

/// <summary>
/// One trace of a figure: its Plotly type ("scatter", "bar", "heatmap", ...) and its properties as Plotly names
/// them ("x", "y", "name", "mode", "line", ...). Values are plain data: strings, numbers, arrays of them (null
/// entries leave gaps) and nested <c>IReadOnlyDictionary&lt;string, object?&gt;</c>; null values are left out.
/// </summary>
public sealed record XcTrace(string Type, IReadOnlyDictionary<string, object?> Properties);

/// <summary>
/// A figure as plain data, the kit's way to describe any chart without touching Plotly.NET: traces and layout
/// properties (Plotly's names: "title", "xaxis", "width", ...). <see cref="ToChart"/> renders it through Plotly.NET
/// (loaded in the kit's private load context) to an <see cref="XcChart"/>.
/// </summary>
public sealed record XcFigure(IReadOnlyList<XcTrace> Traces, IReadOnlyDictionary<string, object?> Layout)
{
    /// <summary>The chart of this figure: Plotly.NET's figure JSON (with its default template), the layout's size and title.</summary>
    public XcChart ToChart()
    {
        int width = Layout.TryGetValue("width", out var w) && w is int wi ? wi : ChartStyle.Default.Width;
        int height = Layout.TryGetValue("height", out var h) && h is int hi ? hi : ChartStyle.Default.Height;
        string title = Layout.TryGetValue("title", out var t) && t is IReadOnlyDictionary<string, object?> titleObject && titleObject.TryGetValue("text", out var text)
            ? text as string ?? ""
            : "";
        return new XcChart(PlotlyEngine.FigureJson(this), width, height, title);
    }
}

/// <summary>
/// Builds an <see cref="XcFigure"/> step by step (the chart builders' common tool): traces in order, layout
/// properties, axes as nested objects. Not shared: each builder call makes its own.
/// </summary>
internal sealed class FigureBuilder
{
    private readonly List<XcTrace> _traces = [];
    private readonly Dictionary<string, object?> _layout = [];

    public int TraceCount => _traces.Count;

    public FigureBuilder Add(string type, Dictionary<string, object?> properties)
    {
        _traces.Add(new XcTrace(type, properties));
        return this;
    }

    public FigureBuilder Set(string name, object? value)
    {
        _layout[name] = value;
        return this;
    }

    /// <summary>The layout object <paramref name="name"/> ("xaxis", "yaxis"), created on first use.</summary>
    public Dictionary<string, object?> Object(string name)
    {
        if (_layout.TryGetValue(name, out var value) && value is Dictionary<string, object?> existing) return existing;
        var created = new Dictionary<string, object?>();
        _layout[name] = created;
        return created;
    }

    /// <summary>The kit's style, then the title and the axis titles (log axes where asked).</summary>
    public FigureBuilder Finish(ChartStyle? style, string title, string xTitle, string yTitle, bool logX = false, bool logY = false)
    {
        (style ?? ChartStyle.Default).ApplyTo(this);
        if (title.Length > 0) Set("title", Text(title));
        Axis("xaxis", xTitle, logX);
        Axis("yaxis", yTitle, logY);
        return this;
    }

    public XcChart ToChart() => new XcFigure(_traces.ToArray(), new Dictionary<string, object?>(_layout)).ToChart();

    /// <summary>A Plotly text object, {"text": ...}.</summary>
    public static Dictionary<string, object?> Text(string text) => new() { ["text"] = text };

    // Axis types are set only for log scales: category axes (bars, heatmaps) must keep their inferred type.
    private void Axis(string name, string title, bool log)
    {
        var axis = Object(name);
        axis["title"] = Text(title);
        if (!log) return;
        axis["type"] = "log";
        // Plotly labels a log axis spanning less than a decade with bare digits ("7 8 9 1 2"): tick 1, 2, 5 × 10^k instead.
        var ticks = LogTicks(_traces.SelectMany(t => Numbers(t.Properties.GetValueOrDefault(name[0].ToString()))).Where(v => v > 0));
        if (ticks.Count == 0) return;
        axis["tickvals"] = ticks.ToArray();
        axis["ticktext"] = ticks.Select(TickText).ToArray();
    }

    /// <summary>The 1, 2, 5 × 10^k values from just below the smallest to just above the largest of <paramref name="values"/>.</summary>
    internal static IReadOnlyList<double> LogTicks(IEnumerable<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (!(v > 0) || double.IsInfinity(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (min > max) return [];
        var all = new List<double>();
        for (int k = (int)Math.Floor(Math.Log10(min)) - 1; k <= (int)Math.Ceiling(Math.Log10(max)) + 1; k++)
            foreach (double m in (ReadOnlySpan<double>)[1, 2, 5])
                all.Add(double.Parse($"{m}e{k}", CultureInfo.InvariantCulture)); // exact decimals: 0.2, not 0.20000000000000004
        int first = Math.Max(0, all.FindLastIndex(t => t <= min * (1 + 1e-9))), last = all.FindIndex(t => t >= max * (1 - 1e-9));
        return all.GetRange(first, (last < 0 ? all.Count - 1 : last) - first + 1);
    }

    /// <summary>A tick label: whole numbers with thousands separators, fractions as plain decimals (1,000, 20, 0.05).</summary>
    internal static string TickText(double value) =>
        value >= 1 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("0.##########", CultureInfo.InvariantCulture);

    private static IEnumerable<double> Numbers(object? values) => values switch
    {
        IEnumerable<double> d => d,
        IEnumerable<double?> d => d.Where(v => v.HasValue).Select(v => v!.Value),
        IEnumerable<float> f => f.Select(v => (double)v),
        IEnumerable<int> i => i.Select(v => (double)v),
        IEnumerable<long> l => l.Select(v => (double)v),
        _ => [],
    };
}

/// <summary>Line pieces drawn as one scatter trace, separated by nulls (Plotly leaves gaps there): edges of a graph, brackets of a dendrogram.</summary>
internal sealed class Polylines
{
    private readonly List<double?> _x = [];
    private readonly List<double?> _y = [];

    public void Add(IReadOnlyList<(double X, double Y)> polyline)
    {
        foreach (var (px, py) in polyline) { _x.Add(px); _y.Add(py); }
        _x.Add(null);
        _y.Add(null);
    }

    /// <summary>The scatter trace in "lines" mode; <paramref name="extra"/> properties (hoverinfo, showlegend, ...) are added.</summary>
    public Dictionary<string, object?> Trace(string name, string color, double width, params (string Name, object? Value)[] extra)
    {
        var trace = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["x"] = _x.ToArray(),
            ["y"] = _y.ToArray(),
            ["mode"] = "lines",
            ["line"] = new Dictionary<string, object?> { ["color"] = color, ["width"] = width },
        };
        foreach (var (key, value) in extra) trace[key] = value;
        return trace;
    }
}
