namespace XcNotebooks.Plotting;

/// <summary>
/// The look shared by every chart of the kit (font, size, palette, margins), so plots from different methods sit
/// side by side in a report without looking different.
/// </summary>
public sealed record ChartStyle
{
    /// <summary>Chart width in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Chart height in pixels.</summary>
    public int Height { get; init; } = 440;

    /// <summary>CSS font stack of every text.</summary>
    public string FontFamily { get; init; } = "Helvetica, Arial, sans-serif";

    /// <summary>Base font size in points.</summary>
    public int FontSize { get; init; } = 13;

    /// <summary>Trace colours in order (a colour-blind friendly palette, Okabe-Ito).</summary>
    public IReadOnlyList<string> Palette { get; init; } =
        ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

    /// <summary>The kit's default style.</summary>
    public static ChartStyle Default { get; } = new();

    /// <summary>Sets the style's layout properties (size, font, palette, margins, colours) on a figure being built.</summary>
    internal void ApplyTo(FigureBuilder figure) => figure
        .Set("width", Width)
        .Set("height", Height)
        .Set("font", new Dictionary<string, object?> { ["family"] = FontFamily, ["size"] = FontSize })
        .Set("colorway", Palette.ToArray())
        .Set("margin", new Dictionary<string, object?> { ["l"] = 60, ["r"] = 20, ["t"] = 50, ["b"] = 55 })
        .Set("paper_bgcolor", "white")
        .Set("plot_bgcolor", "#F7F7F7");
}
