using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// The F# reproduction scripts (scripts/*.fsx) run with <c>dotnet fsi</c>, the way a user runs them, in fast mode
/// (XCN_FAST=1, the embedded default): each exits 0 and writes a run report whose table has the rows the
/// experiment defines, with the same accuracies in its metrics and in its table, above chance.
/// </summary>
public class FsxScriptsTests
{
    [Fact]
    public void WltlsSliceWidthsReportsEachWidthAndOneVsRest()
    {
        var (report, outDir) = RunScriptReport("wltls-slice-widths.fsx", "wltls-slice-widths.json");

        Assert.Equal("wltls-slice-widths", (string?)report["method"]);
        var table = report["details"]!["table"]!.AsArray().Select(r => r!.AsObject()).ToArray();
        // Fast mode sweeps b = 2, 5, 16, then one-vs-rest (no slice width).
        Assert.Equal([2, 5, 16, null], table.Select(r => (int?)r["sliceWidth"]));
        AssertAccuraciesAgree(report, table, row => $"{(string?)row["model"]} accuracy");
        Assert.True(File.Exists(Path.Combine(outDir, "wltls-slice-widths.html")), "no HTML page");
    }

    [Fact]
    public void DsncTradeOffReportsThreeDecodingsAndWltlsPerCodeLength()
    {
        var (report, outDir) = RunScriptReport("dsnc-tradeoff.fsx", "dsnc-tradeoff.json");

        Assert.Equal("dsnc-tradeoff", (string?)report["method"]);
        var table = report["details"]!["table"]!.AsArray().Select(r => r!.AsObject()).ToArray();
        // Fast mode: m = 8, 16, 32 bits, each with the learned decoder and two lookup orders (one model, "m=8"), and
        // W-LTLS at the slice widths whose numbers of edges are nearest to them: on 64 classes b = 2 (25 edges, nearest
        // to 8 and 16) and b = 3 (31 edges, nearest to 32), one row per width.
        string[] decodings = ["DSNC decoder", "DSNC lookup (Hamming)", "DSNC lookup (likelihood)"];
        Assert.Equal(
            new[] { 8, 16, 32 }.SelectMany(bits => decodings.Select(method => $"{method} m={bits} {bits}")).Order(StringComparer.Ordinal),
            table.Where(r => (string?)r["method"] != "W-LTLS").Select(r => $"{(string?)r["method"]} {(string?)r["model"]} {(int?)r["bits"]}").Order(StringComparer.Ordinal));
        Assert.Equal(["b=2 25", "b=3 31"], table.Where(r => (string?)r["method"] == "W-LTLS").Select(r => $"{(string?)r["model"]} {(int?)r["bits"]}"));
        AssertAccuraciesAgree(report, table, row => $"{(string?)row["method"]} {(string?)row["model"]} accuracy");
        Assert.True(File.Exists(Path.Combine(outDir, "dsnc-tradeoff.html")), "no HTML page");
    }

    // Each row's test accuracy is its metric in the report, and well above chance on the embedded default's 64 classes
    // (1.6%): a script that trains nothing fails here.
    private static void AssertAccuraciesAgree(JsonNode report, IReadOnlyList<JsonObject> table, Func<JsonObject, string> metricName)
    {
        var metrics = report["metrics"]!.AsObject();
        Assert.Equal(table.Count, metrics.Count);
        foreach (var row in table)
        {
            double accuracy = (double)row["testAccuracy"]!;
            Assert.Equal(accuracy, (double)metrics[metricName(row)]!);
            Assert.InRange(accuracy, 20, 100);
        }
    }

    private static (JsonNode Report, string OutDir) RunScriptReport(string script, string jsonName)
    {
        var (outDir, stdout, _) = RunScript(script);
        string json = Path.Combine(outDir, jsonName);
        Assert.True(File.Exists(json), $"dotnet fsi {script} wrote no {json}:\n{stdout}");
        return (JsonNode.Parse(File.ReadAllText(json))!, outDir);
    }

    /// <summary>
    /// Runs scripts/<paramref name="script"/> with <c>dotnet fsi</c> in fast mode, writing into a new temporary
    /// folder; fails unless it exits 0. Returns the folder and what the script printed (and the compiler's warnings).
    /// </summary>
    internal static (string OutDir, string Stdout, string Stderr) RunScript(string script)
    {
        string root = TestNotebooks.RepositoryRoot();
        string library = Path.Combine(root, "src", "XcNotebooks", "bin", "Release", "net10.0", "XcNotebooks.dll");
        Assert.SkipWhen(!File.Exists(library), $"the scripts load {library}: build src/XcNotebooks in Release first");
        string outDir = TestData.TempDir();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "fsi", Path.Combine(root, "scripts", script), outDir }) start.ArgumentList.Add(argument);
        start.Environment["XCN_FAST"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet fsi {script} ran for more than 10 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet fsi {script} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return (outDir, stdout.Result, stderr.Result);
    }
}
