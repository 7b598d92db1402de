using XcNotebooks.Core;
using XcNotebooks.Methods.Wltls;

namespace XcNotebooks.Distributed;

/// <summary>
/// Label-sharded W-LTLS: every rank holds the training points and trains the binary learners of its share of the
/// trellis edges (dealt by cost, <see cref="LabelShards.BalancedByCost"/>), exchanging nothing while it learns; rank 0
/// gathers what needs every edge (each epoch's margins for the online train accuracy; with a heldout split each
/// epoch's weights, validated there, the best-epoch and early-stopping decisions broadcast back; the final weights)
/// and returns the training one process returns, the same models byte for byte: each edge's learner sees the same
/// targets, shuffles and seed whatever rank trains it. The path assignment must be fixed before training (random,
/// similarity or a precomputed one): the greedy one chooses codewords from every edge's margins.
/// </summary>
public static class DistributedWltls
{
    /// <summary>
    /// Trains on every rank of <paramref name="collective"/> (all ranks call it with the same data and options; the
    /// heldout split is used on rank 0, and must be given on every rank or on none). Returns the training (best and
    /// last models, history) on rank 0 and null on the other ranks. <paramref name="monitor"/> is used on rank 0 only.
    /// </summary>
    public static WltlsTraining? TrainDetailed(Dataset train, Dataset? heldout, WltlsOptions options, ICollective collective, TrainingMonitor? monitor = null)
    {
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (options.PathAssignment == PathAssignmentPolicy.Greedy) throw new ArgumentException(Wltls.GreedyNotShardable);
        monitor = DistributedOneVsRest.Begin(train, collective, monitor);
        // The ranks exchange more with a heldout split (rank 0 validates every epoch): all must agree on having one.
        double[] heldouts = [heldout is null ? 0 : 1];
        collective.AllreduceSum(heldouts);
        if (heldouts[0] != 0 && heldouts[0] != collective.Size)
            throw new ArgumentException($"rank {collective.Rank} of {collective.Size}: {heldouts[0]} of {collective.Size} ranks have a heldout split; give every rank the same files");
        return Wltls.TrainOnRanks(train, heldout, options, collective, monitor);
    }

    /// <summary>As <see cref="TrainDetailed"/>: the best-validated model on rank 0, null on the other ranks.</summary>
    public static WltlsModel? Train(Dataset train, Dataset? heldout, WltlsOptions options, ICollective collective, TrainingMonitor? monitor = null) =>
        TrainDetailed(train, heldout, options, collective, monitor)?.Best;
}
