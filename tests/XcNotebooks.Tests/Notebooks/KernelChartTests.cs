using XcNotebooks.Plotting;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>Chart cells in the real .NET Interactive kernel, C# and F#: the figure as text/html and, with Chromium, an image/png at the chart's size.</summary>
[Collection(nameof(RealKernel))]
public class KernelChartTests
{
    [Fact]
    public void CSharpAndFSharpChartCellsShowHtmlAndPng()
    {
        RealKernel.SkipUnlessAvailable();
        // The kit as notebooks load it: XcNotebooks.dll from a build output, with plotly/ beside it.
        var kit = typeof(XcChart).Assembly.Location;
        var path = RealKernel.WriteNotebook(TestData.TempDir(), ".net-csharp",
            $"#r \"{kit}\"\nusing XcNotebooks.Notebooks;\nusing XcNotebooks.Plotting;\nXcFormatters.Register();",
            "Charts.Lines(new[] { new ChartSeries(\"csharp line\", new double[] { 1, 2, 3 }, new double[] { 3, 1, 2 }) }, title: \"from C#\")",
            $"#!fsharp\n#r \"{kit}\"\nopen XcNotebooks.Plotting\nCharts.Lines([ ChartSeries(\"fsharp line\", [| 1.0; 2.0 |], [| 5.0; 7.0 |]) ], title = \"from F#\", style = ChartStyle(Width = 900, Height = 500))");

        var cells = RealKernel.RunClean(path);

        foreach (var (cell, name, y, size) in new[] { (1, "csharp line", "[3.0,1.0,2.0]", (720, 440)), (2, "fsharp line", "[5.0,7.0]", (900, 500)) })
        {
            var bundle = Assert.Single(RealKernel.Bundles(cells[cell]!));
            var html = bundle["text/html"];
            Assert.Contains("Plotly.newPlot", html);
            Assert.Contains($"\"name\":\"{name}\"", html);
            Assert.Contains($"\"y\":{y}", html);
            if (ChartExport.IsAvailable) Assert.Equal(size, ChartExport.PngSize(Convert.FromBase64String(bundle["image/png"])));
            else Assert.False(bundle.ContainsKey("image/png"));
        }
    }
}
