using XcNotebooks.Core;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>
/// Linearly separable multi-class splits: class c owns features 4c..4c+3 (each point draws them with weights in
/// [0.5, 1.5]) and every point adds two weak features (weight 0.2) from a shared pool; rows are unit length.
/// </summary>
internal static class SeparableData
{
    public static DataSplits Create(int classes, int trainPerClass, int heldoutPerClass, int testPerClass, int seed)
    {
        const int Own = 4, Pool = 10;
        int features = classes * Own + Pool;
        var rng = new Random(seed);
        Dataset Split(string name, int perClass)
        {
            var order = Enumerable.Range(0, classes * perClass).Select(i => i % classes).OrderBy(_ => rng.Next()).ToArray();
            var rows = order.Select(c => Enumerable.Range(c * Own, Own).Select(f => (f, (float)(0.5 + rng.NextDouble())))
                .Concat(Enumerable.Range(0, 2).Select(_ => (classes * Own + rng.Next(Pool), 0.2f))).ToArray()).ToArray();
            return new Dataset(CsrMatrix.FromRows(features, rows).NormalizeRows(), LabelMatrix.FromClasses(order, classes)) { Name = name };
        }
        return new DataSplits(Split("separable.train", trainPerClass), heldoutPerClass == 0 ? null : Split("separable.heldout", heldoutPerClass),
            Split("separable.test", testPerClass));
    }
}
