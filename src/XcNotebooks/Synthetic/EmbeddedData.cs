using XcNotebooks.Data.Formats;
using XcNotebooks.Core;

namespace XcNotebooks.Synthetic;

/// <summary>
/// The kit's embedded default data sets, generated in memory by <see cref="SyntheticXc"/> (no download, fully
/// redistributable): a multi-class problem for W-LTLS / DSNC-style methods and a multi-label one for the rest. Both
/// carry texts and label texts. The same data sits in the repository's data/ folder as XMLRepository files
/// (<see cref="WriteFiles"/> writes them; a test checks that they match).
/// </summary>
public static class EmbeddedData
{
    /// <summary>The multi-class default: 64 classes under a 4-ary hidden tree, 2,000 train / 600 test points.</summary>
    public static SyntheticXcOptions DefaultOptions { get; } = new() { Seed = 20240601 };

    /// <summary>The multi-label default: 128 labels, about 3 per point, 2,000 train / 600 test points.</summary>
    public static SyntheticXcOptions DefaultMultiLabelOptions { get; } = new()
    {
        NumLabels = 128,
        MultiLabel = true,
        MeanLabelsPerPoint = 3,
        Seed = 20240602,
    };

    /// <summary>The file names (without folder) <see cref="WriteFiles"/> writes, in order: multi-class train, test, multi-label train, test.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["synthetic-mc.train.txt.gz", "synthetic-mc.test.txt.gz", "synthetic-ml.train.txt.gz", "synthetic-ml.test.txt.gz"];

    /// <summary>The multi-class default data set (train and test splits).</summary>
    public static DataSplits Default() => SyntheticXc.Generate(DefaultOptions);

    /// <summary>
    /// The multi-class default with a heldout (validation) split of <paramref name="heldoutPoints"/> points drawn
    /// from the same distribution; train and test are exactly those of <see cref="Default()"/>. Methods that pick
    /// their best epoch or prune on validation accuracy (W-LTLS, its sparse models) need one.
    /// </summary>
    public static DataSplits Default(int heldoutPoints)
    {
        if (heldoutPoints < 1) throw new ArgumentException($"a heldout split needs at least one point, got {heldoutPoints}");
        return SyntheticXc.Generate(DefaultOptions with { NumHeldout = heldoutPoints });
    }

    /// <summary>The multi-label default data set (train and test splits).</summary>
    public static DataSplits DefaultMultiLabel() => SyntheticXc.Generate(DefaultMultiLabelOptions);

    /// <summary>Writes both defaults as gzipped XMLRepository files into <paramref name="dir"/>; returns the paths.</summary>
    public static IReadOnlyList<string> WriteFiles(string dir)
    {
        var paths = FileNames.Select(f => Path.Combine(dir, f)).ToArray();
        var mc = Default();
        var ml = DefaultMultiLabel();
        XmlRepositoryFormat.Write(paths[0], mc.Train);
        XmlRepositoryFormat.Write(paths[1], mc.Test);
        XmlRepositoryFormat.Write(paths[2], ml.Train);
        XmlRepositoryFormat.Write(paths[3], ml.Test);
        return paths;
    }
}
