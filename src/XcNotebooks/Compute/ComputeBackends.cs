using ILGPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// Picks and creates a compute backend. <see cref="BackendKind.Auto"/> reads XCN_BACKEND (cpu, ilgpu, auto), then
/// uses ILGPU only when a real GPU exists (CUDA, or an OpenCL GPU): ILGPU's CPU accelerator is a correctness
/// simulator, far slower than <see cref="CpuBackend"/>.
/// </summary>
public static class ComputeBackends
{
    /// <summary>A new backend of the given kind (dispose it when done).</summary>
    public static IComputeBackend Create(BackendKind kind = BackendKind.Auto) =>
        Resolve(kind) == BackendKind.Ilgpu ? IlgpuBackend.Create() : new CpuBackend();

    /// <summary>The backend <paramref name="kind"/> stands for: Auto is XCN_BACKEND's kind, else Ilgpu when a GPU is present, else Cpu.</summary>
    public static BackendKind Resolve(BackendKind kind)
    {
        if (kind == BackendKind.Auto) kind = KindFromEnvironment();
        return kind == BackendKind.Auto ? (GpuAvailable() ? BackendKind.Ilgpu : BackendKind.Cpu) : kind;
    }

    /// <summary>The kind named by XCN_BACKEND, Auto when unset.</summary>
    public static BackendKind KindFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("XCN_BACKEND");
        if (string.IsNullOrWhiteSpace(value)) return BackendKind.Auto;
        return Enum.TryParse<BackendKind>(value, ignoreCase: true, out var kind)
            ? kind
            : throw new ArgumentException($"XCN_BACKEND='{value}' is not one of auto, cpu, ilgpu");
    }

    /// <summary>True when ILGPU sees a CUDA device or an OpenCL GPU.</summary>
    public static bool GpuAvailable()
    {
        try
        {
            using var context = Context.Create(b => b.Default());
            if (context.GetCudaDevices().Count > 0) return true;
            foreach (var device in context.GetCLDevices())
                if (device.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU)) return true;
            return false;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return false; // no usable driver
        }
    }
}

/// <summary>Host-to-backend copies in one call (F#-friendly: arrays and matrices).</summary>
public static class ComputeBackendExtensions
{
    /// <summary>A new tensor holding <paramref name="values"/> (row-major, rows * cols of them).</summary>
    public static Tensor Upload(this IComputeBackend backend, float[] values, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        tensor.CopyFrom(values);
        return tensor;
    }

    /// <summary>A new tensor holding a copy of <paramref name="matrix"/>.</summary>
    public static Tensor Upload(this IComputeBackend backend, RowMajorMatrix matrix) => backend.Upload(matrix.Data, matrix.Rows, matrix.Cols);

    /// <summary>A new int tensor holding <paramref name="values"/> (row-major).</summary>
    public static IntTensor UploadInt(this IComputeBackend backend, int[] values, int rows, int cols)
    {
        var tensor = backend.AllocateInt(rows, cols);
        tensor.CopyFrom(values);
        return tensor;
    }

    /// <summary>A rows x d dense tensor of <paramref name="matrix"/> (e.g. multi-hot label targets of a batch).</summary>
    public static Tensor UploadDense(this IComputeBackend backend, CsrMatrix matrix)
    {
        using var sparse = backend.Upload(matrix);
        var dense = backend.Allocate(matrix.Rows, matrix.Cols);
        backend.ToDense(sparse, dense);
        return dense;
    }
}
