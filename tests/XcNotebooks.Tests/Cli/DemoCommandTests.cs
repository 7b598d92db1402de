using System.Text.Json.Nodes;
using XcNotebooks.Cli;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>The README's main job: `xcn demo` on the embedded default writes a report with real results.</summary>
[Collection("DataCommandsConsole")]
public class DemoCommandTests
{
    [Fact]
    public void FastDemoWritesAnOfflineReportWithALearnedModel()
    {
        var dir = TestData.TempDir();
        Assert.Equal(0, XcnCli.Run(["demo", "--fast", "--out", dir]));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        double accuracy = json["metrics"]!["W-LTLS accuracy"]!.GetValue<double>();
        // 64 classes: chance is 1.6% and always predicting the most frequent class about 20%.
        Assert.InRange(accuracy, 50, 100);

        // The multi-label section: every learned method beats always ranking the most frequent labels.
        var metrics = json["metrics"]!.AsObject();
        double popularity = metrics["popularity P@1"]!.GetValue<double>();
        foreach (var method in new[] { "one-vs-rest (L2-SVM dual CD) P@1", "NeuralXC (linear codes) P@1", "HierarchicalXC P@1" })
            Assert.True(metrics[method]!.GetValue<double>() > popularity + 10, $"{method} {metrics[method]} vs popularity {popularity}");
        // The text section: the encoders learn the 64 classes from the generated texts (most frequent class: about 20%).
        foreach (var method in new[] { "DEXA encoder only P@1", "DEXA + classifiers (fused) P@1", "DEXML Softmax P@1", "DEXML DecoupledSoftmax P@1", "DEXML SoftTopk P@1" })
            Assert.InRange(metrics[method]!.GetValue<double>(), 50, 100);

        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("W-LTLS", html);
        Assert.Contains("HierarchicalXC", html);
        Assert.Contains("DecoupledSoftmax", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("src=\"https://cdn.plot.ly", html); // plotly.js inlined: the report works offline

        // Presentation: a caption under every chart, no CamelCase headers, no unrounded numbers, a summary row per method.
        int figures = System.Text.RegularExpressions.Regex.Count(html, "<figure "), captions = System.Text.RegularExpressions.Regex.Count(html, "<figcaption>");
        Assert.True(figures >= 9 && captions == figures, $"{figures} charts, {captions} captions");
        Assert.DoesNotMatch("<th>[A-Za-z]*[a-z][A-Z][A-Za-z]*</th>", html);
        Assert.DoesNotMatch("<td class=\"num\">-?[1-9][0-9,]*\\.[0-9]{3,}</td>", html); // from 1 up: two decimals at most
        Assert.DoesNotMatch("<td class=\"num\">-?[0-9]{1,3}(,[0-9]{3})+\\.[0-9]+</td>", html);
        Assert.Contains("<h2>Summary</h2>", html);
        foreach (var method in new[] { "W-LTLS", "popularity", "HierarchicalXC", "DEXA encoder only", "DEXML Softmax" })
            Assert.Matches($"<tr><td>{method}</td><td>", html);
    }
}
