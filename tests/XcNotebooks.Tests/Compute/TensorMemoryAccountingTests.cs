using XcNotebooks.Compute;
using Xunit;

namespace XcNotebooks.Tests.Compute;

/// <summary>The backend's count of live tensor bytes and its peak (what the dexml-memory benchmark reads).</summary>
public sealed class TensorMemoryAccountingTests
{
    [Fact]
    public void LiveBytesFollowAllocationsAndDisposalsAndThePeakRemembersTheMost()
    {
        using var backend = (ComputeBackend)ComputeBackends.Create(BackendKind.Cpu);
        long start = backend.LiveTensorBytes;
        backend.ResetPeakTensorBytes();
        var a = backend.Allocate(10, 10);      // 400 bytes
        var b = backend.AllocateInt(5, 2);     // 40 bytes
        Assert.Equal(start + 440, backend.LiveTensorBytes);
        a.Dispose();
        a.Dispose();                           // a second disposal counts nothing
        Assert.Equal(start + 40, backend.LiveTensorBytes);
        using (backend.Allocate(2, 10)) { }    // 80 bytes, freed at once: the peak stays at 440
        Assert.Equal(start + 440, backend.PeakTensorBytes);
        b.Dispose();
        Assert.Equal(start, backend.LiveTensorBytes);
        backend.ResetPeakTensorBytes();
        Assert.Equal(start, backend.PeakTensorBytes);
    }
}
