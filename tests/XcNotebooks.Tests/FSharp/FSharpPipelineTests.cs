using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XcNotebooks.Tests.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.FSharp;

/// <summary>
/// The kit from F#, as users write it: scripts/pipeline.fsx runs the whole pipeline (two methods through
/// Experiment.Run, loaded back through XcMethods.Load, predicted, evaluated, charted) under <c>dotnet fsi</c>, and the F# code of the scripts and notebooks needs none
/// of the workarounds an unfriendly API forces on F# (spans, Nullable, readOnlyDict, interface casts).
/// </summary>
public sealed partial class FSharpPipelineTests
{
    [Fact]
    public void PipelineScriptReloadsEachModelWithTheMetricsOfItsRunReport()
    {
        var (outDir, stdout, stderr) = FsxScriptsTests.RunScript("pipeline.fsx");
        // F# warns where the API forces an implicit conversion or an ignored value: the script compiles cleanly.
        Assert.DoesNotContain("warning FS", stdout + stderr);

        var printed = MetricLine().Matches(stdout)
            .GroupBy(m => m.Groups["method"].Value)
            .ToDictionary(g => g.Key, g => g.ToDictionary(m => m.Groups["name"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(["ovr", "wltls"], printed.Keys.Order(StringComparer.Ordinal));
        foreach (var (method, metrics) in printed)
        {
            string reportPath = Path.Combine(outDir, $"pipeline-{method}.json");
            Assert.True(File.Exists(reportPath), $"no run report {reportPath}:\n{stdout}");
            var reported = JsonNode.Parse(File.ReadAllText(reportPath))!["metrics"]!.AsObject();
            // The loaded model predicts exactly what the trained one did: the report's metrics, to the last bit.
            Assert.Subset(reported.Select(m => m.Key).ToHashSet(), metrics.Keys.ToHashSet());
            Assert.Subset(metrics.Keys.ToHashSet(), new HashSet<string> { "accuracy", "P@1", "P@3", "P@5", "nDCG@5", "R@5", "PSP@5", "PSnDCG@5" });
            foreach (var (name, value) in metrics) Assert.Equal((double)reported[name]!, value);
            // On the embedded default's 64 classes chance is 1.6%: a script that trains nothing fails here.
            Assert.InRange(metrics["P@1"], 20, 100);
            Assert.InRange(metrics["nDCG@5"], metrics["P@5"], 100);
        }
        Assert.True(File.Exists(Path.Combine(outDir, "pipeline.html")), "no HTML page");
    }

    // What F# code had to write against an unfriendly API: span wrappers, Nullable round trips, dictionaries built
    // only to call a chart builder, and upcasts of layers to their interface.
    private static readonly string[] Workarounds =
        ["ReadOnlySpan", "Span<", "Nullable", "Option.ofNullable", "GetValueOrDefault", "readOnlyDict", ":> ILayer"];

    public static TheoryData<string> FSharpSources()
    {
        string root = TestNotebooks.RepositoryRoot();
        var sources = new TheoryData<string>();
        foreach (var script in Directory.GetFiles(Path.Combine(root, "scripts"), "*.fsx").Order(StringComparer.Ordinal))
            sources.Add(Path.GetRelativePath(root, script));
        foreach (var notebook in Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            if (FSharpCells(notebook).Any()) sources.Add(Path.GetRelativePath(root, notebook));
        return sources;
    }

    [Theory]
    [MemberData(nameof(FSharpSources))]
    public void FSharpCodeNeedsNoWorkarounds(string source)
    {
        string path = Path.Combine(TestNotebooks.RepositoryRoot(), source);
        var code = source.EndsWith(".fsx", StringComparison.Ordinal)
            ? [File.ReadAllText(path)]
            : FSharpCells(path).ToArray();
        var found = code.SelectMany(c => c.Split('\n')).Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(line => Workarounds.Where(w => line.Contains(w, StringComparison.Ordinal)).Select(w => $"{w}: {line.Trim()}"))
            .ToArray();
        Assert.True(found.Length == 0, $"{source} works around the API:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void WorkaroundScanFindsEachWorkaround()
    {
        // The scan itself, on lines that use each workaround (so a scan that finds nothing cannot pass the theory above).
        string[] lines =
        [
            "let code = BinaryCodeTable.CodeOf(ReadOnlySpan logits)", "model.PredictByLookup(test, Nullable order)",
            "Charts.OverEpochs(readOnlyDict [ \"loss\", losses ], \"t\")", "new Sequential([ relu :> ILayer; linear ])",
            "e.ValidationAccuracy.GetValueOrDefault()",
        ];
        Assert.All(lines, line => Assert.Contains(Workarounds, w => line.Contains(w, StringComparison.Ordinal)));
        Assert.DoesNotContain(Workarounds, w => "Charts.OverEpochs([ \"loss\", losses ], \"t\")".Contains(w, StringComparison.Ordinal));
    }

    /// <summary>The sources of a notebook's F# code cells (the notebook's language, or a cell marked fsharp).</summary>
    private static IEnumerable<string> FSharpCells(string notebookPath)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(notebookPath))!;
        bool fsharpNotebook = (string?)notebook["metadata"]?["kernelspec"]?["language"] == "F#";
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            if ((string?)cell!["cell_type"] != "code") continue;
            string source = TestNotebooks.JoinedText(cell["source"]);
            string? kernel = (string?)cell["metadata"]?["polyglot_notebook"]?["kernelName"];
            bool fsharp = source.StartsWith("#!fsharp", StringComparison.Ordinal)
                || (!source.StartsWith("#!csharp", StringComparison.Ordinal) && (kernel == "fsharp" || (kernel is null && fsharpNotebook)));
            if (fsharp) yield return source;
        }
    }

    [GeneratedRegex(@"^metric (?<method>\S+) (?<name>\S+) (?<value>\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
