using System.Globalization;

namespace XcNotebooks.Distributed;

/// <summary>
/// Which group this process belongs to: the MPI world when it was started by a launcher (mpiexec's hydra sets
/// PMI_RANK/PMI_SIZE, Slurm's srun sets SLURM_PROCID/SLURM_NTASKS) or when asked, else the single process.
/// </summary>
public static class Collectives
{
    /// <summary>
    /// The rank and size the launcher gave this process, from its environment (PMI_RANK/PMI_SIZE, then
    /// SLURM_PROCID/SLURM_NTASKS); (0, 1) when none is set. Known without starting MPI, so a program can silence
    /// the other ranks' output from its first line.
    /// </summary>
    public static (int Rank, int Size) LaunchedRank()
    {
        foreach (var (rankVar, sizeVar) in new[] { ("PMI_RANK", "PMI_SIZE"), ("SLURM_PROCID", "SLURM_NTASKS") })
            if (ReadInt(rankVar) is int rank && ReadInt(sizeVar) is int size && size >= 1 && rank >= 0 && rank < size)
                return (rank, size);
        return (0, 1);
    }

    /// <summary>True when a launcher started this process as one of several ranks.</summary>
    public static bool LaunchedAsGroup => LaunchedRank().Size > 1;

    /// <summary>
    /// The group to train with: the MPI world when <paramref name="distributed"/> is asked or the process was
    /// launched as one of several ranks, else <see cref="SingleProcessCollective.Instance"/>.
    /// </summary>
    public static ICollective World(bool distributed = false) =>
        distributed || LaunchedAsGroup ? MpiCollective.World : SingleProcessCollective.Instance;

    internal static void CheckRoot(int root, int size)
    {
        if (root < 0 || root >= size) throw new ArgumentOutOfRangeException(nameof(root), $"root rank {root} is not in 0..{size - 1}");
    }

    private static int? ReadInt(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
}
