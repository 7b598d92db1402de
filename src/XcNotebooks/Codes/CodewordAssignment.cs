namespace XcNotebooks.Codes;

/// <summary>
/// A one-to-one assignment of codewords to classes, in both directions. Codewords are numbered in the order the
/// code enumerates them (for W-LTLS: source-to-sink paths in lexicographic order of edge indices).
/// <see cref="CodewordOfClass"/>[c] is the codeword of class c; <see cref="ClassOfCodeword"/>[w] is the class
/// carried by codeword w (the form the W-LTLS authors store: "the i-th label in the list belongs to the i-th
/// codeword").
/// </summary>
public sealed record CodewordAssignment
{
    private CodewordAssignment(int[] codewordOfClass, int[] classOfCodeword)
    {
        CodewordOfClass = codewordOfClass;
        ClassOfCodeword = classOfCodeword;
    }

    /// <summary>The codeword of each class.</summary>
    public IReadOnlyList<int> CodewordOfClass { get; }

    /// <summary>The class of each codeword (the inverse permutation).</summary>
    public IReadOnlyList<int> ClassOfCodeword { get; }

    /// <summary>Number of classes (= number of codewords).</summary>
    public int Count => CodewordOfClass.Count;

    /// <summary>From the codeword of each class; must be a permutation of 0..K-1.</summary>
    public static CodewordAssignment FromCodewordOfClass(IReadOnlyList<int> codewordOfClass)
    {
        var forward = Checked(codewordOfClass, nameof(codewordOfClass));
        return new CodewordAssignment(forward, Inverse(forward));
    }

    /// <summary>From the class of each codeword (the W-LTLS authors' list form); must be a permutation of 0..K-1.</summary>
    public static CodewordAssignment FromClassOfCodeword(IReadOnlyList<int> classOfCodeword)
    {
        var backward = Checked(classOfCodeword, nameof(classOfCodeword));
        return new CodewordAssignment(Inverse(backward), backward);
    }

    /// <summary>Class c gets codeword c.</summary>
    public static CodewordAssignment Identity(int count)
    {
        if (count < 1) throw new ArgumentException($"an assignment needs at least one class, got {count}");
        var identity = Enumerable.Range(0, count).ToArray();
        return new CodewordAssignment(identity, (int[])identity.Clone());
    }

    /// <summary>A uniformly random assignment (Fisher-Yates shuffle driven by <paramref name="seed"/>).</summary>
    public static CodewordAssignment Random(int count, int seed)
    {
        if (count < 1) throw new ArgumentException($"an assignment needs at least one class, got {count}");
        var codewordOfClass = Training.Seeds.Permutation(count, seed);
        return new CodewordAssignment(codewordOfClass, Inverse(codewordOfClass));
    }

    /// <summary>What keeps <paramref name="values"/> from being a permutation of 0..n-1, or null when it is one.</summary>
    internal static string? PermutationProblem(IReadOnlyList<int> values)
    {
        int n = values.Count;
        if (n == 0) return "empty list";
        var firstAt = new int[n];
        Array.Fill(firstAt, -1);
        for (int i = 0; i < n; i++)
        {
            int v = values[i];
            if ((uint)v >= (uint)n) return $"entry {i} is {v}, outside 0..{n - 1}: not a permutation";
            if (firstAt[v] >= 0) return $"value {v} appears twice (entries {firstAt[v]} and {i}): not a permutation";
            firstAt[v] = i;
        }
        return null;
    }

    /// <summary>The inverse of a permutation.</summary>
    internal static int[] Inverse(IReadOnlyList<int> permutation)
    {
        var inverse = new int[permutation.Count];
        for (int i = 0; i < inverse.Length; i++) inverse[permutation[i]] = i;
        return inverse;
    }

    /// <summary>Equal when both map every class to the same codeword.</summary>
    public bool Equals(CodewordAssignment? other) =>
        other is not null && CodewordOfClass.SequenceEqual(other.CodewordOfClass);

    /// <summary>Hash of the class-to-codeword map.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var w in CodewordOfClass) hash.Add(w);
        return hash.ToHashCode();
    }

    /// <summary>Size and the first few entries.</summary>
    public override string ToString() =>
        $"CodewordAssignment of {Count:N0} classes; codeword of class 0.. = [{string.Join(", ", CodewordOfClass.Take(8))}{(Count > 8 ? ", ..." : "")}]";

    private static int[] Checked(IReadOnlyList<int> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (PermutationProblem(values) is { } problem) throw new ArgumentException($"{name}: {problem}", name);
        return values.ToArray();
    }
}
