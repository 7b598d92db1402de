using System.Text.Json;

namespace XcNotebooks.Plotting;

/// <summary>
/// A chart of the kit: the Plotly figure JSON (data, layout, config, as Plotly.NET writes it), its size in pixels and
/// its title. Plain, immutable data: notebooks display it (HTML and PNG), reports embed it, <see cref="ChartHtml"/>
/// and <see cref="ChartExport"/> save it. Build one with <see cref="Charts"/> and the other chart builders, or from
/// an <see cref="XcFigure"/>.
/// </summary>
public sealed record XcChart
{
    /// <summary>A chart of <paramref name="figureJson"/> (a JSON object with "data" and "layout") drawn at <paramref name="width"/> x <paramref name="height"/>.</summary>
    public XcChart(string figureJson, int width, int height, string title = "")
    {
        ArgumentNullException.ThrowIfNull(figureJson);
        ArgumentNullException.ThrowIfNull(title);
        if (width < 16 || height < 16) throw new ArgumentException($"chart size {width} x {height} is too small (at least 16 x 16 pixels)");
        FigureJson = figureJson;
        Width = width;
        Height = height;
        Title = title;
    }

    /// <summary>The Plotly figure as JSON: {"data": [...], "layout": {...}, "config": {...}}.</summary>
    public string FigureJson { get; }

    /// <summary>Width in pixels (the figure's layout width).</summary>
    public int Width { get; }

    /// <summary>Height in pixels (the figure's layout height).</summary>
    public int Height { get; }

    /// <summary>The chart's title ("" for none).</summary>
    public string Title { get; }

    /// <summary>The number of traces in the figure.</summary>
    public int TraceCount
    {
        get
        {
            using var figure = JsonDocument.Parse(FigureJson);
            return figure.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data.GetArrayLength() : 0;
        }
    }

    /// <summary>"Plotly chart 'TITLE' (N traces, W x H)".</summary>
    public override string ToString() =>
        $"Plotly chart{(Title.Length > 0 ? $" '{Title}'" : "")} ({TraceCount} traces, {Width} x {Height})";
}
