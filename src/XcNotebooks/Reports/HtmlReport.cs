using System.Net;
using System.Text;
using XcNotebooks.Plotting;
using XcNotebooks.Core;

namespace XcNotebooks.Reports;

/// <summary>One piece of a report section: a paragraph, a table, a chart, a run report or raw HTML.</summary>
public abstract record ReportBlock
{
    private protected ReportBlock() { }

    /// <summary>A paragraph of plain text (HTML-escaped; blank lines start new paragraphs).</summary>
    public static ReportBlock Paragraph(string text) => new ParagraphBlock(text);

    /// <summary>A table.</summary>
    public static ReportBlock Table(HtmlTable table) => new TableBlock(table);

    /// <summary>A table of records (one column per public property or field).</summary>
    public static ReportBlock Records<T>(IEnumerable<T> records, string? caption = null, int maxRows = 100) =>
        new TableBlock(HtmlTable.FromRecords(records, maxRows) with { Caption = caption });

    /// <summary>A two-column table of a dictionary's entries.</summary>
    public static ReportBlock Pairs<TValue>(IEnumerable<KeyValuePair<string, TValue>> pairs, string? caption = null) =>
        new TableBlock(HtmlTable.FromPairs(pairs) with { Caption = caption });

    /// <summary>A two-column table of (name, value) pairs, in their order (an F# list of tuples).</summary>
    public static ReportBlock Pairs<TValue>(IEnumerable<Tuple<string, TValue>> pairs, string? caption = null) =>
        new TableBlock(HtmlTable.FromPairs(pairs) with { Caption = caption });

    /// <summary>An interactive chart with an optional caption below it.</summary>
    public static ReportBlock Chart(XcChart chart, string? caption = null) => new ChartBlock(chart, caption);

    /// <summary>A run report: metrics, costs, data, options and details.</summary>
    public static ReportBlock Run(RunReport report) => new RunReportBlock(report);

    /// <summary>Trusted HTML inserted as it is.</summary>
    public static ReportBlock RawHtml(string html) => new RawHtmlBlock(html);

    private protected static string Paragraphs(string text) =>
        string.Concat(text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => $"<p>{WebUtility.HtmlEncode(p.Trim())}</p>\n"));

    internal abstract void Render(StringBuilder html, Func<XcChart, string> chartHtml);

    private sealed record ParagraphBlock(string Text) : ReportBlock
    {
        internal override void Render(StringBuilder html, Func<XcChart, string> chartHtml) => html.Append(Paragraphs(Text));
    }

    private sealed record TableBlock(HtmlTable Content) : ReportBlock
    {
        internal override void Render(StringBuilder html, Func<XcChart, string> chartHtml) => html.Append(Content.ForReading().ToHtml(includeStyle: false));
    }

    private sealed record ChartBlock(XcChart Figure, string? Caption) : ReportBlock
    {
        internal override void Render(StringBuilder html, Func<XcChart, string> chartHtml)
        {
            html.Append("<figure class=\"xcn-figure\">\n").Append(chartHtml(Figure));
            if (Caption is not null) html.Append("<figcaption>").Append(WebUtility.HtmlEncode(Caption)).Append("</figcaption>\n");
            html.Append("</figure>\n");
        }
    }

    private sealed record RunReportBlock(RunReport Report) : ReportBlock
    {
        internal override void Render(StringBuilder html, Func<XcChart, string> chartHtml) =>
            html.Append(HtmlReport.RunReportHtml(Report, includeStyle: false));
    }

    private sealed record RawHtmlBlock(string Html) : ReportBlock
    {
        internal override void Render(StringBuilder html, Func<XcChart, string> chartHtml) => html.Append(Html).Append('\n');
    }
}

/// <summary>A titled section of a report; the builder methods return a new section with one more block.</summary>
public sealed record ReportSection(string Title)
{
    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<ReportBlock> Blocks { get; init; } = [];

    /// <summary>This section with <paramref name="block"/> appended.</summary>
    public ReportSection Add(ReportBlock block) => this with { Blocks = [.. Blocks, block] };

    /// <summary>Appends a paragraph.</summary>
    public ReportSection Paragraph(string text) => Add(ReportBlock.Paragraph(text));

    /// <summary>Appends a table.</summary>
    public ReportSection Table(HtmlTable table) => Add(ReportBlock.Table(table));

    /// <summary>Appends a table of records.</summary>
    public ReportSection Records<T>(IEnumerable<T> records, string? caption = null) => Add(ReportBlock.Records(records, caption));

    /// <summary>Appends a table of a dictionary's entries.</summary>
    public ReportSection Pairs<TValue>(IEnumerable<KeyValuePair<string, TValue>> pairs, string? caption = null) => Add(ReportBlock.Pairs(pairs, caption));

    /// <summary>Appends a table of (name, value) pairs, in their order (an F# list of tuples).</summary>
    public ReportSection Pairs<TValue>(IEnumerable<Tuple<string, TValue>> pairs, string? caption = null) => Add(ReportBlock.Pairs(pairs, caption));

    /// <summary>Appends a chart.</summary>
    public ReportSection Chart(XcChart chart, string? caption = null) => Add(ReportBlock.Chart(chart, caption));

    /// <summary>Appends a run report.</summary>
    public ReportSection Run(RunReport report) => Add(ReportBlock.Run(report));
}

/// <summary>
/// A self-contained HTML page built from titled sections (paragraphs, tables, charts, run reports): plotly.js is
/// inlined once in the page head, so the file works offline and can be mailed or archived. Immutable: each
/// <see cref="AddSection(ReportSection)"/> returns a new report. The output is deterministic.
/// </summary>
public sealed record HtmlReport(string Title)
{
    private const string PageCss =
        "body { font-family: Helvetica, Arial, sans-serif; max-width: 1040px; margin: 24px auto; padding: 0 16px; color: #222; }\n" +
        "h1 { font-size: 26px; } h2 { font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }\n" +
        "h4 { margin: 12px 0 4px 0; } .xcn-figure { margin: 8px 0 16px 0; } .xcn-figure figcaption { color: #555; font-size: 13px; }\n" +
        "footer { color: #888; font-size: 12px; margin-top: 40px; }\n";

    /// <summary>Text under the title.</summary>
    public string? Introduction { get; init; }

    /// <summary>The sections, in order.</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];

    /// <summary>This report with <paramref name="section"/> appended.</summary>
    public HtmlReport AddSection(ReportSection section) => this with { Sections = [.. Sections, section] };

    /// <summary>This report with a section of the given blocks appended.</summary>
    public HtmlReport AddSection(string title, params ReportBlock[] blocks) => AddSection(new ReportSection(title) { Blocks = blocks });

    /// <summary>
    /// The complete page. Charts get plotly.js from one script in the head: inlined (offline, the default) or from
    /// the CDN. Chart divs are numbered in page order.
    /// </summary>
    public string ToHtml(PlotlyJsMode plotlyJs = PlotlyJsMode.Inline)
    {
        bool hasCharts = false;
        int charts = 0;
        var body = RenderBody(chart =>
        {
            hasCharts = true;
            return ChartHtml.ToFragment(chart, PlotlyJsMode.AlreadyLoaded, $"chart-{++charts}");
        });
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(PageCss).Append(HtmlTable.Css).Append("</style>\n");
        if (hasCharts) sb.Append(ChartHtml.PlotlyJsScriptTag(plotlyJs));
        sb.Append("</head>\n<body>\n").Append(body);
        sb.Append("<footer>Made with XcNotebooks ").Append(Kit.Version).Append(".</footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>The report's content as a fragment for a notebook output (charts through the notebook's <see cref="DisplayDocument"/>).</summary>
    public string ToFragment() =>
        "<style>\n" + HtmlTable.Css + "</style>\n<div class=\"xcn-report\">\n" + RenderBody(DisplayDocument.Current.ChartFragment) + "</div>\n";

    /// <summary>Writes the page to <paramref name="path"/> atomically.</summary>
    public void Save(string path, PlotlyJsMode plotlyJs = PlotlyJsMode.Inline) => InputFile.WriteTextAtomic(path, w => w.Write(ToHtml(plotlyJs)));

    /// <summary>A run report as HTML: a heading and its tables.</summary>
    internal static string RunReportHtml(RunReport report, bool includeStyle)
    {
        var sb = new StringBuilder();
        if (includeStyle) sb.Append("<style>\n").Append(HtmlTable.Css).Append("</style>\n");
        sb.Append("<div class=\"xcn-run-report\">\n<h4>").Append(WebUtility.HtmlEncode(report.Method)).Append("</h4>\n");
        foreach (var table in ReportTables.RunReport(report)) sb.Append(table.ForReading().ToHtml(includeStyle: false));
        return sb.Append("</div>\n").ToString();
    }

    private string RenderBody(Func<XcChart, string> chartHtml)
    {
        var sb = new StringBuilder();
        sb.Append("<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>\n");
        if (Introduction is not null) ReportBlock.Paragraph(Introduction).Render(sb, chartHtml);
        foreach (var section in Sections)
        {
            sb.Append("<section>\n<h2>").Append(WebUtility.HtmlEncode(section.Title)).Append("</h2>\n");
            foreach (var block in section.Blocks) block.Render(sb, chartHtml);
            sb.Append("</section>\n");
        }
        return sb.ToString();
    }
}
