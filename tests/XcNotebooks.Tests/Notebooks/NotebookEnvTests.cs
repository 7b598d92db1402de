using XcNotebooks.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

public class NotebookEnvTests
{
    [Fact]
    public void SharedDataIsFoundGoingUpFromTheStartFolder()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(NotebookEnv.SharedDataVariable) is { Length: > 0 },
            "XCN_SHARED_DATA is set, so it wins over the search");
        var top = TestData.TempDir();
        var shared = Directory.CreateDirectory(Path.Combine(top, "shared", "data")).FullName;
        var deep = Directory.CreateDirectory(Path.Combine(top, "repo", "notebooks", "sub")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Combine(top, "repo2")).FullName;

        Assert.Equal(shared, NotebookEnv.SharedDataRoot(deep));
        Assert.Equal(shared, NotebookEnv.SharedDataRoot(top));
        Directory.Delete(shared);
        // Without the folder the walk reaches the file system root; a machine could hold /shared/data, nothing else above a temp dir.
        Assert.True(NotebookEnv.SharedDataRoot(elsewhere) is null or "/shared/data");
    }
}
