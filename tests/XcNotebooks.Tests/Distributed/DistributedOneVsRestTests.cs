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

        var other = SyntheticData.MultiLabel(40, 120, 299, seed: 3);
        var failure = Assert.Throws<InvalidOperationException>(() =>
            InProcessCollectives.Run(2, c => DistributedOneVsRest.Train(c.Rank == 0 ? Train : other, new OneVsRestOptions(), c)));
        Assert.Contains("different training sets", failure.Message);
    }

    [Fact]
    public void MergeRefusesAShardThatRepeatsALabel()
    {
        var weights = new RowMajorMatrix(3, 1, [1f, 2f, 3f]);
        var shard = DistributedOneVsRest.ShardBytes([1], weights);
        var e = Assert.Throws<InvalidOperationException>(() =>
            DistributedOneVsRest.Merge(2, 2, new OneVsRestOptions(), receive => { receive(0, shard); receive(1, shard); }));
        Assert.Equal("rank 1 sent label 1, out of range or already merged", e.Message);
        var model = DistributedOneVsRest.Merge(2, 1, new OneVsRestOptions(), receive => receive(0, DistributedOneVsRest.ShardBytes([0], weights)));
        Assert.Equal([1f, 2f], model.Weights.Data); // rows 0..D-1 are the weights, the last row the bias
        Assert.Equal([3f], model.BiasWeights);
    }
}
