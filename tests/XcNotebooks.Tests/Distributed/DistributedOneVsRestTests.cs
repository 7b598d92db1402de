using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Learners;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

public class DistributedOneVsRestTests
{
    private static readonly Dataset Train = SyntheticData.MultiLabel(40, 120, 300, seed: 3);

    public static TheoryData<int, string> Cases() => new()
    {
        { 1, "svm" }, { 2, "svm" }, { 3, "svm" }, { 2, "svm-no-bias" }, { 3, "logistic-pruned" }, { 7, "l1svm" },
    };

    private static OneVsRestOptions OptionsFor(string name) => name switch
    {
        "svm" => new OneVsRestOptions { Seed = 11 },
        "svm-no-bias" => new OneVsRestOptions { Seed = 11, Bias = 0, NormalizeRows = false },
        "logistic-pruned" => new OneVsRestOptions { Seed = 4, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.LogisticDual, PruneBelow = 0.05 } },
        "l1svm" => new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL1LossDual } },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MergedShardsSaveTheSameBytesAsOneProcess(int ranks, string learner)
    {
        var options = OptionsFor(learner);
        var dir = Directory.CreateTempSubdirectory("xcn-dovr-").FullName;
        try
        {
            string single = Path.Combine(dir, "single"), merged = Path.Combine(dir, "merged");
            OneVsRestLinear.Train(Train, options).Save(single);
            var models = InProcessCollectives.Run(ranks, c => DistributedOneVsRest.Train(Train, options, c));
            Assert.All(models.Skip(1), Assert.Null); // only rank 0 holds the merged model
            models[0]!.Save(merged);
            Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(merged));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void OnlineLearnersAndDifferentDataOnTheRanksAreRefused()
    {
        var arow = new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.Arow } };
        var e = Assert.Throws<ArgumentException>(() => DistributedOneVsRest.Train(Train, arow, SingleProcessCollective.Instance));
        Assert.Contains("dual coordinate descent", e.Message);

        // Ranks 1 and 2 differ but total what three equal ranks would (a sum alone would hide it from rank 0): all must stop.
        var fewer = SyntheticData.MultiLabel(40, 120, 299, seed: 3);
        var more = SyntheticData.MultiLabel(40, 120, 301, seed: 3);
        var stopped = 0;
        var failure = Assert.Throws<InvalidOperationException>(() => InProcessCollectives.Run(3, c =>
        {
            try { return DistributedOneVsRest.Train(c.Rank switch { 0 => Train, 1 => fewer, _ => more }, new OneVsRestOptions(), c); }
            catch (ArgumentException) { Interlocked.Increment(ref stopped); throw; }
        }));
        Assert.StartsWith("rank 0 of 3 failed: rank 0 of 3: 2 rank(s) hold a different training set from rank 0's (300 points", failure.Message);
        Assert.Equal(3, stopped);
    }

    [Fact]
    public void MergeRefusesAShardThatRepeatsALabel()
    {
        float[] weights = [1f, 2f, 3f];
        var merge = new DistributedOneVsRest.ShardMerge(2, 2, new OneVsRestOptions());
        merge.Add(0, [1], weights);
        var e = Assert.Throws<InvalidOperationException>(() => merge.Add(1, [1], weights));
        Assert.Equal("rank 1 sent label 1, out of range or already merged", e.Message);
        Assert.Throws<InvalidOperationException>(merge.Model); // label 0 never came

        var one = new DistributedOneVsRest.ShardMerge(2, 1, new OneVsRestOptions());
        one.Add(0, [0], weights);
        var model = one.Model();
        Assert.Equal([1f, 2f], model.Weights.Data); // rows 0..D-1 are the weights, the last row the bias
        Assert.Equal([3f], model.BiasWeights);
    }
}

public class DistributedParabelTests
{
    private static readonly Dataset Train = SyntheticData.MultiLabel(60, 150, 400, seed: 5);

    [Theory]
    [InlineData(1, "svm")]
    [InlineData(2, "svm")]
    [InlineData(3, "arow")]
    [InlineData(5, "svm")]
    public void TreeBuiltOnRankZeroAndNodesShardedSaveTheOneProcessBytes(int ranks, string learner)
    {
        var options = new XcNotebooks.Methods.Parabel.ParabelOptions { MaxLeafLabels = 8, Seed = 2 };
        if (learner == "arow") options = options with { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.Arow }, Epochs = 2 };
        var dir = Directory.CreateTempSubdirectory("xcn-dparabel-").FullName;
        try
        {
            string single = Path.Combine(dir, "single"), merged = Path.Combine(dir, "merged");
            XcNotebooks.Methods.Parabel.Parabel.Train(Train, options).Save(single);
            var models = InProcessCollectives.Run(ranks, c => DistributedParabel.Train(Train, options, c));
            Assert.All(models.Skip(1), Assert.Null);
            models[0]!.Save(merged);
            Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(merged));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
