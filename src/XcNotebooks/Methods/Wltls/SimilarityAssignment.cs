using XcNotebooks.Hierarchies;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>The order in which the similarity assignment's depth-first walk visits a node's children.</summary>
public enum HierarchyChildOrder
{
    /// <summary>As the hierarchy gives them (the edge order; the authors' walk).</summary>
    AsGiven,
    /// <summary>
    /// Smallest subtree first (subtree size: the node and its descendants, a node under several parents counted under
    /// each), ties in the given order. On the WordNet noun hierarchy this put small sibling groups side by side in the
    /// code and gave +0.2 to +0.5 validation P@1 at b = 16 (benchmarks/results/wordnet.md).
    /// </summary>
    SmallestSubtreeFirst,
}

/// <summary>
/// Similarity-preserving codeword-to-class assignment (Evron et al., AISTATS 2023, Sec. 4.2): walk a class
/// hierarchy depth-first in pre-order and give the i-th class reached the i-th codeword, codewords numbered in
/// the order the code enumerates them (<see cref="TrellisGraph"/>: lexicographic by edge index). Classes close in
/// the hierarchy get codewords close in the enumeration, which share many edges.
/// </summary>
public static class SimilarityAssignment
{
    /// <summary>
    /// The assignment read off <paramref name="hierarchy"/>: its labels in depth-first pre-order (inner labels of a
    /// Clus-HMC hierarchy included) receive codewords 0, 1, 2, ...
    /// </summary>
    public static PathAssignment FromHierarchy(LabelHierarchy hierarchy) => FromHierarchy(hierarchy, HierarchyChildOrder.AsGiven);

    /// <summary>
    /// The assignment read off <paramref name="hierarchy"/> walked with children in <paramref name="childOrder"/>:
    /// depth-first pre-order from the root, each node visited once, on first reaching it (as
    /// <see cref="LabelHierarchy.PreOrder"/>); its labels receive codewords 0, 1, 2, ...
    /// </summary>
    public static PathAssignment FromHierarchy(LabelHierarchy hierarchy, HierarchyChildOrder childOrder)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        switch (childOrder)
        {
            case HierarchyChildOrder.AsGiven:
                return PathAssignment.FromClassOrder(hierarchy.LabelsInPreOrder, PathAssignmentPolicy.Similarity);
            case HierarchyChildOrder.SmallestSubtreeFirst:
                var size = SubtreeSizes(hierarchy);
                var order = new List<int>(hierarchy.NumLabels);
                var visited = new bool[hierarchy.NumNodes];
                var stack = new Stack<int>();
                stack.Push(hierarchy.Root);
                while (stack.Count > 0)
                {
                    int v = stack.Pop();
                    if (visited[v]) continue;
                    visited[v] = true;
                    if (v < hierarchy.NumLabels) order.Add(v);
                    var children = hierarchy.Children(v);
                    // Stable: equal sizes keep the given order. Pushed in reverse so that the smallest is visited first.
                    var sorted = Enumerable.Range(0, children.Count).OrderBy(i => size[children[i]]).ThenBy(i => i).Select(i => children[i]).ToArray();
                    for (int i = sorted.Length - 1; i >= 0; i--)
                        if (!visited[sorted[i]]) stack.Push(sorted[i]);
                }
                return PathAssignment.FromClassOrder(order, PathAssignmentPolicy.Similarity);
            default:
                throw new ArgumentOutOfRangeException(nameof(childOrder), childOrder, "unknown child order");
        }
    }

    /// <summary>1 + the sizes of the children, children first (a node under several parents counts under each; in double: no overflow).</summary>
    private static double[] SubtreeSizes(LabelHierarchy hierarchy)
    {
        var size = new double[hierarchy.NumNodes];
        var done = new bool[hierarchy.NumNodes];
        var stack = new Stack<(int Node, bool ChildrenDone)>();
        stack.Push((hierarchy.Root, false));
        while (stack.Count > 0)
        {
            var (v, childrenDone) = stack.Pop();
            if (done[v]) continue;
            if (!childrenDone)
            {
                stack.Push((v, true));
                foreach (int c in hierarchy.Children(v)) if (!done[c]) stack.Push((c, false));
                continue;
            }
            double total = 1;
            foreach (int c in hierarchy.Children(v)) total += size[c];
            size[v] = total;
            done[v] = true;
        }
        return size;
    }

    /// <summary>The assignment from the agglomerative clustering tree of <paramref name="classDistances"/>.</summary>
    public static PathAssignment FromDistances(CondensedDistances classDistances, LinkageMethod linkage = LinkageMethod.Average,
        HierarchyChildOrder childOrder = HierarchyChildOrder.AsGiven) =>
        FromHierarchy(AgglomerativeClustering.Fit(classDistances, linkage).ToHierarchy(), childOrder);

    /// <summary>
    /// The authors' recipe without a given hierarchy: class means of the training features, Euclidean distances
    /// between them, average-linkage clustering, pre-order of the leaves.
    /// </summary>
    public static PathAssignment FromFeatures(Dataset train, LinkageMethod linkage = LinkageMethod.Average) =>
        FromDistances(ClassDistances.EuclideanBetweenMeans(train), linkage);
}
