using XcNotebooks.Cli;
using XcNotebooks.Cli.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// Every committed notebook runs in the real .NET Interactive kernel through <c>jupyter nbconvert --execute</c>, in
/// fast mode, with no error output; a failure lists every failing cell (index among all cells, error name and text).
/// </summary>
[Collection(nameof(RealKernel))]
public class RealKernelNotebookTests
{
    public static TheoryData<string> Committed() => TestNotebooks.Committed("notebooks", "*.ipynb");

    [Theory(SkipTestWithoutData = true)]
    [MemberData(nameof(Committed))]
    public void RunsWithoutErrorOutputInFastMode(string notebook)
    {
        RealKernel.SkipUnlessAvailable();
        var path = Path.Combine(TestNotebooks.RepositoryRoot(), notebook);
        var before = File.ReadAllText(path);

        var result = JupyterRunner.Run(path, fast: true);

        Assert.True(result.Succeeded, $"{notebook} has {result.Errors.Count} error output(s) in the .NET Interactive kernel:\n" +
            string.Join("\n", result.Errors.Select(e => $"  {e}")));
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void ErrorOutputsAreListedWithTheirCells()
    {
        RealKernel.SkipUnlessAvailable();
        var path = RealKernel.WriteNotebook(TestData.TempDir(), ".net-csharp",
            "var fine = 1;",
            "throw new InvalidOperationException(\"first\");",
            "fine + 1",
            "#!fsharp\n(failwith \"second\" : unit)");

        var result = JupyterRunner.Run(path, fast: true);

        // Every cell runs: both errors are reported, in order, with their cells.
        Assert.Equal([1, 3], result.Errors.Select(e => e.CellIndex));
        Assert.Contains("first", result.Errors[0].Message);
        Assert.Contains("second", result.Errors[1].Message);

        // Through the CLI: exit code 1, and --in-place stores the outputs, errors included, in the notebook.
        var before = File.ReadAllText(path);
        Assert.Equal(1, XcnCli.Run(["run", path, "--in-place", "--fast"]));
        Assert.NotEqual(before, File.ReadAllText(path));
        Assert.Equal([1, 3], JupyterRunner.Errors(File.ReadAllText(path), path).Select(e => e.CellIndex));
    }
}
