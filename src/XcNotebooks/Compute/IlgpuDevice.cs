using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace XcNotebooks.Compute;

/// <summary>Which accelerator ILGPU code runs on.</summary>
public enum IlgpuTarget
{
    /// <summary>CUDA if present, else OpenCL, else ILGPU's CPU accelerator.</summary>
    Auto,
    /// <summary>ILGPU's CPU accelerator: a correctness simulator (slow; used by the tests).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda,
    /// <summary>An OpenCL device.</summary>
    OpenCL,
}

/// <summary>
/// One ILGPU context and accelerator, with a cache of loaded kernels (each kernel is compiled once per device).
/// The host code that uses it owns its buffers. Choose the target by argument or by the environment variable
/// XCN_ILGPU_TARGET (auto, cpu, cuda, opencl).
/// </summary>
public sealed class IlgpuDevice : IDisposable
{
    private readonly ConcurrentDictionary<string, object> _kernels = new();

    private IlgpuDevice(Context context, Accelerator accelerator, IlgpuTarget target)
    {
        Context = context;
        Accelerator = accelerator;
        Target = target;
    }

    /// <summary>The ILGPU context.</summary>
    public Context Context { get; }

    /// <summary>The accelerator kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The target actually chosen (never Auto).</summary>
    public IlgpuTarget Target { get; }

    /// <summary>Threads per group to use: the accelerator's maximum, capped at 256.</summary>
    public int GroupSize => Math.Min(256, Accelerator.MaxNumThreadsPerGroup);

    /// <summary>Human-readable device name.</summary>
    public string Name => $"{Target}: {Accelerator.Name}";

    /// <summary>Creates a device for <paramref name="target"/>; Auto falls back from CUDA to OpenCL to the CPU accelerator.</summary>
    public static IlgpuDevice Create(IlgpuTarget target = IlgpuTarget.Auto)
    {
        if (target == IlgpuTarget.Auto) target = TargetFromEnvironment();
        var context = Context.Create(b => b.Default().EnableAlgorithms());
        try
        {
            if (target is IlgpuTarget.Auto or IlgpuTarget.Cuda)
            {
                var cuda = context.GetCudaDevices();
                if (cuda.Count > 0) return new IlgpuDevice(context, cuda[0].CreateAccelerator(context), IlgpuTarget.Cuda);
                if (target == IlgpuTarget.Cuda) throw new InvalidOperationException("no CUDA device found (XCN_ILGPU_TARGET=cuda)");
            }
            if (target is IlgpuTarget.Auto or IlgpuTarget.OpenCL)
            {
                var cl = context.GetCLDevices();
                if (cl.Count > 0) return new IlgpuDevice(context, cl[0].CreateAccelerator(context), IlgpuTarget.OpenCL);
                if (target == IlgpuTarget.OpenCL) throw new InvalidOperationException("no OpenCL device found (XCN_ILGPU_TARGET=opencl)");
            }
            return new IlgpuDevice(context, context.CreateCPUAccelerator(0), IlgpuTarget.Cpu);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The target named by XCN_ILGPU_TARGET, Auto when unset.</summary>
    public static IlgpuTarget TargetFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("XCN_ILGPU_TARGET");
        if (string.IsNullOrWhiteSpace(value)) return IlgpuTarget.Auto;
        return Enum.TryParse<IlgpuTarget>(value, ignoreCase: true, out var t)
            ? t
            : throw new ArgumentException($"XCN_ILGPU_TARGET='{value}' is not one of auto, cpu, cuda, opencl");
    }

    /// <summary>
    /// The kernel stored under <paramref name="key"/>, loading it with <paramref name="load"/> the first time
    /// (e.g. <c>a => a.LoadAutoGroupedStreamKernel&lt;...&gt;(MyKernels.Step)</c>).
    /// </summary>
    public TKernel Kernel<TKernel>(string key, Func<Accelerator, TKernel> load) where TKernel : class =>
        (TKernel)_kernels.GetOrAdd(key, _ => load(Accelerator));

    /// <summary>Releases the accelerator and context.</summary>
    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }

    /// <summary>The device name.</summary>
    public override string ToString() => Name;
}
