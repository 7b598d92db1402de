using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using XcNotebooks.Data;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;

namespace XcNotebooks.Notebooks;

/// <summary>
/// Notebook display of the kit's types through Microsoft.DotNet.Interactive.Formatting, so the same formatters serve
/// Polyglot Notebooks in VS Code and the headless runner (<c>xcn run</c>): data sets, metric reports, run reports,
/// predictions and matrices render as <see cref="HtmlTable"/>s, Plotly.NET charts as interactive plots.
/// </summary>
public static class XcFormatters
{
    private const string Html = "text/html";
    private const string PlainText = "text/plain";
    private static readonly Lock Gate = new();

    /// <summary>
    /// Registers the formatters (idempotent; call it in a Polyglot notebook's first cell, the runner calls it itself).
    /// <paramref name="plotlyJs"/> sets how charts shown outside the runner get plotly.js (default: CDN; Inline for
    /// offline use, inlined in the first chart of the session).
    /// </summary>
    public static void Register(PlotlyJsMode? plotlyJs = null)
    {
        lock (Gate)
        {
            if (plotlyJs is { } mode) DisplayDocument.SetProcessPlotlyJs(mode);
            if (IsRegistered()) return;
            Add<Dataset>(d => ReportTables.Dataset(d).ToHtml(), d => d.ToString());
            Add<MetricReport>(m => ReportTables.Metrics(m).ToHtml(), m => m.ToString());
            Add<RunReport>(r => HtmlReport.RunReportHtml(r, includeStyle: true), r => string.Concat(ReportTables.RunReport(r).Select(t => t.ToText())));
            Add<TopKPredictions>(p => ReportTables.TopK(p).ToHtml(), p => ReportTables.TopK(p).ToText());
            Add<CsrMatrix>(m => ReportTables.Sparse(m).ToHtml(), m => ReportTables.Sparse(m).ToText());
            Add<LabelMatrix>(m => ReportTables.Sparse(m.Matrix, caption: m.ToString()).ToHtml(), m => ReportTables.Sparse(m.Matrix, caption: m.ToString()).ToText());
            Add<RowMajorMatrix>(m => ReportTables.Dense(m).ToHtml(), m => ReportTables.Dense(m).ToText());
            Add<HtmlTable>(t => t.ToHtml(), t => t.ToText());
            Add<HtmlReport>(r => r.ToFragment(), r => r.Title);
            Add<ExerciseResult>(r => r.ToHtml(), r => r.ToString());
            Add<GenericChart>(c => DisplayDocument.Current.ChartFragment(c), c => $"Plotly chart ({GenericChart.countTrace(c)} traces)");
        }
    }

    /// <summary>A table of records for display (one column per public property or field; first <paramref name="maxRows"/> rows).</summary>
    public static HtmlTable Table<T>(IEnumerable<T> records, int maxRows = 50) => HtmlTable.FromRecords(records, maxRows);

    /// <summary>
    /// The mime bundle a notebook stores for <paramref name="value"/>: "text/plain" always, plus every mime type the
    /// Formatter prefers for its type (e.g. "text/html"), each formatted by the registered formatters.
    /// </summary>
    public static IReadOnlyDictionary<string, string> MimeBundle(object? value)
    {
        Register();
        var bundle = new Dictionary<string, string>();
        foreach (var mime in Formatter.GetPreferredMimeTypesFor(value?.GetType() ?? typeof(object)))
            bundle[mime] = Formatter.ToDisplayString(value, mime);
        bundle[PlainText] = Formatter.ToDisplayString(value, PlainText);
        return bundle;
    }

    private static void Add<T>(Func<T, string> html, Func<T, string> text)
    {
        Formatter.Register(html, Html);
        Formatter.Register(text, PlainText);
        Formatter.SetPreferredMimeTypesFor(typeof(T), Html);
    }

    // Formatter.ResetToDefault() drops registrations, so the check asks the Formatter rather than a flag.
    private static bool IsRegistered() =>
        Formatter.RegisteredFormatters(false).Any(f => f.Type == typeof(GenericChart) && f.MimeType == Html);
}
