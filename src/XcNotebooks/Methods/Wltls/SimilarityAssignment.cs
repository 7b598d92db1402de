using XcNotebooks.Hierarchies;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

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
    public static PathAssignment FromHierarchy(LabelHierarchy hierarchy)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        return PathAssignment.FromClassOrder(hierarchy.LabelsInPreOrder, PathAssignmentPolicy.Similarity);
    }

    /// <summary>The assignment from the agglomerative clustering tree of <paramref name="classDistances"/>.</summary>
    public static PathAssignment FromDistances(CondensedDistances classDistances, LinkageMethod linkage = LinkageMethod.Average) =>
        FromHierarchy(AgglomerativeClustering.Fit(classDistances, linkage).ToHierarchy());

    /// <summary>
    /// The authors' recipe without a given hierarchy: class means of the training features, Euclidean distances
    /// between them, average-linkage clustering, pre-order of the leaves.
    /// </summary>
    public static PathAssignment FromFeatures(Dataset train, LinkageMethod linkage = LinkageMethod.Average) =>
        FromDistances(ClassDistances.EuclideanBetweenMeans(train), linkage);
}
