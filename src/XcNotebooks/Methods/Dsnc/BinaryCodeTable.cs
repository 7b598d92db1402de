using System.Numerics;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>In which order a code lookup tries the neighbours of a point's code.</summary>
public enum NeighbourOrder
{
    /// <summary>
    /// By Hamming radius (1 flipped bit, then 2, ...), within a radius by increasing confidence of the flipped bits
    /// (the sum of their |logit|): the first hit is a class whose code is nearest in Hamming distance.
    /// </summary>
    HammingThenConfidence,

    /// <summary>
    /// By decreasing probability of the code under the point's independent bits (increasing sum of |logit| over the
    /// flipped bits, whatever their number): the first hit is the most probable class code.
    /// </summary>
    Likelihood,
}

/// <summary>The result of looking one point's code up.</summary>
/// <param name="Class">The class found (-1 when the table is empty).</param>
/// <param name="NeighboursProbed">Neighbouring codes tried after the point's own code.</param>
/// <param name="Fallback">True when no neighbour within the cap was in the table and a scan of the table decided.</param>
/// <param name="FlippedBits">Hamming distance between the point's code and the class's code.</param>
public readonly record struct CodeLookup(int Class, int NeighboursProbed, bool Fallback, int FlippedBits);

/// <summary>A class that owns a code of the table, and that code.</summary>
public readonly record struct CodedClass(int Class, ulong Code);

/// <summary>The lookups of a batch of points.</summary>
/// <param name="Classes">The class found for each point (-1 when the table is empty).</param>
/// <param name="NeighboursProbed">Neighbouring codes tried for each point.</param>
/// <param name="ExactHits">Points whose own code was in the table.</param>
/// <param name="Fallbacks">Points decided by the table scan (no hit within the cap).</param>
public sealed record CodeLookupBatch(IReadOnlyList<int> Classes, IReadOnlyList<int> NeighboursProbed, int ExactHits, int Fallbacks)
{
    /// <summary>Mean number of neighbours probed per point.</summary>
    public double AverageNeighboursProbed => NeighboursProbed.Count == 0 ? 0 : NeighboursProbed.Average();

    /// <summary>Share of points decided by the fallback scan.</summary>
    public double FallbackShare => Classes.Count == 0 ? 0 : (double)Fallbacks / Classes.Count;
}

/// <summary>How the classes' codes came out of training.</summary>
/// <param name="Bits">Code length m.</param>
/// <param name="Classes">Number of classes K.</param>
/// <param name="TrainingPoints">Training points the codes were counted on.</param>
/// <param name="DistinctTrainingCodes">Distinct codes produced over all training points.</param>
/// <param name="DistinctClassCodes">Distinct most-frequent codes among the classes that have training points.</param>
/// <param name="CollidingClasses">Classes whose most frequent code is also the most frequent code of another class.</param>
/// <param name="ReassignedClasses">Classes that kept a less frequent code of theirs because their first one went to another class.</param>
/// <param name="ClassesWithoutCode">Classes left without a code (no training point, or every code of theirs taken): lookup never predicts them.</param>
/// <param name="Purity">Share of training points whose code is exactly their class's table code.</param>
public sealed record CodeStatistics(int Bits, int Classes, int TrainingPoints, int DistinctTrainingCodes, int DistinctClassCodes,
    int CollidingClasses, int ReassignedClasses, int ClassesWithoutCode, double Purity);

/// <summary>
/// The code table of a learned binary code (DSNC's sublinear decoding): each class owns at most one code of m ≤ 64
/// bits, kept in a hash table. A point is decoded by looking up its thresholded code, then its Hamming neighbours in
/// the <see cref="NeighbourOrder"/> asked for, until a code of the table is hit. Neighbours are generated lazily from
/// a priority queue over the bits sorted by confidence (|logit|), so the cost grows with the number probed, not with
/// the number of classes.
/// <para>
/// Cap and fallback: after <c>maxNeighbours</c> probes without a hit, the point falls back to a linear scan of the
/// table that returns what the unbounded search would have returned (the nearest code under the same order), and the
/// lookup is counted as a fallback. The cap therefore bounds the cost of the sublinear path only; the answer is the
/// same with any cap.
/// </para>
/// </summary>
public sealed class BinaryCodeTable
{
    /// <summary>The longest code a table holds (codes are 64-bit words).</summary>
    public const int MaxBits = 64;

    private readonly ulong[] _codeOfClass;
    private readonly bool[] _hasCode;
    private readonly Dictionary<ulong, int> _classOfCode;
    private readonly ulong[] _tableCodes;
    private readonly int[] _tableClasses;

    /// <summary>
    /// A table from each class's code (null: no code). Codes must be distinct and fit in <paramref name="bits"/>;
    /// <paramref name="statistics"/> describes how they were obtained. Tables come from
    /// <see cref="FromTrainingCodes"/> or a saved model.
    /// </summary>
    internal BinaryCodeTable(int bits, IReadOnlyList<ulong?> codeOfClass, CodeStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(codeOfClass);
        CheckBits(bits);
        Bits = bits;
        Statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _codeOfClass = new ulong[codeOfClass.Count];
        _hasCode = new bool[codeOfClass.Count];
        _classOfCode = [];
        var codes = new List<ulong>();
        var classes = new List<int>();
        for (int c = 0; c < codeOfClass.Count; c++)
        {
            if (codeOfClass[c] is not { } code) continue;
            if (!Fits(code, bits)) throw new ArgumentException($"class {c}: code 0x{code:X} has more than {bits} bits");
            if (!_classOfCode.TryAdd(code, c))
                throw new ArgumentException($"classes {_classOfCode[code]} and {c} have the same code 0x{code:X}");
            _codeOfClass[c] = code;
            _hasCode[c] = true;
            codes.Add(code);
            classes.Add(c);
        }
        _tableCodes = [.. codes];
        _tableClasses = [.. classes];
    }

    /// <summary>Code length m.</summary>
    public int Bits { get; }

    /// <summary>Number of classes K (with or without a code).</summary>
    public int NumClasses => _codeOfClass.Length;

    /// <summary>Number of codes in the table (classes with a code).</summary>
    public int Count => _tableCodes.Length;

    /// <summary>How the codes came out of training.</summary>
    public CodeStatistics Statistics { get; }

    /// <summary>The classes that own a code, with their codes, by increasing class.</summary>
    public IReadOnlyList<CodedClass> CodedClasses => _tableClasses.Select((c, i) => new CodedClass(c, _tableCodes[i])).ToArray();

    /// <summary>True when class <paramref name="cls"/> owns a code (lookup can predict it).</summary>
    public bool HasCode(int cls) => CheckClass(cls) && _hasCode[cls];

    /// <summary>The code of class <paramref name="cls"/>; an error for a class without one (see <see cref="HasCode"/>).</summary>
    public ulong CodeOfClass(int cls) =>
        HasCode(cls) ? _codeOfClass[cls] : throw new ArgumentException($"class {cls} has no code in the table", nameof(cls));

    private bool CheckClass(int cls) =>
        (uint)cls < (uint)NumClasses ? true : throw new ArgumentOutOfRangeException(nameof(cls), cls, $"classes are 0..{NumClasses - 1}");

    /// <summary>The class owning <paramref name="code"/>, or -1.</summary>
    public int ClassOf(ulong code) => _classOfCode.TryGetValue(code, out int c) ? c : -1;

    /// <summary>
    /// The table of the codes produced for training points (<paramref name="codes"/>[i] for a point of class
    /// <paramref name="classes"/>[i]): each class takes the code most often produced for its points; when several
    /// classes want the same code, the class that produced it most often keeps it and the others fall back to their
    /// next most frequent free code (pairs taken by decreasing count, ties by class then code), or to none.
    /// </summary>
    public static BinaryCodeTable FromTrainingCodes(IReadOnlyList<ulong> codes, IReadOnlyList<int> classes, int numClasses, int bits)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(classes);
        CheckBits(bits);
        if (codes.Count != classes.Count) throw new ArgumentException($"{codes.Count} codes for {classes.Count} classes");
        if (numClasses < 1) throw new ArgumentException($"the number of classes must be positive, got {numClasses}");

        var pairCounts = new Dictionary<(int Class, ulong Code), int>();
        var distinctCodes = new HashSet<ulong>();
        for (int i = 0; i < codes.Count; i++)
        {
            int c = classes[i];
            if ((uint)c >= (uint)numClasses) throw new ArgumentException($"point {i}: class {c} outside 0..{numClasses - 1}");
            if (!Fits(codes[i], bits)) throw new ArgumentException($"point {i}: code 0x{codes[i]:X} has more than {bits} bits");
            pairCounts[(c, codes[i])] = pairCounts.GetValueOrDefault((c, codes[i])) + 1;
            distinctCodes.Add(codes[i]);
        }
        var pairs = pairCounts.Select(kv => (kv.Key.Class, kv.Key.Code, Count: kv.Value))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Class).ThenBy(p => p.Code).ToArray();

        // Each class's most frequent code: its first pair in this order.
        var topCode = new ulong?[numClasses];
        foreach (var p in pairs) topCode[p.Class] ??= p.Code;
        var classesWantingCode = topCode.Where(t => t is not null).GroupBy(t => t!.Value).ToDictionary(g => g.Key, g => g.Count());
        int colliding = topCode.Count(t => t is { } code && classesWantingCode[code] > 1);

        var assigned = new ulong?[numClasses];
        var taken = new HashSet<ulong>();
        foreach (var p in pairs)
        {
            if (assigned[p.Class] is not null || taken.Contains(p.Code)) continue;
            assigned[p.Class] = p.Code;
            taken.Add(p.Code);
        }
        int reassigned = Enumerable.Range(0, numClasses).Count(c => assigned[c] is { } a && a != topCode[c]);
        int pure = 0;
        for (int i = 0; i < codes.Count; i++)
            if (assigned[classes[i]] == codes[i]) pure++;
        var statistics = new CodeStatistics(bits, numClasses, codes.Count, distinctCodes.Count, classesWantingCode.Count, colliding, reassigned,
            assigned.Count(a => a is null), codes.Count == 0 ? 0 : (double)pure / codes.Count);
        return new BinaryCodeTable(bits, assigned, statistics);
    }

    /// <summary>
    /// Decodes one point from its code logits z (length <see cref="Bits"/>): its code is 1[z &gt; 0], the confidence of
    /// bit j is |z_j|. Tries the code, then up to <paramref name="maxNeighbours"/> neighbours in
    /// <paramref name="order"/>, then falls back to the table scan (see the class remarks).
    /// </summary>
    public CodeLookup Lookup(float[] logits, NeighbourOrder order = NeighbourOrder.HammingThenConfidence, int maxNeighbours = 256) =>
        Lookup((ReadOnlySpan<float>)logits, order, maxNeighbours);

    /// <summary>The fast path of <see cref="Lookup(float[], NeighbourOrder, int)"/> on a row of a logits matrix.</summary>
    internal CodeLookup Lookup(ReadOnlySpan<float> logits, NeighbourOrder order = NeighbourOrder.HammingThenConfidence, int maxNeighbours = 256) =>
        Lookup(logits, order, maxNeighbours, new Scratch(Bits));

    /// <summary>Decodes every row of <paramref name="logits"/> (points x <see cref="Bits"/>), in parallel.</summary>
    public CodeLookupBatch LookupBatch(RowMajorMatrix logits, NeighbourOrder order = NeighbourOrder.HammingThenConfidence, int maxNeighbours = 256)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Cols != Bits) throw new ArgumentException($"the logits have {logits.Cols} columns, the codes {Bits} bits");
        var classes = new int[logits.Rows];
        var probed = new int[logits.Rows];
        var exact = new bool[logits.Rows];
        var fallback = new bool[logits.Rows];
        Parallel.For(0, logits.Rows, () => new Scratch(Bits), (i, _, scratch) =>
        {
            var result = Lookup(logits.Row(i), order, maxNeighbours, scratch);
            classes[i] = result.Class;
            probed[i] = result.NeighboursProbed;
            fallback[i] = result.Fallback;
            exact[i] = result.Class >= 0 && result.FlippedBits == 0;
            return scratch;
        }, _ => { });
        return new CodeLookupBatch(classes, probed, exact.Count(e => e), fallback.Count(f => f));
    }

    /// <summary>The code 1[z &gt; 0] of a row of logits, bit j = 1[z_j &gt; 0].</summary>
    public static ulong CodeOf(float[] logits) => CodeOf((ReadOnlySpan<float>)logits);

    /// <summary>The fast path of <see cref="CodeOf(float[])"/> on a row of a logits matrix.</summary>
    internal static ulong CodeOf(ReadOnlySpan<float> logits)
    {
        if (logits.Length > MaxBits) throw new ArgumentException($"codes have at most {MaxBits} bits, got {logits.Length} logits");
        ulong code = 0;
        for (int j = 0; j < logits.Length; j++)
            if (BinaryCodeMath.Threshold(logits[j]) != 0f) code |= 1UL << j;
        return code;
    }

    /// <summary>Number of differing bits.</summary>
    public static int HammingDistance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>Σ |z_j| over the bits where <paramref name="code"/> differs from the point's code 1[z &gt; 0].</summary>
    public static double FlipCost(float[] logits, ulong code) => FlipCost((ReadOnlySpan<float>)logits, code);

    /// <summary>The fast path of <see cref="FlipCost(float[], ulong)"/> on a row of a logits matrix.</summary>
    internal static double FlipCost(ReadOnlySpan<float> logits, ulong code) => CostOfFlips(logits, CodeOf(logits) ^ code);

    /// <summary>Σ |z_j| over the set bits of <paramref name="diff"/>, in increasing bit order.</summary>
    private static double CostOfFlips(ReadOnlySpan<float> logits, ulong diff)
    {
        double cost = 0;
        for (; diff != 0; diff &= diff - 1) cost += MathF.Abs(logits[BitOperations.TrailingZeroCount(diff)]);
        return cost;
    }

    internal void Write(BinaryWriter w)
    {
        w.Write(Bits);
        w.Write(NumClasses);
        for (int c = 0; c < NumClasses; c++)
        {
            w.Write(_hasCode[c]);
            w.Write(_codeOfClass[c]);
        }
        var s = Statistics;
        w.Write(s.TrainingPoints);
        w.Write(s.DistinctTrainingCodes);
        w.Write(s.DistinctClassCodes);
        w.Write(s.CollidingClasses);
        w.Write(s.ReassignedClasses);
        w.Write(s.ClassesWithoutCode);
        w.Write(s.Purity);
    }

    internal static BinaryCodeTable Read(BinaryReader r, string source)
    {
        int bits = r.ReadInt32(), classes = r.ReadInt32();
        if (bits < 1 || bits > MaxBits) throw new DataFormatException(source, 0, $"code table: {bits} bits is outside 1..{MaxBits}");
        if (classes < 1) throw new DataFormatException(source, 0, $"code table: {classes} classes");
        var codes = new ulong?[classes];
        for (int c = 0; c < classes; c++)
        {
            bool has = r.ReadBoolean();
            ulong code = r.ReadUInt64();
            codes[c] = has ? code : null;
        }
        var statistics = new CodeStatistics(bits, classes, r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
            r.ReadDouble());
        try
        {
            return new BinaryCodeTable(bits, codes, statistics);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(source, 0, "code table: " + e.Message, e);
        }
    }

    private CodeLookup Lookup(ReadOnlySpan<float> logits, NeighbourOrder order, int maxNeighbours, Scratch scratch)
    {
        if (logits.Length != Bits) throw new ArgumentException($"{logits.Length} logits for codes of {Bits} bits");
        if (maxNeighbours < 0) throw new ArgumentException($"the neighbour cap must be non-negative, got {maxNeighbours}");
        if (!Enum.IsDefined(order)) throw new ArgumentException($"unknown neighbour order {order}");
        ulong code = CodeOf(logits);
        if (_classOfCode.TryGetValue(code, out int exact)) return new CodeLookup(exact, 0, false, 0);
        if (Count == 0) return new CodeLookup(-1, 0, false, 0);

        // Bits by increasing confidence: position p of the enumeration flips bit Order[p] at cost Costs[p].
        var positions = scratch.Order;
        for (int j = 0; j < Bits; j++)
        {
            positions[j] = j;
            scratch.Costs[j] = MathF.Abs(logits[j]);
        }
        Array.Sort(scratch.Costs, positions);
        var (found, probed) = order == NeighbourOrder.Likelihood
            ? ProbeByLikelihood(code, maxNeighbours, scratch)
            : ProbeByRadius(code, maxNeighbours, scratch);
        if (found >= 0) return new CodeLookup(found, probed, false, HammingDistance(code, _codeOfClass[found]));
        int best = Scan(logits, code, order);
        return new CodeLookup(best, probed, true, HammingDistance(code, _codeOfClass[best]));
    }

    /// <summary>
    /// Flip sets of r = 1, 2, ... bits, each radius in increasing cost. Within a radius a set is a sorted list of
    /// positions s_0 &lt; ... &lt; s_(r-1) (a mask); the cheapest is {0..r-1}. A set's children move one position up by
    /// one: the last of its packed prefix {0..t-1}, or the first position after it; every set has exactly one parent
    /// (move its first position past the packed prefix down by one) whose cost is not larger, so a priority queue
    /// yields each set once, in order.
    /// </summary>
    private (int Class, int Probed) ProbeByRadius(ulong code, int maxNeighbours, Scratch scratch)
    {
        var queue = scratch.Queue;
        int probed = 0;
        for (int r = 1; r <= Bits; r++)
        {
            queue.Clear();
            ulong rootPositions = r == 64 ? ulong.MaxValue : (1UL << r) - 1;
            ulong rootFlip = 0;
            double rootCost = 0;
            for (int p = 0; p < r; p++)
            {
                rootFlip |= 1UL << scratch.Order[p];
                rootCost += scratch.Costs[p];
            }
            queue.Enqueue(new FlipSet(rootPositions, rootFlip), (rootCost, rootPositions));
            while (queue.TryDequeue(out var set, out var priority))
            {
                if (probed == maxNeighbours) return (-1, probed);
                probed++;
                if (_classOfCode.TryGetValue(code ^ set.Flip, out int hit)) return (hit, probed);
                int packed = BitOperations.TrailingZeroCount(~set.Positions);
                if (packed >= 1 && packed < Bits) Enqueue(queue, set, priority.Cost, packed - 1, packed, scratch);
                if (packed < r)
                {
                    int first = BitOperations.TrailingZeroCount(set.Positions >> packed) + packed;
                    if (first + 1 < Bits && (set.Positions >> (first + 1) & 1UL) == 0) Enqueue(queue, set, priority.Cost, first, first + 1, scratch);
                }
            }
        }
        return (-1, probed);
    }

    /// <summary>
    /// All non-empty flip sets in increasing cost: from the set whose highest position is i, add position i + 1, or
    /// move i to i + 1 (the classic enumeration of subsets by sum: each set has one parent, never costlier).
    /// </summary>
    private (int Class, int Probed) ProbeByLikelihood(ulong code, int maxNeighbours, Scratch scratch)
    {
        var queue = scratch.Queue;
        queue.Clear();
        queue.Enqueue(new FlipSet(1UL, 1UL << scratch.Order[0]), (scratch.Costs[0], 1UL));
        int probed = 0;
        while (queue.TryDequeue(out var set, out var priority))
        {
            if (probed == maxNeighbours) return (-1, probed);
            probed++;
            if (_classOfCode.TryGetValue(code ^ set.Flip, out int hit)) return (hit, probed);
            int highest = 63 - BitOperations.LeadingZeroCount(set.Positions);
            if (highest + 1 >= Bits) continue;
            ulong addPositions = set.Positions | 1UL << (highest + 1);
            queue.Enqueue(new FlipSet(addPositions, set.Flip ^ 1UL << scratch.Order[highest + 1]),
                (priority.Cost + scratch.Costs[highest + 1], addPositions));
            Enqueue(queue, set, priority.Cost, highest, highest + 1, scratch);
        }
        return (-1, probed);
    }

    /// <summary>Queues the set with position <paramref name="from"/> moved to <paramref name="to"/>.</summary>
    private static void Enqueue(PriorityQueue<FlipSet, (double Cost, ulong Positions)> queue, FlipSet set, double cost, int from, int to, Scratch scratch)
    {
        ulong positions = set.Positions ^ (1UL << from) ^ (1UL << to);
        ulong flip = set.Flip ^ (1UL << scratch.Order[from]) ^ (1UL << scratch.Order[to]);
        queue.Enqueue(new FlipSet(positions, flip), (cost + ((double)scratch.Costs[to] - scratch.Costs[from]), positions));
    }

    /// <summary>The fallback: the table's best code under the order, by a linear scan (ties: lower class).</summary>
    private int Scan(ReadOnlySpan<float> logits, ulong code, NeighbourOrder order)
    {
        int best = -1;
        (double First, double Second) bestKey = (double.PositiveInfinity, double.PositiveInfinity);
        for (int t = 0; t < _tableCodes.Length; t++)
        {
            int distance = HammingDistance(code, _tableCodes[t]);
            if (order == NeighbourOrder.HammingThenConfidence && distance > bestKey.First) continue;
            double cost = CostOfFlips(logits, code ^ _tableCodes[t]);
            var key = order == NeighbourOrder.Likelihood ? (cost, (double)distance) : ((double)distance, cost);
            if (key.CompareTo(bestKey) < 0 || (key == bestKey && _tableClasses[t] < best))
            {
                bestKey = key;
                best = _tableClasses[t];
            }
        }
        return best;
    }

    private static bool Fits(ulong code, int bits) => bits == 64 || code >> bits == 0;

    private static void CheckBits(int bits)
    {
        if (bits < 1 || bits > MaxBits) throw new ArgumentException($"code length must be between 1 and {MaxBits} bits, got {bits}");
    }

    /// <summary>A set of flipped positions (bit p: the p-th least confident bit) and the code bits it flips.</summary>
    private readonly record struct FlipSet(ulong Positions, ulong Flip);

    /// <summary>Per-thread buffers of a lookup, reused across the points of a batch.</summary>
    private sealed class Scratch(int bits)
    {
        public int[] Order { get; } = new int[bits];
        public float[] Costs { get; } = new float[bits];
        public PriorityQueue<FlipSet, (double Cost, ulong Positions)> Queue { get; } = new();
    }
}
