using XcNotebooks.Cli.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// Every committed C# script (scripts/*.csx) runs clean in fast mode in the in-process runner. The notebooks run in
/// the real kernel: <see cref="RealKernelNotebookTests"/>.
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
}
