using XcNotebooks.Core;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Tests;

/// <summary>Small seeded problems from <see cref="SyntheticXc"/> for fast unit tests of the linear methods.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Multi-class splits (a mild power law over classes, moderate noise: linear models reach well over 90%); the
    /// classes in <paramref name="classesMissingFromTrain"/> are removed from the training split.
    /// </summary>
    public static DataSplits MultiClass(int classes, int features, int train, int heldout, int test, int seed,
        IReadOnlySet<int>? classesMissingFromTrain = null)
    {
        var splits = SyntheticXc.Generate(Options(classes, features, train, heldout, test, seed));
        if (classesMissingFromTrain is null) return splits;
        var kept = Enumerable.Range(0, splits.Train.NumPoints).Where(i => !classesMissingFromTrain.Contains(splits.Train.Labels.LabelsOf(i)[0])).ToArray();
        return splits with { Train = splits.Train.SelectRows(kept) };
    }

    /// <summary>A multi-label training set (related labels per point).</summary>
    public static Dataset MultiLabel(int labels, int features, int points, int seed, string name = "synthetic.multilabel") =>
        SyntheticXc.Generate(Options(labels, features, points, 0, 10, seed) with { MultiLabel = true }).Train with { Name = name };

    private static SyntheticXcOptions Options(int labels, int features, int train, int heldout, int test, int seed) => new()
    {
        NumLabels = labels, NumFeatures = features, NumTrain = train, NumHeldout = heldout, NumTest = test, Seed = seed,
        Texts = false, NoiseRate = 0.35, PowerLawExponent = 0.5,
    };
}
