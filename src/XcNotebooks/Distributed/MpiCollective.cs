using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Distributed;

/// <summary>
/// The MPI world through MPI.NET. MPI.NET 1.4 is built for MS-MPI (msmpi.dll); MPICH shares its ABI (integer
/// handles, the same constants), so on Linux its imports are redirected to MPICH's runtime, libmpich.so.12 (Debian's
/// `mpich`; set XCN_MPI_LIBRARY to another MPICH-ABI library such as Intel MPI's libmpi.so.12). OpenMPI's pointer
/// handles do not fit: launch with `mpiexec.mpich` (or `srun --mpi=pmi2` under Slurm). MPI starts once per process,
/// on first use, and is finalised at exit. Started without a launcher, the world is rank 0 of 1.
/// </summary>
public sealed class MpiCollective : ICollective
{
    private const int LengthTag = 7101, DataTag = 7102;

    private static readonly Lazy<MpiCollective> Instance = new(() => new MpiCollective(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly MPI.Environment _environment;
    private readonly MPI.Intracommunicator _world;

    private MpiCollective()
    {
        NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, ResolveMpiLibrary);
        var args = Array.Empty<string>();
        try
        {
            _environment = new MPI.Environment(ref args);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException(
                $"MPI is not available: {LibraryName} could not be loaded (install MPICH: apt-get install mpich; or set XCN_MPI_LIBRARY)", e);
        }
        _world = MPI.Communicator.world;
        // MPI.NET's default serializer for non-primitive messages is BinaryFormatter, which .NET 10 refuses; the kit
        // sends only primitive arrays, and anything else goes through System.Text.Json.
        _world.Serialization.Serializer = new JsonMessageSerializer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Finalise();
    }

    /// <summary>True once MPI has been started in this process.</summary>
    public static bool IsStarted => Instance.IsValueCreated;

    /// <summary>The world communicator of this process (MPI is started on the first call).</summary>
    public static MpiCollective World => Instance.Value;

    /// <summary>The MPICH-ABI runtime library MPI.NET's imports are bound to.</summary>
    public static string LibraryName => Environment.GetEnvironmentVariable("XCN_MPI_LIBRARY") is { Length: > 0 } name ? name : "libmpich.so.12";

    /// <inheritdoc/>
    public int Rank => _world.Rank;

    /// <inheritdoc/>
    public int Size => _world.Size;

    /// <inheritdoc/>
    public void Barrier() => _world.Barrier();

    /// <inheritdoc/>
    public void AllreduceSum(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = new float[values.Length];
        _world.Allreduce(values, MPI.Operation<float>.Add, ref sum);
        sum.CopyTo(values, 0);
    }

    /// <inheritdoc/>
    public void AllreduceSum(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = new double[values.Length];
        _world.Allreduce(values, MPI.Operation<double>.Add, ref sum);
        sum.CopyTo(values, 0);
    }

    /// <inheritdoc/>
    public byte[] Broadcast(byte[]? data, int root)
    {
        CollectiveExtensions.CheckRoot(root, Size);
        if (Rank == root) ArgumentNullException.ThrowIfNull(data, nameof(data));
        int length = Rank == root ? data!.Length : 0;
        _world.Broadcast(ref length, root);
        var buffer = Rank == root ? data! : new byte[length];
        _world.Broadcast(ref buffer, root);
        return buffer;
    }

    /// <inheritdoc/>
    public void Gather(byte[] data, int root, Action<int, byte[]> receive) => GatherArrays(data, root, receive);

    /// <inheritdoc/>
    public void Gather(float[] values, int root, Action<int, float[]> receive) => GatherArrays(values, root, receive);

    /// <summary>
    /// Point-to-point rather than MPI_Gatherv: the root takes one rank's array at a time (one shard in memory), and
    /// each array keeps its own length (at most 2^31 - 1 elements, MPI's count).
    /// </summary>
    private void GatherArrays<T>(T[] data, int root, Action<int, T[]> receive) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(receive);
        CollectiveExtensions.CheckRoot(root, Size);
        if (Rank != root)
        {
            _world.Send(data.Length, root, LengthTag);
            _world.Send(data, root, DataTag);
            return;
        }
        for (int rank = 0; rank < Size; rank++)
        {
            if (rank == root) { receive(rank, data); continue; }
            int length = _world.Receive<int>(rank, LengthTag);
            var values = new T[length];
            _world.Receive(rank, DataTag, ref values);
            receive(rank, values);
        }
    }

    /// <summary>How long a rank waits after flushing its output before it aborts the job.</summary>
    private const int AbortGraceMilliseconds = 500;

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        Console.Error.Flush();
        Console.Out.Flush();
        // mpiexec passes each rank's output on through pipes: MPI_Abort tears the job down at once, and on a loaded
        // machine it could do so before the error just written reached the user (seen once in CI). A moment's grace.
        Thread.Sleep(AbortGraceMilliseconds);
        _world.Abort(exitCode);
    }

    private void Finalise()
    {
        if (!MPI.Environment.Finalized) _environment.Dispose();
    }

    private static IntPtr ResolveMpiLibrary(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) ? NativeLibrary.Load(LibraryName) : IntPtr.Zero;

    /// <summary>MPI.NET's serializer hook, with System.Text.Json instead of BinaryFormatter.</summary>
    private sealed class JsonMessageSerializer : MPI.ISerializer
    {
        public void Serialize<T>(Stream stream, T value) => JsonSerializer.Serialize(stream, value);

        public T Deserialize<T>(Stream stream) => JsonSerializer.Deserialize<T>(stream)!;
    }
}
