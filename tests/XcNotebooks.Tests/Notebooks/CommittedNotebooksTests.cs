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
    /// <summary>Paths relative to the repository root, one row each (none is fine).</summary>
    public static TheoryData<string> Committed()
    {
        var root = TestNotebooks.RepositoryRoot();
        var files = new[] { ("scripts", "*.csx") }
            .Where(f => Directory.Exists(Path.Combine(root, f.Item1)))
            .SelectMany(f => Directory.GetFiles(Path.Combine(root, f.Item1), f.Item2))
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        return new TheoryData<string>(files);
    }

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
