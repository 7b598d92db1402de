namespace XcNotebooks.Compute;

/// <summary>
/// Picks the implementation of a family of operations for one backend (double dispatch): a backend calls the
/// overload for its own type in <see cref="IComputeBackend.Select{TOperations}"/>, so an extension that the
/// interface lacks (attention, DSNC's binary codes) writes a CPU and an ILGPU implementation of its own operations
/// interface and never tests the backend's type.
/// </summary>
/// <typeparam name="TOperations">The operations interface (e.g. one with a method per kernel).</typeparam>
public interface IBackendOperations<out TOperations>
{
    /// <summary>The operations on the CPU backend (host loops over <see cref="TensorStorage{T}.AsSpan"/>).</summary>
    TOperations ForCpu(CpuBackend backend);

    /// <summary>The operations on an ILGPU backend (kernels loaded through <c>backend.Device.Kernel(key, loader)</c>).</summary>
    TOperations ForIlgpu(IlgpuBackend backend);
}

/// <summary>An <see cref="IBackendOperations{TOperations}"/> from a CPU implementation and a factory of ILGPU ones.</summary>
public sealed class BackendOperations<TOperations>(TOperations cpu, Func<IlgpuBackend, TOperations> ilgpu) : IBackendOperations<TOperations>
{
    /// <inheritdoc />
    public TOperations ForCpu(CpuBackend backend) => cpu;

    /// <inheritdoc />
    public TOperations ForIlgpu(IlgpuBackend backend) => ilgpu(backend);
}
