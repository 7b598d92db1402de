using XcNotebooks.Core;
namespace XcNotebooks.Methods.Wltls;

/// <summary>How codewords (paths) are given to classes.</summary>
public enum PathAssignmentPolicy
{
    /// <summary>A seeded random permutation, fixed before training.</summary>
    Random,
    /// <summary>A class seen for the first time takes the best free codeword among the heaviest paths for its point.</summary>
    Greedy,
    /// <summary>A given permutation (e.g. a similarity-preserving one).</summary>
    Fixed,
    /// <summary>
    /// Similarity-preserving (Evron et al., AISTATS 2023): classes in depth-first pre-order of a class hierarchy take
    /// codewords in enumeration order (see <see cref="SimilarityAssignment"/>).
    /// </summary>
    Similarity,
}

/// <summary>
/// The bijection between classes and codewords. Random and fixed assignments are complete from the start; a greedy
/// one starts empty and is filled during the first epoch (<see cref="AssignGreedy(int, int[])"/>, then
/// <see cref="AssignRemaining"/>). Codewords are numbered as <see cref="TrellisGraph"/> enumerates paths.
/// </summary>
public sealed class PathAssignment
{
    private readonly int[] _codewordOfClass;
    private readonly int[] _classOfCodeword;

    private PathAssignment(int[] codewordOfClass, PathAssignmentPolicy policy)
    {
        _codewordOfClass = codewordOfClass;
        _classOfCodeword = new int[codewordOfClass.Length];
        Array.Fill(_classOfCodeword, -1);
        for (int c = 0; c < codewordOfClass.Length; c++)
            if (codewordOfClass[c] >= 0) _classOfCodeword[codewordOfClass[c]] = c;
        Policy = policy;
    }

    /// <summary>The policy that made this assignment.</summary>
    public PathAssignmentPolicy Policy { get; }

    /// <summary>Number of classes (= codewords).</summary>
    public int NumClasses => _codewordOfClass.Length;

    /// <summary>True when every class has a codeword.</summary>
    public bool IsComplete => Array.IndexOf(_codewordOfClass, -1) < 0;

    /// <summary>A seeded random assignment: codeword i goes to class permutation[i] (as the original draws it).</summary>
    public static PathAssignment Random(int numClasses, int seed) =>
        FromClassOrder(Seeds.Permutation(numClasses, seed), PathAssignmentPolicy.Random);

    /// <summary>An assignment with no class assigned yet (greedy policy).</summary>
    public static PathAssignment Unassigned(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentException($"need at least one class, got {numClasses}");
        var none = new int[numClasses];
        Array.Fill(none, -1);
        return new PathAssignment(none, PathAssignmentPolicy.Greedy);
    }

    /// <summary>The assignment given by <paramref name="codewordOfClass"/>[class] = codeword (must be a permutation of 0..K-1).</summary>
    public static PathAssignment Fixed(IReadOnlyList<int> codewordOfClass, PathAssignmentPolicy policy = PathAssignmentPolicy.Fixed)
    {
        ArgumentNullException.ThrowIfNull(codewordOfClass);
        CheckPermutation(codewordOfClass, "codeword-of-class assignment");
        return new PathAssignment(codewordOfClass.ToArray(), policy);
    }

    /// <summary>
    /// The assignment in which codeword i goes to class <paramref name="classOfCodeword"/>[i]: the form of an ordering
    /// of classes, such as the leaf order of a class hierarchy (similarity-preserving assignment).
    /// </summary>
    public static PathAssignment FromClassOrder(IReadOnlyList<int> classOfCodeword, PathAssignmentPolicy policy = PathAssignmentPolicy.Fixed)
    {
        ArgumentNullException.ThrowIfNull(classOfCodeword);
        CheckPermutation(classOfCodeword, "class order");
        return new PathAssignment(Invert(classOfCodeword), policy);
    }

    /// <summary>
    /// Reads a class order (the class of each codeword, the original code's format for fixed assignments) from a JSON
    /// file holding a list, or with <paramref name="key"/> the list under that key of a JSON object (as in the
    /// authors' precomputed_assignments.json), checked to be a permutation (see <see cref="PrecomputedAssignments"/>,
    /// which reads the whole file as assignments). Use with <see cref="FromClassOrder"/>.
    /// </summary>
    public static int[] LoadClassOrder(string path, string? key = null) =>
        [.. (string.IsNullOrEmpty(key) ? PrecomputedAssignments.LoadOnly(path) : PrecomputedAssignments.Load(path, key)).ClassOfCodeword];

    /// <summary>The inverse of a permutation: result[p[i]] = i.</summary>
    public static int[] Invert(IReadOnlyList<int> permutation)
    {
        var inverse = new int[permutation.Count];
        for (int i = 0; i < permutation.Count; i++) inverse[permutation[i]] = i;
        return inverse;
    }

    /// <summary>Codeword of each class (-1 where unassigned), a copy.</summary>
    public int[] CodewordOfClass => (int[])_codewordOfClass.Clone();

    /// <summary>Class of each codeword (-1 where free), a copy.</summary>
    public int[] ClassOfCodeword => (int[])_classOfCodeword.Clone();

    /// <summary>The codeword of class <paramref name="cls"/>, or -1 if it has none yet.</summary>
    public int CodewordOf(int cls) => _codewordOfClass[cls];

    /// <summary>The class of codeword <paramref name="codeword"/>, or -1 if it is free.</summary>
    public int ClassOf(int codeword) => _classOfCodeword[codeword];

    /// <summary>
    /// Gives unassigned class <paramref name="cls"/> the first free codeword among <paramref name="candidates"/>
    /// (best first), else the lowest free codeword; returns it.
    /// </summary>
    public int AssignGreedy(int cls, int[] candidates) => AssignGreedy(cls, (ReadOnlySpan<int>)candidates);

    /// <summary>The fast path of <see cref="AssignGreedy(int, int[])"/> on a slice of a candidate buffer.</summary>
    internal int AssignGreedy(int cls, ReadOnlySpan<int> candidates)
    {
        if (_codewordOfClass[cls] >= 0) throw new InvalidOperationException($"class {cls} already has codeword {_codewordOfClass[cls]}");
        int chosen = -1;
        foreach (int c in candidates)
            if (c >= 0 && _classOfCodeword[c] < 0) { chosen = c; break; }
        if (chosen < 0) chosen = Array.IndexOf(_classOfCodeword, -1);
        Map(cls, chosen);
        return chosen;
    }

    /// <summary>
    /// Gives every unassigned class a free codeword (free codewords in increasing order take the unassigned classes
    /// from the highest down, as the original does); returns how many were assigned.
    /// </summary>
    public int AssignRemaining()
    {
        var remaining = new Stack<int>(Enumerable.Range(0, NumClasses).Where(c => _codewordOfClass[c] < 0));
        int assigned = 0;
        for (int cw = 0; cw < NumClasses && remaining.Count > 0; cw++)
        {
            if (_classOfCodeword[cw] >= 0) continue;
            Map(remaining.Pop(), cw);
            assigned++;
        }
        return assigned;
    }

    private void Map(int cls, int codeword)
    {
        _codewordOfClass[cls] = codeword;
        _classOfCodeword[codeword] = cls;
    }

    private static void CheckPermutation(IReadOnlyList<int> values, string what)
    {
        var seen = new bool[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            int v = values[i];
            if ((uint)v >= (uint)values.Count)
                throw new ArgumentException($"{what}: entry {i} is {v}, outside 0..{values.Count - 1}");
            if (seen[v]) throw new ArgumentException($"{what}: value {v} appears twice; it must be a permutation of 0..{values.Count - 1}");
            seen[v] = true;
        }
    }
}
