using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// Storage shared by <see cref="Tensor"/> and <see cref="IntTensor"/>: a rows x cols row-major block of values that
/// lives either in a host array (CPU backend) or in an accelerator buffer (ILGPU backend). Copies between host and
/// tensor are explicit (<see cref="CopyFrom(T[])"/>, <see cref="ToArray"/>); operations never copy behind your back.
/// </summary>
/// <typeparam name="T">float or int.</typeparam>
public abstract class TensorStorage<T> : IDisposable where T : unmanaged
{
    private readonly T[]? _host;
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _device;
    private bool _disposed;

    private protected TensorStorage(IComputeBackend backend, int rows, int cols, T[]? host, MemoryBuffer1D<T, Stride1D.Dense>? device)
    {
        if ((host is null) == (device is null)) throw new ArgumentException("a tensor lives either on the host or on a device");
        Backend = backend;
        Rows = rows;
        Cols = cols;
        _host = host;
        _device = device;
    }

    /// <summary>The backend that allocated this tensor; only that backend's operations accept it.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Number of values (rows * cols).</summary>
    public int Length => Rows * Cols;

    /// <summary>True when the values live in a host array (CPU backend): <see cref="AsSpan"/> works.</summary>
    public bool IsOnHost => _host is not null;

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// The values in place, for host-side kernels added outside this library (e.g. a CPU decoding routine).
    /// Only for tensors of the CPU backend; see <see cref="IsOnHost"/>.
    /// </summary>
    public Span<T> AsSpan()
    {
        ThrowIfDisposed();
        return _host is not null
            ? _host.AsSpan(0, Length)
            : throw new InvalidOperationException($"{this} lives on {Backend.Name}; copy it with ToArray() or use View");
    }

    /// <summary>
    /// The accelerator view of the values, for ILGPU kernels added outside this library (launch them through
    /// <see cref="IlgpuBackend.Device"/>). Only for tensors of an ILGPU backend.
    /// </summary>
    public ArrayView1D<T, Stride1D.Dense> View
    {
        get
        {
            ThrowIfDisposed();
            return _device is not null
                ? _device.View.SubView(0, Length)
                : throw new InvalidOperationException($"{this} lives on the host; use AsSpan()");
        }
    }

    /// <summary>Overwrites every value from <paramref name="values"/> (length rows * cols). Synchronous.</summary>
    internal void CopyFrom(ReadOnlySpan<T> values)
    {
        ThrowIfDisposed();
        if (values.Length != Length)
            throw new ArgumentException($"{values.Length} values given for a {Rows} x {Cols} tensor");
        if (_host is not null) values.CopyTo(_host);
        else if (Length > 0) DeviceView.CopyFromCPU(values);
    }

    /// <summary>Overwrites every value from an array (length rows * cols). Synchronous.</summary>
    public void CopyFrom(T[] values) => CopyFrom((ReadOnlySpan<T>)values);

    /// <summary>Copies the values into <paramref name="destination"/> (length rows * cols); waits for pending work.</summary>
    internal void CopyTo(Span<T> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != Length)
            throw new ArgumentException($"destination holds {destination.Length} values, the tensor has {Length}");
        if (_host is not null) _host.AsSpan(0, Length).CopyTo(destination);
        else if (Length > 0)
        {
            _device!.Accelerator.Synchronize();
            DeviceView.CopyToCPU(destination);
        }
    }

    /// <summary>A host copy of the values, row after row.</summary>
    public T[] ToArray()
    {
        var values = new T[Length];
        CopyTo(values);
        return values;
    }

    /// <summary>Frees device memory (no-op for host tensors beyond marking them disposed).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device?.Dispose();
        (Backend as ComputeBackend)?.Released((long)Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        GC.SuppressFinalize(this);
    }

    /// <summary>Shape and where it lives, e.g. "Tensor 64 x 256 on cpu".</summary>
    public override string ToString() => $"{GetType().Name} {Rows} x {Cols} on {Backend.Name}";

    internal T[] Host => _host ?? throw new InvalidOperationException($"{this} is not a host tensor");

    internal ArrayView<T> DeviceView => View.AsContiguous();

    internal void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(ToString());
    }
}

/// <summary>
/// A 2-D float32 row-major tensor allocated and owned by a backend (<see cref="IComputeBackend.Allocate"/>). On
/// ILGPU it stays on the accelerator between operations; read it back with <see cref="TensorStorage{T}.ToArray"/>
/// or <see cref="ToMatrix"/>.
/// </summary>
public sealed class Tensor : TensorStorage<float>
{
    internal Tensor(IComputeBackend backend, int rows, int cols, float[]? host, MemoryBuffer1D<float, Stride1D.Dense>? device)
        : base(backend, rows, cols, host, device) { }

    /// <summary>A host copy as a matrix.</summary>
    public RowMajorMatrix ToMatrix() => new(Rows, Cols, ToArray());

    /// <summary>Overwrites the values from a matrix of the same shape.</summary>
    public void CopyFrom(RowMajorMatrix matrix)
    {
        if (matrix.Rows != Rows || matrix.Cols != Cols)
            throw new ArgumentException($"a {matrix.Rows} x {matrix.Cols} matrix does not fit a {Rows} x {Cols} tensor");
        CopyFrom(matrix.Data);
    }

    /// <summary>The host array wrapped as a matrix without copying (CPU backend only).</summary>
    internal RowMajorMatrix HostMatrix => new(Rows, Cols, Host.Length == Length ? Host : throw new InvalidOperationException("padded host tensor"));
}

/// <summary>A 2-D int32 row-major tensor (token ids, lengths, class targets, row lists, top-k indices).</summary>
public sealed class IntTensor : TensorStorage<int>
{
    internal IntTensor(IComputeBackend backend, int rows, int cols, int[]? host, MemoryBuffer1D<int, Stride1D.Dense>? device)
        : base(backend, rows, cols, host, device) { }
}
