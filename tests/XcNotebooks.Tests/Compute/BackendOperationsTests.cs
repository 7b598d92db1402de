using XcNotebooks.Compute;
using Xunit;

namespace XcNotebooks.Tests.Compute;

[Collection("backends")]
public sealed class BackendOperationsTests(BackendFixture fixture)
{
    /// <summary>Names the overload a backend called, and passes the backend back to check it is the caller.</summary>
    private sealed class Recorder : IBackendOperations<(string, IComputeBackend)>
    {
        public (string, IComputeBackend) ForCpu(CpuBackend backend) => ("cpu", backend);

        public (string, IComputeBackend) ForIlgpu(IlgpuBackend backend) => ("ilgpu", backend);
    }

    [Fact]
    public void Each_backend_selects_its_own_implementation()
    {
        Assert.Equal(("cpu", (IComputeBackend)fixture.Cpu), fixture.Cpu.Select(new Recorder()));
        Assert.Equal(("ilgpu", (IComputeBackend)fixture.Ilgpu), fixture.Ilgpu.Select(new Recorder()));
        Assert.Throws<ArgumentNullException>(() => fixture.Cpu.Select<int>(null!));
    }

    [Fact]
    public void Only_compute_tests_a_backends_type()
    {
        // Operations outside Compute go through IComputeBackend.Select, never through type tests on the backend.
        var src = Path.Combine(TestData.RepoRoot, "src");
        string[] patterns = ["is CpuBackend", "is IlgpuBackend", "case CpuBackend", "case IlgpuBackend", "as CpuBackend", "as IlgpuBackend", "is not CpuBackend", "is not IlgpuBackend"];
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => !Path.GetRelativePath(src, f).StartsWith(Path.Combine("XcNotebooks", "Compute"), StringComparison.Ordinal))
            .Where(f => patterns.Any(p => File.ReadAllText(f).Contains(p, StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(src, f)).ToList();
        Assert.Empty(offenders);
    }
}
