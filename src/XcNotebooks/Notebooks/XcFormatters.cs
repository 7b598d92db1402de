using Microsoft.DotNet.Interactive.Formatting;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

namespace XcNotebooks.Notebooks;

/// <summary>
/// Notebook display of the kit's types through Microsoft.DotNet.Interactive.Formatting, so the same formatters serve
/// Polyglot Notebooks in VS Code and the headless runner (<c>xcn run</c>): data sets, metric reports, run reports,
/// predictions and matrices render as <see cref="HtmlTable"/>s, charts (<see cref="XcChart"/>) as interactive plots
/// (text/html) with a static image beside them (image/png, drawn by headless Chromium when it is installed).
/// </summary>
public static class XcFormatters
{
    private const string Html = "text/html";
    private const string PlainText = "text/plain";
    private const string Png = "image/png";
    private static readonly Lock Gate = new();

    /// <summary>
    /// Registers the formatters (idempotent; the package's kernel extension calls it when <c>#r "nuget: XcNotebooks"</c>
    /// loads the kit; call it yourself after <c>#r "path/XcNotebooks.dll"</c>). <paramref name="plotlyJs"/> sets how
    /// charts get plotly.js (default: CDN; Inline for offline use, inlined in the first chart of the session).
    /// <paramref name="pngImages"/> adds an image/png of every chart beside its HTML (default: when Chromium is
    /// installed; never an error when it is not).
    /// </summary>
    public static void Register(PlotlyJsMode? plotlyJs = null, bool? pngImages = null)
    {
        lock (Gate)
        {
            if (plotlyJs is { } mode) DisplayDocument.SetProcessPlotlyJs(mode);
            bool png = (pngImages ?? true) && ChartExport.IsAvailable;
            if (IsRegistered())
            {
                if (pngImages is not null) SetChartMimeTypes(png);
                return;
            }
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
            Add<XcChart>(c => DisplayDocument.Current.ChartFragment(c), c => c.ToString());
            // Jupyter stores images base64-encoded in the display data.
            Formatter.Register<XcChart>(c => Convert.ToBase64String(ChartExport.ToPngBytes(c)), Png);
            SetChartMimeTypes(png);
            RegisterOtherCopies();
        }
    }

    // The .NET Interactive kernel loads the kit once per language: C# cells through Roslyn's load context, F# cells
    // into the default one. Each copy has its own types, so each needs its own formatters: registering one copy
    // registers the others, those loaded already and those loaded later.
    private static void RegisterOtherCopies()
    {
        _ = LaterCopiesWatched.Value;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) RegisterCopy(assembly, typeof(XcFormatters).Assembly);
    }

    private static readonly Lazy<bool> LaterCopiesWatched = new(() =>
    {
        AppDomain.CurrentDomain.AssemblyLoad += (_, loaded) => RegisterCopy(loaded.LoadedAssembly, typeof(XcFormatters).Assembly);
        return true;
    });

    private static void RegisterCopy(System.Reflection.Assembly assembly, System.Reflection.Assembly self)
    {
        if (assembly == self || assembly.GetName().Name != self.GetName().Name) return;
        var register = assembly.GetType(typeof(XcFormatters).FullName!)?.GetMethod(nameof(Register));
        if (register?.GetParameters().Length == 2) register.Invoke(null, [null, null]);
    }

    /// <summary>True when charts are shown with an image/png beside their HTML.</summary>
    public static bool ChartsHavePng => Formatter.GetPreferredMimeTypesFor(typeof(XcChart)).Contains(Png);

    private static void SetChartMimeTypes(bool png)
    {
        if (png) Formatter.SetPreferredMimeTypesFor(typeof(XcChart), Html, Png);
        else Formatter.SetPreferredMimeTypesFor(typeof(XcChart), Html);
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
        Formatter.RegisteredFormatters(false).Any(f => f.Type == typeof(XcChart) && f.MimeType == Html);
}
