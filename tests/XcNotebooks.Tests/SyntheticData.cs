using XcNotebooks.Data;

namespace XcNotebooks.Tests;

/// <summary>Small seeded classification problems with sparse, unit-length features (for fast unit tests).</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Multi-class splits: each class has a prototype of <paramref name="prototypeSize"/> features; a point is its
    /// class's prototype with multiplicative noise plus a few random noise features, scaled to unit length.
    /// </summary>
    public static DataSplits MultiClass(int classes, int features, int trainPerClass, int heldoutPerClass, int testPerClass, int seed,
        int prototypeSize = 6, int noiseFeatures = 4, IReadOnlySet<int>? classesMissingFromTrain = null)
    {
        var rng = new Random(seed);
        var prototypes = Enumerable.Range(0, classes).Select(_ => Prototype(rng, features, prototypeSize)).ToArray();
        Dataset Split(string name, int perClass, bool isTrain)
        {
            var rows = new List<(int Column, float Value)[]>();
            var labels = new List<int>();
            for (int c = 0; c < classes; c++)
            {
                if (isTrain && classesMissingFromTrain is not null && classesMissingFromTrain.Contains(c)) continue;
                for (int p = 0; p < perClass; p++)
                {
                    rows.Add(Point(rng, features, noiseFeatures, prototypes[c]));
                    labels.Add(c);
                }
            }
            var order = Enumerable.Range(0, rows.Count).OrderBy(_ => rng.Next()).ToArray();
            var x = CsrMatrix.FromRows(features, order.Select(i => rows[i])).NormalizeRows();
            return new Dataset(x, LabelMatrix.FromClasses(order.Select(i => labels[i]).ToArray(), classes)) { Name = name };
        }
        return new DataSplits(Split("synthetic.train", trainPerClass, true), Split("synthetic.heldout", heldoutPerClass, false),
            Split("synthetic.test", testPerClass, false));
    }

    /// <summary>Multi-label data: each point carries 1 to 3 labels and sums their prototypes.</summary>
    public static Dataset MultiLabel(int labels, int features, int points, int seed, string name = "synthetic.multilabel")
    {
        var rng = new Random(seed);
        var prototypes = Enumerable.Range(0, labels).Select(_ => Prototype(rng, features, 6)).ToArray();
        var rows = new List<(int, float)[]>();
        var sets = new List<int[]>();
        for (int i = 0; i < points; i++)
        {
            var set = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(labels)).Distinct().ToArray();
            rows.Add(set.SelectMany(l => Point(rng, features, 2, prototypes[l])).ToArray());
            sets.Add(set);
        }
        return new Dataset(CsrMatrix.FromRows(features, rows).NormalizeRows(), LabelMatrix.FromLabelSets(sets, labels)) { Name = name };
    }

    private static (int Column, float Value)[] Prototype(Random rng, int features, int size) =>
        Enumerable.Range(0, features).OrderBy(_ => rng.Next()).Take(size).Select(j => (j, (float)(0.5 + rng.NextDouble()))).ToArray();

    private static (int Column, float Value)[] Point(Random rng, int features, int noiseFeatures, (int Column, float Value)[] prototype) =>
        prototype.Select(p => (p.Column, p.Value * (float)(0.7 + 0.6 * rng.NextDouble())))
            .Concat(Enumerable.Range(0, noiseFeatures).Select(_ => (rng.Next(features), (float)(0.4 * rng.NextDouble()))))
            .ToArray();
}
