using System.Text.Json.Nodes;
using XcNotebooks.Cli;
using XcNotebooks.Cli.Notebooks;
using XcNotebooks.Core;
using XcNotebooks.Notebooks;
using Xunit;
using static XcNotebooks.Tests.Notebooks.TestNotebooks;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>Runs change the process's working directory and XCN_FAST: runner tests share one collection, so they never overlap.</summary>
[Collection(nameof(NotebookRunnerTests))]
public class NotebookRunnerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task CSharpCellsShareStateAndOutputsAreStoredLikeNbconvert()
    {
        var path = Write(
            ("markdown", "# Title\nsome text"),
            ("csharp", "var x = 40;\nConsole.WriteLine(\"hello\");\nConsole.Write(\"same \");\nConsole.WriteLine(\"stream\");"),
            ("csharp", "display(\"shown\");\nx + 2"),
            ("csharp", "x += 1;"),
            ("csharp", "Console.Error.WriteLine(\"warn\");\nx"));
        var before = File.ReadAllText(path);
        var output = Path.Combine(Path.GetDirectoryName(path)!, "out.ipynb");

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { OutputPath = output }, None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([2, 3, 4, 5], result.Cells.Select(c => c.Number));
        Assert.Equal([1, 2, 3, 4], result.Cells.Select(c => c.ExecutionCount));
        Assert.Equal(before, File.ReadAllText(path)); // the source is untouched
        var json = File.ReadAllText(output);
        Assert.Equal(result.NotebookJson, json);

        var cell2 = Outputs(json, 2);
        var stream = Assert.Single(cell2);
        Assert.Equal("stream", stream!["output_type"]!.GetValue<string>());
        Assert.Equal("stdout", stream["name"]!.GetValue<string>());
        Assert.Equal(["hello\n", "same stream\n"], stream["text"]!.AsArray().Select(l => l!.GetValue<string>()));

        var cell3 = Outputs(json, 3);
        Assert.Equal(["display_data", "execute_result"], cell3.Select(o => o!["output_type"]!.GetValue<string>()));
        Assert.Equal("shown", JoinedText(cell3[0]!["data"]!["text/plain"]));
        Assert.Equal("42", JoinedText(cell3[1]!["data"]!["text/plain"]));
        Assert.Equal(2, cell3[1]!["execution_count"]!.GetValue<int>());
        // Keys are sorted, as Jupyter and VS Code write them.
        Assert.Equal(["data", "execution_count", "metadata", "output_type"], cell3[1]!.AsObject().Select(p => p.Key));

        Assert.Empty(Outputs(json, 4)); // a statement ending in ';' shows nothing
        var cell5 = Outputs(json, 5);
        Assert.Equal("stderr", cell5[0]!["name"]!.GetValue<string>());
        Assert.Equal("warn\n", JoinedText(cell5[0]!["text"]));
        Assert.Equal("41", JoinedText(cell5[1]!["data"]!["text/plain"]));

        // Everything but outputs and execution counts is kept as it was (Polyglot metadata, markdown, sources).
        var original = JsonNode.Parse(before)!;
        var executed = JsonNode.Parse(json)!;
        Assert.Equal(original["metadata"]!.ToJsonString(), executed["metadata"]!.ToJsonString());
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(original["cells"]![i]!["source"]!.ToJsonString(), executed["cells"]![i]!["source"]!.ToJsonString());
            Assert.Equal(original["cells"]![i]!["metadata"]!.ToJsonString(), executed["cells"]![i]!["metadata"]!.ToJsonString());
        }
        Assert.Null(executed["cells"]![0]!["outputs"]);
    }

    [Fact]
    public async Task FailingCellStopsTheRunNamesTheCellAndLeavesTheSourceAlone()
    {
        var path = Write(
            ("csharp", "var n = 1;"),
            ("markdown", "text"),
            ("csharp", "Console.WriteLine(\"before\");\nthrow new InvalidOperationException(\"boom\");"),
            ("csharp", "Console.WriteLine(\"never\");"));
        var before = File.ReadAllText(path);

        var result = await NotebookRunner.RunAsync(path, null, None);

        Assert.False(result.Succeeded);
        Assert.Equal("cell 3: InvalidOperationException: boom", result.Error);
        Assert.Equal(3, result.FailedCell);
        Assert.Equal([1, 3], result.Cells.Select(c => c.Number));
        Assert.Equal(before, File.ReadAllText(path));
        var outputs = Outputs(result.NotebookJson!, 3);
        Assert.Equal("before\n", JoinedText(outputs[0]!["text"]));
        Assert.Equal("error", outputs[1]!["output_type"]!.GetValue<string>());
        Assert.Equal("InvalidOperationException", outputs[1]!["ename"]!.GetValue<string>());
        Assert.Equal("boom", outputs[1]!["evalue"]!.GetValue<string>());
        Assert.Null(JsonNode.Parse(result.NotebookJson!)!["cells"]![3]!["execution_count"]); // not run
    }

    [Fact]
    public async Task CompileErrorsGiveLinesWithinTheCell()
    {
        var path = Write(
            ("csharp", "#r \"nuget: XcNotebooks\"\nint a = 1;\nint b = a + missingName;"));

        var result = await NotebookRunner.RunAsync(path, null, None);

        Assert.Equal("cell 1: CompilationError: error CS0103 at line 3, column 13: The name 'missingName' does not exist in the current context", result.Error);
        var error = Outputs(result.NotebookJson!, 1)[0]!;
        Assert.Equal("CompilationError", error["ename"]!.GetValue<string>());
    }

    [Fact]
    public async Task FSharpCellsAreLeftToTheRealKernel()
    {
        var path = Write(("csharp", "1"), ("fsharp", "let x = 1"));

        var result = await NotebookRunner.RunAsync(path, null, None);

        Assert.StartsWith("cell 2: ArgumentException: F# cells run in the .NET Interactive kernel", result.Error);
    }

    [Fact]
    public async Task OnlyTheKernelsUsingsAreImplicit()
    {
        // The .NET Interactive C# kernel does not import System.IO: neither does the script runner.
        var result = await NotebookRunner.RunAsync(TestData.TempFile("io.csx", "var p = Path.Combine(\"a\", \"b\");"), null, None);

        Assert.StartsWith("cell 1: CompilationError: error CS0103", result.Error);
        Assert.Contains("'Path'", result.Error);
    }

    [Fact]
    public async Task ScriptsTakeArgsAndEveryReferenceFormResolvesToTheLoadedLibrary()
    {
        var path = TestData.TempFile("hello.csx", """
            #r "nuget: XcNotebooks, 0.1.0"
            #r "nuget:SharpZipLib"
            #r "../src/XcNotebooks/bin/Release/net10.0/XcNotebooks.dll"
            #i "nuget: https://example.org/feed/index.json"
            #r "SPECTRE"
            Console.WriteLine(string.Join(",", Args));
            Console.WriteLine(typeof(XcNotebooks.Core.Dataset).Assembly.Location);
            Console.WriteLine(Spectre.Console.Markup.Escape("[x]"));
            """.Replace("SPECTRE", typeof(Spectre.Console.Markup).Assembly.Location));

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { Args = ["a", "b c"] }, None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.NotebookJson);
        var text = Assert.IsType<StreamOutput>(Assert.Single(result.Cells[0].Outputs)).Text;
        Assert.Equal($"a,b c\n{typeof(Dataset).Assembly.Location}\n[[x]]\n", text);
    }

    [Fact]
    public async Task UnknownPackageFailsWithTheCellNumber()
    {
        var path = Write(("csharp", "1"), ("csharp", "#r \"nuget: Some.Package.Nobody.Has, 1.0\"\n2"));

        var result = await NotebookRunner.RunAsync(path, null, None);

        Assert.StartsWith("cell 2: ArgumentException: package 'Some.Package.Nobody.Has' is not available", result.Error);
        Assert.Contains("QuikGraph", result.Error);

        var missing = await NotebookRunner.RunAsync(Write(("csharp", "#r \"lib/Nope.dll\"\n1")), null, None);
        Assert.StartsWith("cell 1: FileNotFoundException: #r \"lib/Nope.dll\": no such assembly", missing.Error);
    }

    [Fact]
    public async Task MetricReportAndChartsDisplayAsHtml()
    {
        var path = Write(
            ("csharp", """
                using XcNotebooks.Data;
                using XcNotebooks.Metrics;
                using XcNotebooks.Plotting;
                using XcNotebooks.Core;
                var truth = LabelMatrix.FromLabelSets(new[] { new[] { 0, 2 }, new[] { 1 }, new[] { 3 } }, 4);
                var predictions = new TopKPredictions(3, 2, new[] { 2, 1, 0, 1, 3, 0 }, new[] { 0.9f, 0.5f, 0.8f, 0.3f, 0.7f, 0.1f });
                XcMetrics.Evaluate(truth, predictions, 2)
                """),
            ("csharp", """
                display(Charts.OverEpochs(new Dictionary<string, IReadOnlyList<double>> { ["loss"] = new[] { 0.5, 0.4, 0.3 } }, "loss"));
                display(Charts.TradeOff(new[] { new TradeOffPoint("fast", 1, 70), new TradeOffPoint("slow", 10, 80) }));
                """));

        var result = await NotebookRunner.RunAsync(path, null, None);

        Assert.True(result.Succeeded, result.Error);
        var metrics = Assert.IsType<ExecuteResultOutput>(Assert.Single(result.Cells[0].Outputs)).Data["text/html"];
        // By hand: P@1 = 2/3, P@2 = 1/2; nDCG@2 = (1/(1 + 1/log2 3) + 1/log2 3 + 1) / 3 = 0.7480; R@1 = 1/2, R@2 = 5/6.
        Assert.Contains("<tr><td>P</td><td class=\"num\">66.67</td><td class=\"num\">50.00</td></tr>", metrics);
        Assert.Contains("<tr><td>nDCG</td><td class=\"num\">66.67</td><td class=\"num\">74.80</td></tr>", metrics);
        Assert.Contains("<tr><td>R</td><td class=\"num\">50.00</td><td class=\"num\">83.33</td></tr>", metrics);

        var charts = result.Cells[1].Outputs.Cast<DisplayDataOutput>().Select(o => o.Data["text/html"]).ToArray();
        Assert.Equal(2, charts.Length);
        Assert.Contains("<div id=\"xcn-chart-1\"", charts[0]);
        Assert.Contains("<div id=\"xcn-chart-2\"", charts[1]);
        Assert.Contains("[0.5,0.4,0.3]", charts[0]);
        // plotly.js is inlined once per notebook: in the first chart only.
        Assert.Contains("plotly.js v" + XcNotebooks.Plotting.ChartHtml.PlotlyJsVersion, charts[0]);
        Assert.DoesNotContain("plotly.js v", charts[1]);
        Assert.StartsWith("Plotly chart", result.Cells[1].Outputs[0].PlainText);
    }

    [Fact]
    public async Task CellTimeoutStopsTheRun()
    {
        var path = Write(("csharp", "System.Threading.Thread.Sleep(1500);"), ("csharp", "1"));

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { CellTimeout = TimeSpan.FromMilliseconds(200) }, None);

        Assert.Equal("cell 1: TimeoutException: the cell ran longer than the limit of 0.2 s", result.Error);
        Assert.Single(result.Cells);
    }

    [Fact]
    public async Task FastModeIsSetForTheRunOnly()
    {
        var path = Write(("csharp", "XcNotebooks.Notebooks.NotebookEnv.Pick(full: \"full\", fast: \"fast\")"));
        var outside = Environment.GetEnvironmentVariable(NotebookEnv.FastVariable);

        var fast = await NotebookRunner.RunAsync(path, new NotebookRunOptions { Fast = true }, None);
        var full = await NotebookRunner.RunAsync(path, new NotebookRunOptions { Fast = false }, None);

        Assert.Equal("fast", fast.Cells[0].Outputs[0].PlainText);
        Assert.Equal(outside is "1" ? "fast" : "full", full.Cells[0].Outputs[0].PlainText);
        Assert.Equal(outside, Environment.GetEnvironmentVariable(NotebookEnv.FastVariable));
    }

    [Fact]
    public void BadNotebookJsonNamesFileAndLine()
    {
        var path = TestData.TempFile("bad.ipynb", "{\n \"cells\": [\n  {,\n ]\n}\n");
        var e = Assert.Throws<DataFormatException>(() => NotebookDocument.Load(path));
        Assert.Equal(3, e.Line);
        Assert.Contains(path, e.Message);

        var old = TestData.TempFile("old.ipynb", "{ \"nbformat\": 3, \"worksheets\": [] }");
        Assert.Contains("nbformat 4", Assert.Throws<DataFormatException>(() => NotebookDocument.Load(old)).Message);
        Assert.Equal(2, XcnCli.Run(["run", path]));
    }

    [Fact]
    public void DirectivesBecomeBlankLinesSoLineNumbersHold()
    {
        var d = CellDirectives.Parse("#!fsharp\n#r \"nuget: XcNotebooks, 0.1.0\"\n#r @\"lib/My.dll\"\n#i \"nuget: feed\"\n#!share --from csharp x --as y\nlet z = y", "csharp");

        Assert.Equal("fsharp", d.Kernel);
        Assert.Equal("\n\n\n\n\nlet z = y", d.Code);
        Assert.Equal([("XcNotebooks", (string?)"0.1.0")], d.Packages);
        Assert.Equal(["lib/My.dll"], d.AssemblyFiles);
        Assert.Equal(new ShareRequest("csharp", "x", "y", 5), Assert.Single(d.Shares));
        Assert.Contains("'#!time'", Assert.Throws<ArgumentException>(() => CellDirectives.Parse("#!time\n1", "csharp")).Message);
        Assert.Contains("line 2: '#!fsharp' must come before any code",
            Assert.Throws<ArgumentException>(() => CellDirectives.Parse("var a = 1;\n#!fsharp\n", "csharp")).Message);
    }

    [Fact]
    public void NbformatMultilineStringsKeepTheirNewlines()
    {
        Assert.Equal(["a\n", "b\n", "c"], NotebookDocument.Lines("a\nb\nc").Select(n => n!.GetValue<string>()));
        Assert.Equal(["a\n"], NotebookDocument.Lines("a\n").Select(n => n!.GetValue<string>()));
        Assert.Empty(NotebookDocument.Lines(""));
    }
}
