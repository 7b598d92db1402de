using XcNotebooks.Core;
using XcNotebooks.Methods.Parabel;

namespace XcNotebooks.Distributed;

/// <summary>
/// The Parabel-style tree trained node-sharded: rank 0 builds the label tree and broadcasts it, every rank trains the
/// classifiers of its share of the nodes (dealt by estimated cost, <see cref="LabelShards.BalancedByCost"/>), and
/// rank 0 gathers the nodes and assembles the model one process trains, byte for byte (each node's learner is
/// seeded by the node, whichever rank trains it).
/// </summary>
public static class DistributedParabel
{
    /// <summary>
    /// Trains on every rank of <paramref name="collective"/> (all call it with the same data and options); returns
    /// the model on rank 0 and null elsewhere. <paramref name="monitor"/> is used on rank 0 only.
    /// </summary>
    public static ParabelModel? Train(Dataset train, ParabelOptions options, ICollective collective, TrainingMonitor? monitor = null)
    {
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        monitor = DistributedOneVsRest.Begin(train, collective, monitor);
        // An ensemble's trees one after the other, each sharded over the ranks.
        var trees = new ParabelModel?[options.Trees];
        for (int m = 0; m < trees.Length; m++) trees[m] = TrainTree(train, Parabel.MemberOptions(options, m), collective, monitor);
        return collective.IsRoot() ? ParabelModel.Ensemble(trees!, options) : null;
    }

    private static ParabelModel? TrainTree(Dataset train, ParabelOptions options, ICollective collective, TrainingMonitor monitor)
    {
        var treeBytes = collective.Broadcast(collective.IsRoot() ? TreeBytes(Parabel.BuildTree(train, options, monitor)) : null, 0);
        var trainer = new ParabelNodeTrainer(train, options, ReadTree(treeBytes));
        int nodes = trainer.Tree.NumNodes;
        var mine = LabelShards.BalancedByCost(Enumerable.Range(0, nodes).Select(trainer.Cost).ToArray(), collective.Size)[collective.Rank];
        monitor.Write($"Rank {collective.Rank} of {collective.Size}: {mine.Length:N0} of {nodes:N0} tree nodes");
        var trained = new ParabelNode[mine.Length];
        int done = 0;
        Parallel.For(0, mine.Length, c =>
        {
            trained[c] = trainer.TrainNode(mine[c]);
            monitor.Report("Parabel classifiers (this rank's nodes)", Interlocked.Increment(ref done), mine.Length);
        });
        var bytes = NodeBytes(trained);
        if (!collective.IsRoot())
        {
            collective.Gather(bytes, 0, (_, _) => { });
            return null;
        }
        var all = new ParabelNode?[nodes];
        collective.Gather(bytes, 0, (rank, received) =>
        {
            foreach (var node in ReadNodes(received))
            {
                if (node.Node < 0 || node.Node >= nodes || all[node.Node] is not null)
                    throw new InvalidOperationException($"rank {rank} sent node {node.Node}, out of range or already merged");
                all[node.Node] = node;
            }
        });
        if (Array.IndexOf(all, null) is int missing and >= 0) throw new InvalidOperationException($"no rank sent tree node {missing}");
        return trainer.Assemble(all!);
    }

    internal static byte[] TreeBytes(LabelTree tree) => Serialize(w =>
    {
        w.WriteArray(tree.FirstChild.ToArray());
        w.WriteArray(tree.LabelStart.ToArray());
        w.WriteArray(tree.LabelCount.ToArray());
        w.WriteArray(tree.LeafLabels.ToArray());
    });

    internal static LabelTree ReadTree(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        return new LabelTree(r.ReadIntArray(), r.ReadIntArray(), r.ReadIntArray(), r.ReadIntArray());
    }

    private static byte[] NodeBytes(IReadOnlyList<ParabelNode> nodes) => Serialize(w =>
    {
        w.Write(nodes.Count);
        foreach (var node in nodes)
        {
            w.Write(node.Node);
            w.WriteArray(node.Features);
            w.WriteArray(node.Block);
            w.WriteArray(node.Bias);
        }
    });

    private static List<ParabelNode> ReadNodes(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        int count = r.ReadInt32();
        var nodes = new List<ParabelNode>(count);
        for (int i = 0; i < count; i++) nodes.Add(new ParabelNode(r.ReadInt32(), r.ReadIntArray(), r.ReadFloatArray(), r.ReadFloatArray()));
        return nodes;
    }

    private static byte[] Serialize(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream)) write(w);
        return stream.ToArray();
    }
}
