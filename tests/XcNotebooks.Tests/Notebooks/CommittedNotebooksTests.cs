using XcNotebooks.Cli;
using XcNotebooks.Cli.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// Every committed script runs clean in fast mode: C# (scripts/*.csx) in the in-process runner, F# (scripts/*.fsx) in
/// dotnet fsi through <c>xcn run</c>. The notebooks run in the real kernel: <see cref="RealKernelNotebookTests"/>.
/// </summary>
[Collection(nameof(NotebookRunnerTests))]
public class CommittedNotebooksTests
{
    public static TheoryData<string> Committed() => TestNotebooks.Committed("scripts", "*.csx");

    [Theory(SkipTestWithoutData = true)]
    [MemberData(nameof(Committed))]
    public async Task RunsCleanInFastMode(string file)
    {
        var path = Path.Combine(TestNotebooks.RepositoryRoot(), file);
        var before = File.ReadAllText(path);

        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { Fast = true, CellTimeout = TimeSpan.FromMinutes(5) },
            TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.NotEmpty(result.Cells);
        Assert.Equal(before, File.ReadAllText(path));
    }

    public static TheoryData<string> CommittedFSharp() => TestNotebooks.Committed("scripts", "*.fsx");

    [Theory(SkipTestWithoutData = true)]
    [MemberData(nameof(CommittedFSharp))]
    public void FSharpScriptsRunCleanInFastMode(string file) =>
        Assert.Equal(0, XcnCli.Run(["run", Path.Combine(TestNotebooks.RepositoryRoot(), file), "--fast"]));

    [Fact]
    public void FSharpScriptsRunInDotnetFsiWithTheKitAndItsCharts()
    {
        var folder = TestData.TempDir();
        var result = Path.Combine(folder, "result.txt");
        var script = TestData.TempFile("chart.fsx", $$"""
            #r "{{typeof(XcNotebooks.Plotting.XcChart).Assembly.Location}}"
            open XcNotebooks.Plotting
            let chart = Charts.Lines([ ChartSeries("s", [| 1.0; 2.0 |], [| 3.0; 4.0 |]) ])
            System.IO.File.WriteAllText(@"{{result}}", sprintf "%s %d %s" (System.Environment.GetEnvironmentVariable "XCN_FAST") chart.TraceCount (String.concat "," fsi.CommandLineArgs.[1..]))
            """);

        Assert.Equal(0, XcnCli.Run(["run", script, "a", "b", "--fast"]));

        Assert.Equal("1 1 a,b", File.ReadAllText(result));
        var failing = TestData.TempFile("fail.fsx", "failwith \"stop\"");
        Assert.Equal(1, XcnCli.Run(["run", failing]));
    }
}
