using System.Numerics.Tensors;
using XcNotebooks.Core;

namespace XcNotebooks.Distributed;

/// <summary>
/// A group of ranks inside one process, one thread each: the same collective semantics as MPI (sums in rank order,
/// so every rank gets identical bits), for tests and notebooks that show a distributed path without a launcher.
/// </summary>
public static class InProcessCollectives
{
    /// <summary>
    /// Runs <paramref name="body"/> as ranks 0..<paramref name="size"/>-1 on their own threads and returns their results
    /// in rank order. When a rank throws, the others are released from their next collective and the first failure
    /// is rethrown, wrapped in an exception naming the rank.
    /// </summary>
    public static IReadOnlyList<T> Run<T>(int size, Func<ICollective, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (size < 1) throw new ArgumentException($"a group needs at least one rank, got {size}");
        var group = new Group(size);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try { results[rank] = body(new RankCollective(group, rank)); }
            catch (Exception e)
            {
                failures[rank] = e;
                group.Cancel.Cancel();
            }
        }) { IsBackground = true, Name = $"rank {rank}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // A rank that failed on its own comes first; the others' cancellations are its consequence.
        for (int pass = 0; pass < 2; pass++)
            for (int rank = 0; rank < size; rank++)
                if (failures[rank] is { } e && (pass == 1 || e is not OperationCanceledException))
                    throw new InvalidOperationException($"rank {rank} of {size} failed: {e.Message}", e);
        return results;
    }

    private sealed class Group(int size)
    {
        public readonly Barrier Barrier = new(size);
        public readonly object?[] Slots = new object?[size];
        public readonly CancellationTokenSource Cancel = new();
    }

    private sealed class RankCollective(Group group, int rank) : ICollective
    {
        public int Rank => rank;

        public int Size => group.Slots.Length;

        public void Barrier() => group.Barrier.SignalAndWait(group.Cancel.Token);

        /// <summary>Posts this rank's value, returns every rank's once all have posted (a snapshot; slots are then free again).</summary>
        private object?[] Exchange(object? value)
        {
            group.Slots[rank] = value;
            Barrier();
            var all = (object?[])group.Slots.Clone();
            Barrier();
            return all;
        }

        public void AllreduceSum(float[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var all = Exchange(values.Clone());
            ((float[])all[0]!).CopyTo(values, 0);
            for (int r = 1; r < all.Length; r++) TensorPrimitives.Add(values, (float[])all[r]!, values);
        }

        public void AllreduceSum(double[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            var all = Exchange(values.Clone());
            ((double[])all[0]!).CopyTo(values, 0);
            for (int r = 1; r < all.Length; r++) TensorPrimitives.Add(values, (double[])all[r]!, values);
        }

        public byte[] Broadcast(byte[]? data, int root)
        {
            CollectiveExtensions.CheckRoot(root, Size);
            if (rank == root) ArgumentNullException.ThrowIfNull(data, nameof(data));
            return (byte[])((byte[])Exchange(rank == root ? data : null)[root]!).Clone();
        }

        public void Gather(byte[] data, int root, Action<int, byte[]> receive) => GatherArrays(data, root, receive);

        public void Gather(float[] values, int root, Action<int, float[]> receive) => GatherArrays(values, root, receive);

        private void GatherArrays<T>(T[] data, int root, Action<int, T[]> receive)
        {
            ArgumentNullException.ThrowIfNull(data);
            ArgumentNullException.ThrowIfNull(receive);
            CollectiveExtensions.CheckRoot(root, Size);
            var all = Exchange(data);
            if (rank == root)
                for (int r = 0; r < all.Length; r++) receive(r, (T[])all[r]!);
            // The root reads the senders' arrays in place: every rank returns once it has taken them all, so that a
            // sender may then reuse its array, as an MPI send lets it.
            Barrier();
        }

        public void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted the group (exit code {exitCode})");
    }
}
