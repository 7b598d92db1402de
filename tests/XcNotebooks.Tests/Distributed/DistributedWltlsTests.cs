using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

/// <summary>Label-sharded W-LTLS on 1..3 in-process ranks against one process: the same models byte for byte, the same history.</summary>
public sealed class DistributedWltlsTests : IDisposable
{
    private static readonly DataSplits Data = SyntheticData.MultiClass(12, 300, 360, 120, 60, seed: 4);
    private readonly string _dir = Directory.CreateTempSubdirectory("xcn-dwltls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<int, string> Cases() => new()
    {
        { 1, "arow" }, { 2, "arow" }, { 3, "arow" }, { 2, "similarity-early-stop" }, { 3, "perceptron-no-heldout" }, { 2, "svm" }, { 3, "svm" },
    };

    private static (WltlsOptions Options, bool Heldout) OptionsFor(string name) => name switch
    {
        "arow" => (new WltlsOptions { SliceWidth = 3, Epochs = 3, Seed = 5 }, true),
        "similarity-early-stop" => (new WltlsOptions { SliceWidth = 4, Epochs = 6, EarlyStopping = true, PathAssignment = PathAssignmentPolicy.Similarity, Seed = 2 }, true),
        "perceptron-no-heldout" => (new WltlsOptions { SliceWidth = 3, Epochs = 2, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron } }, false),
        "svm" => (new WltlsOptions { SliceWidth = 3, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, Seed = 7 }, true),
        _ => throw new ArgumentException(name),
    };

    private byte[] Bytes(WltlsModel model, string name)
    {
        var path = Path.Combine(_dir, name);
        model.Save(path);
        return File.ReadAllBytes(path);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MergedEdgesSaveTheSameBytesAsOneProcess(int ranks, string name)
    {
        var (options, withHeldout) = OptionsFor(name);
        var heldout = withHeldout ? Data.Heldout : null;
        // The checkpoint rank 0 writes while training is the one-process checkpoint too (same path, so same options).
        options = options with { CheckpointPath = Path.Combine(_dir, "checkpoint.wltls") };
        var single = Wltls.TrainDetailed(Data.Train, heldout, options);
        var checkpoint = File.ReadAllBytes(options.CheckpointPath);
        File.Delete(options.CheckpointPath);

        var trainings = InProcessCollectives.Run(ranks, c => DistributedWltls.TrainDetailed(Data.Train, heldout, options, c));
        Assert.All(trainings.Skip(1), Assert.Null); // only rank 0 holds the merged models
        var merged = trainings[0]!;
        Assert.Equal(Bytes(single.Best, "single-best"), Bytes(merged.Best, "merged-best"));
        Assert.Equal(Bytes(single.LastEpoch, "single-last"), Bytes(merged.LastEpoch, "merged-last"));
        Assert.Equal(checkpoint, File.ReadAllBytes(options.CheckpointPath));
        Assert.Equal(single.BestEpoch, merged.BestEpoch);
        Assert.Equal(single.EarlyStopped, merged.EarlyStopped);
        Assert.Equal(single.Epochs.Select(e => (e.TrainAccuracy, e.ValidationAccuracy, e.IsBest)), merged.Epochs.Select(e => (e.TrainAccuracy, e.ValidationAccuracy, e.IsBest)));
        Assert.Equal(single.AverageBinaryLoss, merged.AverageBinaryLoss);
        Assert.Same(merged, merged.Best.Training);
    }

    [Fact]
    public void EarlyStoppingIsDecidedOnceForEveryRank()
    {
        // A heldout split the model cannot fit (labels shuffled): validation accuracy drops soon, and every rank must stop with rank 0.
        var noisy = Data.Heldout! with { Labels = SyntheticData.MultiClass(12, 300, 360, 120, 60, seed: 9).Heldout!.Labels };
        var (options, single) = Enumerable.Range(1, 20).Select(seed => new WltlsOptions { SliceWidth = 3, Epochs = 12, EarlyStopping = true, Seed = seed })
            .Select(o => (o, Wltls.TrainDetailed(Data.Train, noisy, o))).First(run => run.Item2.EarlyStopped); // the first seed whose run stops early
        var merged = InProcessCollectives.Run(3, c => DistributedWltls.TrainDetailed(Data.Train, noisy, options, c))[0]!;
        Assert.True(merged.EarlyStopped);
        Assert.Equal(single.Epochs.Count, merged.Epochs.Count);
        Assert.Equal(Bytes(single.Best, "single"), Bytes(merged.Best, "merged"));
    }

    [Fact]
    public void TheGreedyAssignmentIsRefusedNamingTheOption()
    {
        var greedy = new WltlsOptions { SliceWidth = 3, PathAssignment = PathAssignmentPolicy.Greedy };
        var e = Assert.Throws<ArgumentException>(() => DistributedWltls.TrainDetailed(Data.Train, null, greedy, SingleProcessCollective.Instance));
        Assert.Contains("--path-assignment random, similarity or fixed", e.Message);
        Assert.Contains("greedy", e.Message);
    }

    [Fact]
    public void AHeldoutSplitOnSomeRanksOnlyStopsEveryRank()
    {
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 1 };
        var failure = Assert.Throws<InvalidOperationException>(() =>
            InProcessCollectives.Run(2, c => DistributedWltls.TrainDetailed(Data.Train, c.Rank == 0 ? Data.Heldout : null, options, c)));
        Assert.Contains("1 of 2 ranks have a heldout split", failure.Message);
    }

    [Fact]
    public void EdgeCostsAreEqualOnlineAndFollowTheSmallerSideForDualCoordinateDescent()
    {
        var graph = TrellisGraph.Create(12, 3);
        var assignment = PathAssignment.Random(12, 3);
        var classes = Wltls.MultiClassLabels(Data.Train);
        Assert.All(Wltls.EdgeCosts(new BinaryLearnerOptions(), classes, graph, assignment), c => Assert.Equal(1.0, c));
        var costs = Wltls.EdgeCosts(new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, classes, graph, assignment);
        for (int e = 0; e < graph.NumEdges; e++)
        {
            int positives = classes.Count(c => graph.PathEdges(assignment.CodewordOf(c)).Contains(e)); // brute force over the paths
            Assert.Equal(1 + Math.Min(positives, classes.Length - positives), costs[e]);
        }
    }
}
