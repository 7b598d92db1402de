namespace XcNotebooks.Core;

/// <summary>
/// The collective operations the kit's distributed training needs (in Core so that a method's training loop can
/// allreduce its gradients without knowing MPI), over a fixed group of ranks 0..Size-1 that all
/// call the same operations in the same order (MPI's model). Implementations: `Distributed.MpiCollective` (processes
/// started by mpiexec or srun), <see cref="SingleProcessCollective"/> (rank 0 of 1) and
/// `Distributed.InProcessCollectives` (threads standing in for ranks, for tests and notebooks).
/// </summary>
public interface ICollective
{
    /// <summary>This process's rank, 0..Size-1.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Replaces <paramref name="values"/> (the same length on every rank) by its element-wise sum over the ranks.</summary>
    void AllreduceSum(float[] values);

    /// <summary>Replaces <paramref name="values"/> (the same length on every rank) by its element-wise sum over the ranks.</summary>
    void AllreduceSum(double[] values);

    /// <summary>Returns, on every rank, the bytes <paramref name="root"/> passed (the others' argument is ignored and may be null).</summary>
    byte[] Broadcast(byte[]? data, int root);

    /// <summary>
    /// Sends every rank's <paramref name="data"/> to <paramref name="root"/>, where <paramref name="receive"/> is
    /// called once per rank, in rank order, with (rank, bytes); the others do not call it. The root handles one
    /// rank's bytes at a time, so it need not hold all of them at once.
    /// </summary>
    void Gather(byte[] data, int root, Action<int, byte[]> receive);

    /// <summary>
    /// As <see cref="Gather(byte[], int, Action{int, byte[]})"/> for float arrays, which go to MPI as they are (no
    /// serialised copy: a shard of model weights is sent from the array it was trained in).
    /// </summary>
    void Gather(float[] values, int root, Action<int, float[]> receive);

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (after a rank's failure); single-process groups throw instead.</summary>
    void Abort(int exitCode);
}

/// <summary>Helpers over any <see cref="ICollective"/>.</summary>
public static class CollectiveExtensions
{
    /// <summary>True on rank 0, the rank that writes models, reports and progress.</summary>
    public static bool IsRoot(this ICollective collective) => (collective ?? throw new ArgumentNullException(nameof(collective))).Rank == 0;

    /// <summary>Every rank's bytes on <paramref name="root"/>, in rank order; an empty list on the other ranks.</summary>
    public static IReadOnlyList<byte[]> GatherAll(this ICollective collective, byte[] data, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(collective);
        var all = new List<byte[]>();
        collective.Gather(data, root, (_, bytes) => all.Add(bytes));
        return all;
    }

    internal static void CheckRoot(int root, int size)
    {
        if (root < 0 || root >= size) throw new ArgumentOutOfRangeException(nameof(root), $"root rank {root} is not in 0..{size - 1}");
    }
}

/// <summary>The group of one: rank 0 of 1, every collective the identity (what a program started without mpiexec gets).</summary>
public sealed class SingleProcessCollective : ICollective
{
    /// <summary>The one instance.</summary>
    public static SingleProcessCollective Instance { get; } = new();

    private SingleProcessCollective() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void AllreduceSum(float[] values) => ArgumentNullException.ThrowIfNull(values);

    /// <inheritdoc/>
    public void AllreduceSum(double[] values) => ArgumentNullException.ThrowIfNull(values);

    /// <inheritdoc/>
    public byte[] Broadcast(byte[]? data, int root)
    {
        CollectiveExtensions.CheckRoot(root, 1);
        return data ?? throw new ArgumentNullException(nameof(data), "the root must pass the bytes to broadcast");
    }

    /// <inheritdoc/>
    public void Gather(byte[] data, int root, Action<int, byte[]> receive) => GatherOwn(data, root, receive);

    /// <inheritdoc/>
    public void Gather(float[] values, int root, Action<int, float[]> receive) => GatherOwn(values, root, receive);

    private static void GatherOwn<T>(T[] data, int root, Action<int, T[]> receive)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(receive);
        CollectiveExtensions.CheckRoot(root, 1);
        receive(0, data);
    }

    /// <inheritdoc/>
    public void Abort(int exitCode) => throw new InvalidOperationException($"abort requested (exit code {exitCode}) in a single-process run");
}
