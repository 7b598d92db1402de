using System.Net;
using System.Security.Cryptography;
using System.Text;
using XcNotebooks.Core;

namespace XcNotebooks.Plotting;

/// <summary>How an HTML fragment gets plotly.js.</summary>
public enum PlotlyJsMode
{
    /// <summary>plotly.js is inlined (about 3.5 MB): works offline.</summary>
    Inline,

    /// <summary>plotly.js is loaded from the plotly CDN: small, needs a network.</summary>
    Cdn,

    /// <summary>No script tag: the page already has plotly.js (later charts of a notebook or report).</summary>
    AlreadyLoaded,
}

/// <summary>
/// Charts (<see cref="XcChart"/>) as HTML: fragments for notebooks and reports, and standalone pages that work offline (plotly.js
/// inlined from the copy Plotly.NET embeds, version <see cref="PlotlyJsVersion"/>). Output is deterministic: the same
/// chart gives the same HTML.
/// </summary>
public static class ChartHtml
{
    private static readonly Lazy<KeyValuePair<string, string>> Embedded = new(PlotlyEngine.EmbeddedPlotlyJs);

    /// <summary>The plotly.js version Plotly.NET embeds (e.g. "2.28.0").</summary>
    public static string PlotlyJsVersion => Embedded.Value.Key;

    /// <summary>The minified plotly.js source embedded in Plotly.NET.</summary>
    public static string PlotlyJsSource => Embedded.Value.Value;

    /// <summary>The CDN address of the same plotly.js version.</summary>
    public static string PlotlyJsCdnUrl => $"https://cdn.plot.ly/plotly-{PlotlyJsVersion}.min.js";

    /// <summary>The script tag that provides plotly.js in the given mode (empty for <see cref="PlotlyJsMode.AlreadyLoaded"/>).</summary>
    public static string PlotlyJsScriptTag(PlotlyJsMode mode) => mode switch
    {
        // Parameters shadow AMD/CommonJS globals (Jupyter pages have RequireJS) so plotly.js always sets window.Plotly.
        PlotlyJsMode.Inline => $"<script type=\"text/javascript\">(function(define, module, exports) {{\n{PlotlyJsSource}\n}})();</script>\n",
        PlotlyJsMode.Cdn => $"<script type=\"text/javascript\" src=\"{PlotlyJsCdnUrl}\" charset=\"utf-8\"></script>\n",
        _ => "",
    };

    /// <summary>The chart's figure (data, layout, config) as JSON, as Plotly.NET serialises it.</summary>
    public static string FigureJson(XcChart chart) => chart.FigureJson;

    /// <summary>
    /// An HTML fragment drawing <paramref name="chart"/>: a div and a script that waits for plotly.js.
    /// <paramref name="id"/> names the div (default: derived from the chart's content; pass distinct ids when the
    /// same chart appears twice on one page). <paramref name="interactive"/> false draws a static plot without the
    /// toolbar (for images).
    /// </summary>
    public static string ToFragment(XcChart chart, PlotlyJsMode plotlyJs = PlotlyJsMode.Inline, string? id = null, bool interactive = true)
    {
        var json = FigureJson(chart);
        id ??= "xcn-chart-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..12];
        if (id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"chart id '{id}' may hold only letters, digits, '-' and '_'");
        var sb = new StringBuilder();
        sb.Append("<div id=\"").Append(id).Append("\" class=\"xcn-chart\"></div>\n");
        sb.Append(PlotlyJsScriptTag(plotlyJs));
        sb.Append("<script type=\"text/javascript\">\n(function () {\n  var fig = ").Append(EscapeForScript(json)).Append(";\n");
        if (!interactive) sb.Append("  fig.config = Object.assign({}, fig.config || {}, { staticPlot: true, displayModeBar: false });\n");
        sb.Append("  function draw() { Plotly.newPlot('").Append(id).Append("', fig.data, fig.layout, fig.config); }\n");
        // Notebook outputs may run before the output that loads plotly.js: poll briefly for it.
        sb.Append("  if (window.Plotly) { draw(); } else { var n = 0, t = setInterval(function () { if (window.Plotly || ++n > 200) { clearInterval(t); if (window.Plotly) draw(); } }, 50); }\n");
        sb.Append("})();\n</script>\n");
        return sb.ToString();
    }

    /// <summary>
    /// A complete HTML page showing <paramref name="chart"/>, with plotly.js inlined (works offline) unless
    /// <paramref name="plotlyJs"/> says otherwise; <paramref name="interactive"/> false gives a static plot.
    /// </summary>
    public static string ToStandaloneHtml(XcChart chart, string title = "chart", PlotlyJsMode plotlyJs = PlotlyJsMode.Inline, bool interactive = true)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        sb.Append(PlotlyJsScriptTag(plotlyJs));
        sb.Append("<style>body { margin: 0; background: white; }</style>\n</head>\n<body>\n");
        sb.Append(ToFragment(chart, PlotlyJsMode.AlreadyLoaded, "chart", interactive));
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes <see cref="ToStandaloneHtml"/> to <paramref name="path"/> atomically.</summary>
    public static void SaveHtml(XcChart chart, string path, string title = "chart") =>
        InputFile.WriteTextAtomic(path, w => w.Write(ToStandaloneHtml(chart, title)));

    /// <summary>Makes JSON safe inside a script element: no "&lt;/script" or "&lt;!--" sequences.</summary>
    internal static string EscapeForScript(string json) => json.Replace("</", "<\\/").Replace("<!--", "<\\!--");
}
