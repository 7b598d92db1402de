using XcNotebooks.Methods.Dexa;
using XcNotebooks.Core;
using XcNotebooks.Encoders;

namespace XcNotebooks.Tests.DexaTests;

/// <summary>
/// A small text task DEXA can learn in seconds: each label has four topic words (its label text holds two of them);
/// a document mixes three topic words of each of its labels (a third of the documents have two labels) with noise words.
/// </summary>
internal static class ToyText
{
    public const int Labels = 8;

    public static DataSplits Create(int train = 240, int test = 80, int seed = 1, bool heldout = false)
    {
        var rng = new Random(seed);
        var labelTexts = Enumerable.Range(0, Labels).Select(l => $"w{l}a w{l}b").ToArray();
        Dataset Split(string name, int count)
        {
            var texts = new string[count];
            var sets = new List<int[]>();
            for (int i = 0; i < count; i++)
            {
                int first = rng.Next(Labels);
                var labels = i % 3 == 0 ? new[] { first, (first + 1 + rng.Next(Labels - 1)) % Labels }.Order().ToArray() : [first];
                var words = new List<string>();
                foreach (int l in labels)
                    foreach (var suffix in new[] { "a", "b", "c", "d" }.OrderBy(_ => rng.Next()).Take(3)) words.Add($"w{l}{suffix}");
                for (int n = 0; n < 3; n++) words.Add($"noise{rng.Next(20)}");
                texts[i] = string.Join(' ', words.OrderBy(_ => rng.Next()));
                sets.Add(labels);
            }
            return new Dataset(CsrMatrix.Empty(count, 0), LabelMatrix.FromLabelSets(sets, Labels))
            {
                Name = name,
                Texts = texts,
                LabelTexts = labelTexts,
                LabelNames = Enumerable.Range(0, Labels).Select(l => $"label{l}").ToArray(),
            };
        }
        var trainSet = Split("toy.train", train);
        var heldoutSet = heldout ? Split("toy.heldout", test) : null;
        return new DataSplits(trainSet, heldoutSet, Split("toy.test", test));
    }

    /// <summary>Options small enough for a unit test (seconds on one core).</summary>
    public static DexaOptions Options(int seed = 3) => new()
    {
        BagOfEmbeddings = new BagOfEmbeddingsOptions { Dimension = 16 },
        EncoderEpochs = 12,
        EncoderBatchSize = 32,
        EncoderWarmupSteps = 5,
        EncoderLearningRate = 1e-2f,
        EncoderCurriculum = new NgameCurriculum(4, [3, 6], 2),
        ClassifierEpochs = 6,
        ClassifierBatchSize = 64,
        ClassifierWarmupSteps = 3,
        ClassifierCurriculum = new NgameCurriculum(16, [2], 2),
        ShortlistSize = 8,
        MaxLength = 16,
        Backend = XcNotebooks.Compute.BackendKind.Cpu,
        Seed = seed,
    };
}
