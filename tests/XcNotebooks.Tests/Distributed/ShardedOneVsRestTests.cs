using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Learners;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

/// <summary>
/// The one-vs-rest model that stays split across ranks (threads standing in for ranks), against one process: the
/// same top-k predictions (scores and ties), the same model file byte for byte, the same size figures.
/// </summary>
public sealed class ShardedOneVsRestTests : IDisposable
{
    private static readonly Dataset Train = SyntheticData.MultiLabel(40, 120, 300, seed: 3);
    private static readonly Dataset Test = SyntheticData.MultiLabel(40, 120, 90, seed: 4);

    private readonly string _dir = Directory.CreateTempSubdirectory("xcn-sovr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static OneVsRestOptions OptionsFor(string name) => name switch
    {
        "svm" => new OneVsRestOptions { Seed = 11 },
        "svm-no-bias" => new OneVsRestOptions { Seed = 11, Bias = 0, NormalizeRows = false },
        "logistic-pruned" => new OneVsRestOptions { Seed = 4, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.LogisticDual, PruneBelow = 0.05 } },
        // Every weight pruned away: every score is 0, so the top k is decided by ties alone (the lower label first).
        "all-ties" => new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual, PruneBelow = 1e6 } },
        _ => throw new ArgumentException(name),
    };

    private sealed record RankResult(TopKPredictions Predictions, long SizeBytes, long NonZeros, int ShardLabels);

    private static void AssertSamePredictions(TopKPredictions expected, TopKPredictions actual)
    {
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Scores, actual.Scores); // bit for bit: each label's score is computed as one process computes it
    }

    [Theory]
    [InlineData(1, "svm", false)]
    [InlineData(2, "svm", true)]
    [InlineData(3, "svm", false)]
    [InlineData(2, "svm-no-bias", true)]
    [InlineData(3, "logistic-pruned", true)]
    [InlineData(3, "all-ties", false)]
    public void RanksPredictAndSaveAsOneProcess(int ranks, string learner, bool smallMessages)
    {
        var options = OptionsFor(learner);
        string single = Path.Combine(_dir, "single"), sharded = Path.Combine(_dir, "sharded");
        var one = OneVsRestLinear.Train(Train, options);
        one.Save(single);
        var expected = one.TopK(Test, 5);

        var results = InProcessCollectives.Run(ranks, c =>
        {
            var model = ShardedOneVsRest.Train(Train, options, c);
            // Small messages: several blocks of 3 feature rows (+ the bias) and several messages of 7 points.
            var predictions = smallMessages ? model.TopK(Test.Features, 5, messageBytes: 8 * 5 * 7) : model.TopK(Test, 5);
            if (smallMessages) model.Save(c.IsRoot() ? sharded : "unused", blockWeights: 3 * Train.NumLabels);
            else model.Save(c.IsRoot() ? sharded : "unused");
            return new RankResult(predictions, ((IXcModel)model).SizeBytes, model.NonZeroWeights, model.ShardLabels.Count);
        });

        AssertSamePredictions(expected, results[0].Predictions);
        Assert.All(results.Skip(1), r => Assert.All(r.Predictions.Labels, l => Assert.Equal(-1, l))); // rank 0 alone gets predictions
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(sharded));
        Assert.False(File.Exists("unused"));
        Assert.All(results, r => Assert.Equal(one.ModelBytes, r.SizeBytes));
        Assert.All(results, r => Assert.Equal(one.NonZeroWeights, r.NonZeros));
        Assert.Equal(Train.NumLabels, results.Sum(r => r.ShardLabels));
        if (learner == "all-ties") Assert.Equal([0, 1, 2, 3, 4], expected.LabelsOf(0).ToArray());
        // The file loads in one process and predicts as the model that was never merged.
        AssertSamePredictions(expected, OneVsRestLinear.Load(sharded).TopK(Test, 5));
    }

    [Fact]
    public void MoreRanksThanLabelsAndAKLargerThanTheLabels()
    {
        var train = SyntheticData.MultiLabel(2, 30, 80, seed: 1);
        var test = SyntheticData.MultiLabel(2, 30, 20, seed: 2);
        var options = new OneVsRestOptions { Seed = 2 };
        string single = Path.Combine(_dir, "single"), sharded = Path.Combine(_dir, "sharded");
        var one = OneVsRestLinear.Train(train, options);
        one.Save(single);
        var results = InProcessCollectives.Run(3, c =>
        {
            var model = ShardedOneVsRest.Train(train, options, c);
            model.Save(sharded);
            return (model.TopK(test, 4), model.ShardLabels.Count);
        });
        Assert.Equal(0, results[2].Count); // a rank with an empty shard still takes part
        AssertSamePredictions(one.TopK(test, 4), results[0].Item1);
        Assert.Equal(-1, results[0].Item1.LabelsOf(0)[2]);
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(sharded));
    }

    [Fact]
    public void ARootThatCannotWriteFailsOnEveryRankAndAllCanSaveAgain()
    {
        var options = new OneVsRestOptions { Seed = 5 };
        string single = Path.Combine(_dir, "single"), blocker = Path.Combine(_dir, "a-file"), retry = Path.Combine(_dir, "retry");
        OneVsRestLinear.Train(Train, options).Save(single);
        File.WriteAllText(blocker, "not a folder");
        var unwritable = Path.Combine(blocker, "model.ovr"); // its folder is a file
        var failures = InProcessCollectives.Run(3, c =>
        {
            var model = ShardedOneVsRest.Train(Train, options, c);
            string? failure = null;
            try { model.Save(unwritable, blockWeights: 5 * Train.NumLabels); }
            catch (IOException e) { failure = e.Message; }
            model.Save(retry); // every rank goes on in step: the next collective works
            return failure;
        });
        Assert.All(failures, Assert.NotNull);
        Assert.All(failures.Skip(1), f => Assert.StartsWith("rank 0 could not write the model: ", f));
        Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(retry));
    }

    [Fact]
    public void TheCliSavesAModelSpreadOverRanksWithEveryRankAndFallsBackTogether()
    {
        var options = new OneVsRestOptions { Seed = 5 };
        string single = Path.Combine(_dir, "single"), blocker = Path.Combine(_dir, "a-file");
        OneVsRestLinear.Train(Train, options).Save(single);
        File.WriteAllText(blocker, "not a folder");
        var data = new DataSplits(Train, null, Test);
        var saved = InProcessCollectives.Run(2, c =>
        {
            var model = ShardedOneVsRest.Train(Train, options, c);
            var lines = new List<string>();
            var run = new XcNotebooks.Cli.Common.MethodRun(null!, data, new Dictionary<string, string>(), Path.Combine(blocker, "model"), 5, 5,
                new TrainingMonitor { Log = lines.Add }) { Collective = c };
            return (Bytes: run.SaveModel(model, "model.ovr"), Lines: lines);
        });
        Assert.Equal(0, saved[1].Bytes); // rank 1 took part and wrote nothing
        var fallback = Assert.Single(saved[0].Lines)["Model saved to ".Length..];
        try
        {
            Assert.NotEqual(Path.Combine(blocker, "model", "model.ovr"), fallback);
            Assert.Equal(File.ReadAllBytes(single), File.ReadAllBytes(fallback));
            Assert.Equal(new FileInfo(fallback).Length, saved[0].Bytes);
        }
        finally { Directory.Delete(Path.GetDirectoryName(fallback)!, recursive: true); }
    }

    [Fact]
    public void RanksPredictingDifferentPointsStopTogether()
    {
        var fewer = SyntheticData.MultiLabel(40, 120, 89, seed: 4);
        int stopped = 0;
        var failure = Assert.Throws<InvalidOperationException>(() => InProcessCollectives.Run(2, c =>
        {
            var model = ShardedOneVsRest.Train(Train, new OneVsRestOptions(), c);
            try { return model.TopK(c.Rank == 0 ? Test : fewer, 5); }
            catch (ArgumentException) { Interlocked.Increment(ref stopped); throw; }
        }));
        Assert.StartsWith("rank 0 of 2 failed: 1 rank(s) predict different points from rank 0's (90 points", failure.Message);
        Assert.Equal(2, stopped);
    }

    [Fact]
    public void OnlineLearnersAreRefused()
    {
        var arow = new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.Arow } };
        var e = Assert.Throws<ArgumentException>(() => ShardedOneVsRest.Train(Train, arow, SingleProcessCollective.Instance));
        Assert.Contains("dual coordinate descent", e.Message);
    }
}
