using System.Text;
using XcNotebooks.Hierarchies;
using XcNotebooks.Core;

namespace XcNotebooks.Synthetic;

/// <summary>What <see cref="SyntheticXc.Generate"/> makes. The defaults give a small multi-class problem.</summary>
public sealed record SyntheticXcOptions
{
    /// <summary>Number of labels (classes): the leaves of the hidden label tree.</summary>
    public int NumLabels { get; init; } = 64;

    /// <summary>Feature dimension (vocabulary size).</summary>
    public int NumFeatures { get; init; } = 1000;

    /// <summary>Training points.</summary>
    public int NumTrain { get; init; } = 2000;

    /// <summary>Heldout (validation) points; 0 for none.</summary>
    public int NumHeldout { get; init; }

    /// <summary>Test points.</summary>
    public int NumTest { get; init; } = 600;

    /// <summary>Several labels per point (related labels, mostly from the same subtree) instead of one.</summary>
    public bool MultiLabel { get; init; }

    /// <summary>Mean labels per point in multi-label mode (1 + a Poisson draw).</summary>
    public double MeanLabelsPerPoint { get; init; } = 3;

    /// <summary>Exponent s of the power law: the label of frequency rank r is drawn with probability ∝ (r + 1)^-s.</summary>
    public double PowerLawExponent { get; init; } = 1.0;

    /// <summary>Children per inner node of the hidden label tree.</summary>
    public int Branching { get; init; } = 4;

    /// <summary>Words (features) owned by each tree node; a label's words are those of the nodes on its path.</summary>
    public int FeaturesPerNode { get; init; } = 12;

    /// <summary>
    /// Share of a node's words taken from its parent's words (the rest are drawn afresh): siblings then use partly the
    /// same words with other weights, which makes them confusable, as related labels are.
    /// </summary>
    public double SharedWithParent { get; init; } = 0.6;

    /// <summary>Mean document length in tokens (uniform between half and one and a half times this).</summary>
    public int MeanTokensPerPoint { get; init; } = 16;

    /// <summary>Share of tokens drawn from the background (Zipf) distribution rather than from the label's nodes.</summary>
    public double NoiseRate { get; init; } = 0.5;

    /// <summary>Every label gets at least this many training points (so that every label can be learnt).</summary>
    public int MinTrainPointsPerLabel { get; init; } = 2;

    /// <summary>Give points texts (their tokens as made-up words) and labels texts (the words of their tree path).</summary>
    public bool Texts { get; init; } = true;

    /// <summary>Seed of every random step.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// The hidden label tree of a synthetic data set: <see cref="Parents"/>[v] is the parent of node v (-1 for the root,
/// node 0), and <see cref="LabelNodes"/>[l] the leaf of label l. Labels under the same inner node share its words.
/// </summary>
public sealed record SyntheticLabelTree(IReadOnlyList<int> Parents, IReadOnlyList<int> LabelNodes)
{
    /// <summary>Number of nodes, root included.</summary>
    public int NumNodes => Parents.Count;

    /// <summary>The nodes from the root's child down to <paramref name="node"/> (the root itself excluded).</summary>
    public IReadOnlyList<int> PathTo(int node)
    {
        var path = new List<int>();
        for (int v = node; v > 0; v = Parents[v]) path.Add(v);
        path.Reverse();
        return path;
    }

    /// <summary>Depth of the lowest common ancestor of two labels' leaves (0 = only the root in common).</summary>
    public int CommonDepth(int labelA, int labelB)
    {
        var a = PathTo(LabelNodes[labelA]);
        var b = PathTo(LabelNodes[labelB]);
        int d = 0;
        while (d < a.Count && d < b.Count && a[d] == b[d]) d++;
        return d;
    }

    /// <summary>
    /// The tree as a <see cref="LabelHierarchy"/>: label l is node l (its leaf), the inner nodes follow from
    /// NumLabels on in the order of their ids here (the root first), named "t" + their id here (e.g. "t0" the root);
    /// children keep their order. Its depth-first pre-order is the similarity-preserving order of the true classes.
    /// </summary>
    public LabelHierarchy ToHierarchy(IReadOnlyList<string>? labelNames = null)
    {
        int numLabels = LabelNodes.Count;
        if (labelNames is not null && labelNames.Count != numLabels)
            throw new ArgumentException($"{labelNames.Count} label names for {numLabels} labels", nameof(labelNames));
        var id = new int[NumNodes];
        Array.Fill(id, -1);
        for (int l = 0; l < numLabels; l++) id[LabelNodes[l]] = l;
        var names = new string[NumNodes];
        for (int l = 0; l < numLabels; l++) names[l] = labelNames?[l] ?? $"c{l}";
        int next = numLabels;
        for (int v = 0; v < NumNodes; v++)
            if (id[v] < 0)
            {
                names[next] = $"t{v}";
                id[v] = next++;
            }
        // Node ids grow with depth and siblings are numbered in order, so edges in node order keep the children's order.
        var edges = new (int Parent, int Child)[NumNodes - 1];
        for (int v = 1; v < NumNodes; v++) edges[v - 1] = (id[Parents[v]], id[v]);
        return LabelHierarchy.FromEdges(edges, numLabels, names);
    }
}

/// <summary>
/// A seeded generator of XC data sets that look like the real ones: power-law label frequencies, a hidden label tree
/// whose subtrees share feature prototypes (so hierarchies and similarity-preserving code assignments matter),
/// sparse TF-IDF features (1 + ln tf times smoothed train idf, unit rows, 4 decimals), a multi-class or multi-label
/// mode, and optional texts: each feature is a made-up word, a point's text is its tokens and a label's text the
/// leading words of its tree path.
/// </summary>
public static class SyntheticXc
{
    /// <summary>Generates train, optional heldout and test splits.</summary>
    public static DataSplits Generate(SyntheticXcOptions options)
    {
        Check(options);
        var tree = HiddenTree(options);
        var vocabulary = NodeVocabularies(options, tree);
        var words = options.Texts ? Words(options.NumFeatures, options.Seed) : null;
        var background = Cumulative(ZipfWeights(options.NumFeatures, 1.0), Permutation(options.NumFeatures, SeededRandom.For(options.Seed, 3)));
        var labelRank = Permutation(options.NumLabels, SeededRandom.For(options.Seed, 4));
        var labelFrequency = new double[options.NumLabels];
        var zipf = ZipfWeights(options.NumLabels, options.PowerLawExponent);
        for (int l = 0; l < options.NumLabels; l++) labelFrequency[l] = zipf[labelRank[l]];
        var labelCumulative = Cumulative(labelFrequency, null);

        var generator = new PointGenerator(options, tree, vocabulary, background, labelCumulative);
        var train = generator.Points(options.NumTrain, 10, options.MinTrainPointsPerLabel);
        var heldout = options.NumHeldout > 0 ? generator.Points(options.NumHeldout, 11, 0) : null;
        var test = generator.Points(options.NumTest, 12, 0);

        var idf = InverseDocumentFrequency(train, options.NumFeatures);
        var labelNames = Enumerable.Range(0, options.NumLabels).Select(l => $"c{l}").ToArray();
        var labelTexts = words is null ? null : LabelTexts(tree, vocabulary, words);
        var kind = options.MultiLabel ? "ml" : "mc";
        Dataset Build(List<RawPoint> points, string split) =>
            new Dataset(TfIdf(points, idf, options.NumFeatures), Labels(points, options.NumLabels))
            {
                Name = $"synthetic-{kind}.{split}",
                LabelNames = labelNames,
                LabelTexts = labelTexts,
                Texts = words is null ? null : points.Select(p => string.Join(' ', p.Tokens.Select(t => words[t]))).ToArray(),
            };
        return new DataSplits(Build(train, "train"), heldout is null ? null : Build(heldout, "heldout"), Build(test, "test"));
    }

    /// <summary>
    /// The hidden label tree: labels in a seeded random order are split recursively into <c>Branching</c> near-equal
    /// groups, so label ids say nothing about the tree.
    /// </summary>
    public static SyntheticLabelTree HiddenTree(SyntheticXcOptions options)
    {
        Check(options);
        var order = Permutation(options.NumLabels, SeededRandom.For(options.Seed, 1));
        var parents = new List<int> { -1 };
        var labelNodes = new int[options.NumLabels];
        // Breadth first, so node ids grow with depth.
        var queue = new Queue<(int Node, int From, int Count)>();
        queue.Enqueue((0, 0, options.NumLabels));
        while (queue.Count > 0)
        {
            var (node, from, count) = queue.Dequeue();
            int groups = Math.Min(options.Branching, count);
            for (int g = 0; g < groups; g++)
            {
                int start = from + g * count / groups, end = from + (g + 1) * count / groups;
                int child = parents.Count;
                parents.Add(node);
                if (end - start == 1) labelNodes[order[start]] = child;
                else queue.Enqueue((child, start, end - start));
            }
        }
        return new SyntheticLabelTree(parents, labelNodes);
    }

    private static void Check(SyntheticXcOptions o)
    {
        if (o.NumLabels < 2) throw new ArgumentException($"NumLabels must be at least 2, got {o.NumLabels}");
        if (o.NumFeatures < o.FeaturesPerNode || o.FeaturesPerNode < 1)
            throw new ArgumentException($"need 1 <= FeaturesPerNode ({o.FeaturesPerNode}) <= NumFeatures ({o.NumFeatures})");
        if (o.NumTrain < 0 || o.NumHeldout < 0 || o.NumTest < 0) throw new ArgumentException("split sizes must not be negative");
        if (o.NumTrain < o.NumLabels * o.MinTrainPointsPerLabel)
            throw new ArgumentException($"NumTrain ({o.NumTrain}) is below NumLabels x MinTrainPointsPerLabel ({o.NumLabels * o.MinTrainPointsPerLabel})");
        if (o.Branching < 2) throw new ArgumentException($"Branching must be at least 2, got {o.Branching}");
        if (o.MeanTokensPerPoint < 1) throw new ArgumentException($"MeanTokensPerPoint must be positive, got {o.MeanTokensPerPoint}");
        if (o.NoiseRate is < 0 or > 1) throw new ArgumentException($"NoiseRate must lie in [0, 1], got {o.NoiseRate}");
        if (o.SharedWithParent is < 0 or > 1) throw new ArgumentException($"SharedWithParent must lie in [0, 1], got {o.SharedWithParent}");
        if (o.MultiLabel && o.MeanLabelsPerPoint < 1) throw new ArgumentException($"MeanLabelsPerPoint must be at least 1, got {o.MeanLabelsPerPoint}");
    }

    private sealed record RawPoint(int[] Labels, int[] Tokens);

    /// <summary>Words of each tree node: distinct features with decreasing weights (cumulative table per node).</summary>
    private sealed record NodeVocabulary(int[] Features, double[] Cumulative);

    private static NodeVocabulary[] NodeVocabularies(SyntheticXcOptions o, SyntheticLabelTree tree)
    {
        var weights = ZipfWeights(o.FeaturesPerNode, 0.7);
        var result = new NodeVocabulary[tree.NumNodes];
        int inherited = tree.NumNodes > 0 ? (int)Math.Round(o.SharedWithParent * o.FeaturesPerNode) : 0;
        // Node ids grow with depth (breadth-first), so a parent's words exist before its children's.
        for (int v = 0; v < tree.NumNodes; v++)
        {
            var rng = SeededRandom.For(o.Seed, 1000 + v);
            var picked = new HashSet<int>();
            var features = new List<int>(o.FeaturesPerNode);
            int parent = tree.Parents[v];
            if (parent > 0)
            {
                var fromParent = (int[])result[parent].Features.Clone();
                rng.Shuffle(fromParent);
                foreach (var f in fromParent.Take(inherited)) if (picked.Add(f)) features.Add(f);
            }
            while (features.Count < o.FeaturesPerNode)
            {
                int f = rng.Next(o.NumFeatures);
                if (picked.Add(f)) features.Add(f);
            }
            var order = features.ToArray();
            rng.Shuffle(order); // inherited words get no systematic weight advantage
            result[v] = new NodeVocabulary(order, Cumulative(weights, null));
        }
        return result;
    }

    /// <summary>Draws points: labels by the power law (each label first given its minimum share), tokens from the labels' paths.</summary>
    private sealed class PointGenerator(SyntheticXcOptions o, SyntheticLabelTree tree, NodeVocabulary[] vocabulary, double[] background, double[] labelCumulative)
    {
        private readonly int[][] _paths = tree.LabelNodes.Select(n => tree.PathTo(n).ToArray()).ToArray();
        private readonly List<int>[] _leavesBelow = LeavesBelow(tree);

        public List<RawPoint> Points(int count, int stream, int minPerLabel)
        {
            var rng = SeededRandom.For(o.Seed, stream);
            var primary = new int[count];
            int fixedCount = o.NumLabels * minPerLabel;
            for (int i = 0; i < count; i++) primary[i] = i < fixedCount ? i % o.NumLabels : rng.Pick(labelCumulative);
            rng.Shuffle(primary);
            var points = new List<RawPoint>(count);
            for (int i = 0; i < count; i++)
            {
                var point = SeededRandom.For(o.Seed, ((long)stream << 32) + i);
                var labels = o.MultiLabel ? RelatedLabels(primary[i], point) : [primary[i]];
                points.Add(new RawPoint(labels, Tokens(labels, point)));
            }
            return points;
        }

        /// <summary>The primary label plus 0 or more others: 70% from a nearby subtree, the rest by the power law.</summary>
        private int[] RelatedLabels(int first, SeededRandom rng)
        {
            int extra = Math.Min(rng.Poisson(o.MeanLabelsPerPoint - 1), o.NumLabels - 1);
            var labels = new SortedSet<int> { first };
            var path = _paths[first];
            for (int guard = 0; labels.Count < extra + 1 && guard < 20 * (extra + 1); guard++)
            {
                if (rng.NextDouble() < 0.7)
                {
                    int up = Math.Max(0, path.Length - 2 - rng.Next(2)); // the parent's or the grandparent's subtree
                    var leaves = _leavesBelow[path.Length > 1 ? path[up] : 0];
                    labels.Add(leaves[rng.Next(leaves.Count)]);
                }
                else labels.Add(rng.Pick(labelCumulative));
            }
            return [.. labels];
        }

        /// <summary>Tokens: noise from the background, else a node on a label's path (deeper nodes likelier), then one of its words.</summary>
        private int[] Tokens(int[] labels, SeededRandom rng)
        {
            int length = Math.Max(1, (int)Math.Round(o.MeanTokensPerPoint * (0.5 + rng.NextDouble())));
            var tokens = new int[length];
            Span<double> depthWeights = stackalloc double[64];
            for (int t = 0; t < length; t++)
            {
                if (rng.NextDouble() < o.NoiseRate)
                {
                    tokens[t] = rng.Pick(background);
                    continue;
                }
                var path = _paths[labels[rng.Next(labels.Length)]];
                double total = 0;
                for (int d = 0; d < path.Length; d++) depthWeights[d] = total += d + 1;
                var node = vocabulary[path[rng.Pick(depthWeights[..path.Length])]];
                tokens[t] = node.Features[rng.Pick(node.Cumulative)];
            }
            return tokens;
        }

        private static List<int>[] LeavesBelow(SyntheticLabelTree tree)
        {
            var below = new List<int>[tree.NumNodes];
            for (int v = 0; v < below.Length; v++) below[v] = [];
            for (int l = 0; l < tree.LabelNodes.Count; l++)
                for (int v = tree.LabelNodes[l]; v >= 0; v = tree.Parents[v]) below[v].Add(l);
            return below;
        }
    }

    /// <summary>Smoothed idf from the training split: ln((1 + N) / (1 + df)) + 1 (scikit-learn's default).</summary>
    private static float[] InverseDocumentFrequency(List<RawPoint> train, int numFeatures)
    {
        var df = new int[numFeatures];
        var seen = new HashSet<int>();
        foreach (var p in train)
        {
            seen.Clear();
            foreach (var t in p.Tokens) if (seen.Add(t)) df[t]++;
        }
        return df.Select(d => (float)(Math.Log((1.0 + train.Count) / (1.0 + d)) + 1)).ToArray();
    }

    private static CsrMatrix TfIdf(List<RawPoint> points, float[] idf, int numFeatures)
    {
        var builder = new CsrBuilder(numFeatures);
        var counts = new Dictionary<int, int>();
        var row = new List<(int Feature, double Value)>();
        foreach (var p in points)
        {
            counts.Clear();
            foreach (var t in p.Tokens) counts[t] = counts.GetValueOrDefault(t) + 1;
            row.Clear();
            double norm = 0;
            foreach (var (f, c) in counts)
            {
                double v = (1 + Math.Log(c)) * idf[f];
                row.Add((f, v));
                norm += v * v;
            }
            norm = Math.Sqrt(norm);
            // 4 decimals keep the embedded files small and make text round trips exact.
            foreach (var (f, v) in row) builder.Add(f, (float)Math.Round(v / norm, 4));
            builder.EndRow();
        }
        return builder.Build();
    }

    private static LabelMatrix Labels(List<RawPoint> points, int numLabels) =>
        LabelMatrix.FromLabelSets(points.Select(p => p.Labels), numLabels);

    /// <summary>A label's text: the two leading words of each node on its path, root side first, each word once.</summary>
    private static string[] LabelTexts(SyntheticLabelTree tree, NodeVocabulary[] vocabulary, string[] words) =>
        tree.LabelNodes.Select(leaf => string.Join(' ', tree.PathTo(leaf).SelectMany(v => vocabulary[v].Features.Take(2)).Distinct().Select(f => words[f]))).ToArray();

    /// <summary>
    /// Distinct pronounceable made-up words, one per feature: the digits of 112 + i in base 112 over a seeded order of
    /// consonant-vowel syllables (at least two syllables; a syllable string splits one way only, so words are unique).
    /// </summary>
    private static string[] Words(int count, int seed)
    {
        string[] onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
        var syllables = onsets.SelectMany(c => vowels.Select(v => c + v)).ToArray();
        new SeededRandom(seed ^ 0x5EED).Shuffle(syllables);
        var words = new string[count];
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            for (long x = syllables.Length + (long)i; x > 0; x /= syllables.Length) sb.Append(syllables[x % syllables.Length]);
            words[i] = sb.ToString();
        }
        return words;
    }

    private static double[] ZipfWeights(int n, double exponent) => Enumerable.Range(0, n).Select(r => Math.Pow(r + 1, -exponent)).ToArray();

    private static int[] Permutation(int n, SeededRandom rng)
    {
        var p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }

    /// <summary>Cumulative weights, optionally with item i taking weight[rank[i]].</summary>
    private static double[] Cumulative(double[] weights, int[]? rank)
    {
        var c = new double[weights.Length];
        double total = 0;
        for (int i = 0; i < c.Length; i++) c[i] = total += rank is null ? weights[i] : weights[rank[i]];
        return c;
    }
}
