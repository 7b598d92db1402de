using System.Security.Cryptography;
using System.Text;
using XcNotebooks.Plotting;

namespace XcNotebooks.Reports;

/// <summary>
/// The page a notebook's outputs end up on: it decides how charts get plotly.js (inlined in the first chart only,
/// or from the CDN in every chart) and numbers chart divs so a saved notebook is the same from run to run. The
/// headless runner opens one per notebook run (<see cref="Begin"/>); without one (Polyglot in VS Code, where the
/// kernel process is the notebook) a process-wide document is used.
/// </summary>
public sealed class DisplayDocument : IDisposable
{
    private static readonly AsyncLocal<DisplayDocument?> Scoped = new();

    // Display settings are process-wide by nature (Formatter is): this is the document of a Polyglot kernel. It loads
    // plotly.js from the CDN in every chart, since VS Code re-renders saved outputs one by one.
    private static readonly DisplayDocument ProcessDocument = new(PlotlyJsMode.Cdn, null);

    private readonly DisplayDocument? _previous;
    private int _charts;
    private int _plotlyJsWritten;
    private int _mode;

    private DisplayDocument(PlotlyJsMode mode, DisplayDocument? previous)
    {
        _mode = (int)mode;
        _previous = previous;
    }

    /// <summary>How charts of this document get plotly.js.</summary>
    public PlotlyJsMode PlotlyJs => (PlotlyJsMode)Volatile.Read(ref _mode);

    /// <summary>Charts rendered so far.</summary>
    public int ChartCount => Volatile.Read(ref _charts);

    /// <summary>The document of the current notebook run, or the process-wide one.</summary>
    public static DisplayDocument Current => Scoped.Value ?? ProcessDocument;

    /// <summary>
    /// Starts a document for the calling async flow (a notebook run): charts are numbered from 1 and, with
    /// <see cref="PlotlyJsMode.Inline"/>, only the first one carries plotly.js. Dispose it when the run ends.
    /// </summary>
    public static DisplayDocument Begin(PlotlyJsMode plotlyJs = PlotlyJsMode.Inline)
    {
        var document = new DisplayDocument(plotlyJs, Scoped.Value);
        Scoped.Value = document;
        return document;
    }

    /// <summary>Sets how the process-wide document (no runner) gets plotly.js.</summary>
    internal static void SetProcessPlotlyJs(PlotlyJsMode mode) => Volatile.Write(ref ProcessDocument._mode, (int)mode);

    /// <summary>The chart as an HTML fragment of this document (next div id, plotly.js as the document's mode asks).</summary>
    public string ChartFragment(XcChart chart)
    {
        int n = Interlocked.Increment(ref _charts);
        var mode = PlotlyJs switch
        {
            PlotlyJsMode.Inline => Interlocked.Exchange(ref _plotlyJsWritten, 1) == 0 ? PlotlyJsMode.Inline : PlotlyJsMode.AlreadyLoaded,
            var m => m,
        };
        // Outside a runner the same chart may be shown by several kernels' cells: the content hash keeps ids apart.
        var id = this == ProcessDocument
            ? $"xcn-chart-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ChartHtml.FigureJson(chart))))[..8]}-{n}"
            : $"xcn-chart-{n}";
        return ChartHtml.ToFragment(chart, mode, id);
    }

    /// <summary>Ends the document: the previous one (if any) becomes current again.</summary>
    public void Dispose()
    {
        if (Scoped.Value == this) Scoped.Value = _previous;
    }
}
