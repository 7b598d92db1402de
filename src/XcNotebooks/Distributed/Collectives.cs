using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Distributed;

/// <summary>
/// Which group this process belongs to: the MPI world when it was started by a launcher (mpiexec's hydra sets
/// PMI_RANK/PMI_SIZE, as does Slurm's srun --mpi=pmi2) or when asked, else the single process.
/// </summary>
public static class Collectives
{
    /// <summary>
    /// The rank and size the launcher gave this process, from its environment (PMI_RANK/PMI_SIZE, which MPICH's
    /// hydra and Slurm's `srun --mpi=pmi2` set); (0, 1) when they are not set. Known without starting MPI, so a
    /// program can silence the other ranks' output from its first line. (Slurm's own SLURM_PROCID/SLURM_NTASKS are
    /// not used: a batch script's shell has them too, without being one of several ranks.)
    /// </summary>
    public static (int Rank, int Size) LaunchedRank() =>
        ReadInt("PMI_RANK") is int rank && ReadInt("PMI_SIZE") is int size && size >= 1 && rank >= 0 && rank < size ? (rank, size) : (0, 1);

    /// <summary>
    /// This process's rank: the MPI world's once MPI has started (also when `--distributed` started it under a
    /// launcher that sets no PMI variables), else the launcher's. Only rank 0 writes reports.
    /// </summary>
    public static int ProcessRank => ProcessGroup.Rank;

    /// <summary>This process's rank and the job's size: the MPI world's once MPI has started, else the launcher's.</summary>
    public static (int Rank, int Size) ProcessGroup => MpiCollective.IsStarted ? (MpiCollective.World.Rank, MpiCollective.World.Size) : LaunchedRank();

    /// <summary>True when a launcher started this process as one of several ranks.</summary>
    public static bool LaunchedAsGroup => LaunchedRank().Size > 1;

    /// <summary>
    /// The group to train with: the MPI world when <paramref name="distributed"/> is asked or the process was
    /// launched as one of several ranks, else <see cref="SingleProcessCollective.Instance"/>.
    /// </summary>
    public static ICollective World(bool distributed = false) =>
        distributed || LaunchedAsGroup ? MpiCollective.World : SingleProcessCollective.Instance;

    private static int? ReadInt(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;
}
