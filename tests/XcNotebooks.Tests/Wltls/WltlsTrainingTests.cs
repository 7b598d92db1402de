using XcNotebooks.Learners;
using XcNotebooks.Tests.Learners;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsTrainingTests
{
    private static readonly DataSplits Data = SyntheticData.MultiClass(12, 300, 360, 120, 180, seed: 4);

    [Fact]
    public void LearnsASeparableProblem()
    {
        var training = Wltls.TrainDetailed(Data.Train, Data.Heldout, new WltlsOptions { SliceWidth = 3, Epochs = 3 });
        Assert.Equal(17, training.Best.Graph.NumEdges); // 12 = 110 in base 3
        Assert.True(training.Best.Accuracy(Data.Test) >= 90, $"test accuracy {training.Best.Accuracy(Data.Test):F1}%");
        Assert.Equal(3, training.Epochs.Count);
        Assert.All(training.Epochs, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.Equal(training.Epochs.Where(e => e.IsBest).Last().Epoch, training.BestEpoch);
        Assert.Equal(300L * 17 * 4, training.Best.ModelBytes);
    }

    [Theory]
    [InlineData(PathAssignmentPolicy.Random, 0)]
    [InlineData(PathAssignmentPolicy.Greedy, 0)]
    [InlineData(PathAssignmentPolicy.Random, 7)] // epochs in segments of 7 points (the last one shorter)
    [InlineData(PathAssignmentPolicy.Greedy, 7)]
    public void ParallelTrainingEqualsTheSequentialOnlineAlgorithm(PathAssignmentPolicy policy, int segmentRows)
    {
        // Class 5 never appears in training: the greedy policy must hand it a codeword after the first epoch.
        var data = SyntheticData.MultiClass(12, 300, 240, 60, 60, seed: 8, classesMissingFromTrain: new HashSet<int> { 5 });
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 3, PathAssignment = policy, Seed = 21, EpochSegmentRows = segmentRows };
        var log = new List<string>();
        var training = Wltls.TrainDetailed(data.Train, data.Heldout, options, new TrainingMonitor { Log = log.Add });
        var (reference, accuracies, codewordOfClass) = SequentialReference(data.Train, options);
        Assert.Equal(codewordOfClass, training.LastEpoch.CodewordOfClass);
        Assert.Equal(accuracies, training.Epochs.Select(e => e.TrainAccuracy));
        var weights = training.LastEpoch.Weights;
        for (int e = 0; e < reference.Length; e++)
            for (int j = 0; j < weights.Rows; j++) Assert.Equal(reference[e][j], weights[j, e]);
        Assert.Equal(policy == PathAssignmentPolicy.Greedy ? 1 : 0, training.AssignedLabels);
        Assert.Contains(log, l => l.StartsWith("Train epoch 1/3: ") && l.Contains($"Assigned {training.AssignedLabels} labels."));
        Assert.Contains($"Using a {policy} path assignment policy.", log);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 7)] // and epochs in segments of 7 points
    public void EdgeBlocksEqualTheSequentialOnlineAlgorithm(int blocks, int segmentRows)
    {
        // Class 5 never appears in training: it gets its codeword after the first epoch's figure, as when every edge trains at once.
        var data = SyntheticData.MultiClass(12, 300, 240, 60, 60, seed: 8, classesMissingFromTrain: new HashSet<int> { 5 });
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 3, Seed = 21, EdgeBlocks = blocks, EpochSegmentRows = segmentRows };
        Assert.Equal(blocks, Wltls.EdgeBlocks(options, data.Train.NumFeatures, 17)); // 17 edges: at least 3 SIMD vectors of them
        var log = new List<string>();
        var training = Wltls.TrainDetailed(data.Train, null, options, new TrainingMonitor { Log = log.Add });
        Assert.Contains(log, l => l.StartsWith($"Training the edges in {blocks} blocks"));
        var (reference, accuracies, codewordOfClass) = SequentialReference(data.Train, options);
        Assert.Equal(codewordOfClass, training.LastEpoch.CodewordOfClass);
        Assert.Equal(accuracies, training.Epochs.Select(e => e.TrainAccuracy));
        Assert.Same(training.LastEpoch, training.Best);
        var weights = training.LastEpoch.Weights;
        for (int e = 0; e < reference.Length; e++)
            for (int j = 0; j < weights.Rows; j++) Assert.Equal(reference[e][j], weights[j, e]);
        Assert.Equal(Enumerable.Range(1, 3).Select(e => $"Train epoch {e}/3: "), log.Where(l => l.StartsWith("Train epoch")).Select(l => l[..l.IndexOf(':')] + ": "));
    }

    [Theory]
    [InlineData(PathAssignmentPolicy.Fixed)]
    [InlineData(PathAssignmentPolicy.Similarity)]
    public void EdgeBlocksGiveTheModelsAndFiguresOfAllEdgesAtOnce(PathAssignmentPolicy policy)
    {
        // The perceptron (its averaging counter is per bank), squared hinge decoding and 41 edges in blocks of unequal widths.
        var data = SyntheticData.MultiClass(40, 200, 300, 0, 60, seed: 6);
        var options = new WltlsOptions
        {
            SliceWidth = 4, Epochs = 2, Seed = 3, PathAssignment = policy,
            CodewordOfClass = policy == PathAssignmentPolicy.Fixed ? Enumerable.Range(0, 40).Reverse().ToArray() : null,
            Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron }, DecodingLoss = DecodingLoss.SquaredHinge,
        };
        var whole = Wltls.TrainDetailed(data.Train, null, options with { EdgeBlocks = 1 });
        foreach (int blocks in new[] { 2, 4 })
        {
            var inBlocks = Wltls.TrainDetailed(data.Train, null, options with { EdgeBlocks = blocks });
            Assert.Equal(whole.Best.Weights.Data, inBlocks.Best.Weights.Data);
            Assert.Equal(whole.Best.CodewordOfClass, inBlocks.Best.CodewordOfClass);
            Assert.Equal(whole.Epochs.Select(e => (e.TrainAccuracy, e.IsBest)), inBlocks.Epochs.Select(e => (e.TrainAccuracy, e.IsBest)));
            Assert.Equal(whole.AverageBinaryLoss, inBlocks.AverageBinaryLoss);
            Assert.Equal(whole.BestEpoch, inBlocks.BestEpoch);
        }
    }

    [Fact]
    public void AutomaticEdgeBlocksHoldAtMostAnEighthOfTheModelOr32MBOfLearnerState()
    {
        var options = new WltlsOptions();
        Assert.Equal(1, Wltls.EdgeBlocks(options, 300, 17)); // a small model: every edge at once
        Assert.Equal(1, Wltls.EdgeBlocks(options, 1_000_000, 4)); // 32 MB of state: one block
        foreach (var (dimension, edges) in new[] { (70_486, 599), (100_000, 83), (70_486, 2_403), (1_000_000, 4_000) })
        {
            int blocks = Wltls.EdgeBlocks(options, dimension, edges);
            var bounds = Wltls.EdgeBlockBounds(edges, blocks);
            Assert.Equal(0, bounds[0]);
            Assert.Equal(edges, bounds[^1]);
            long model = 4L * dimension * edges, allowed = Math.Max(model / 8, Wltls.BlockStateBytes);
            int lanes = System.Numerics.Vector.IsHardwareAccelerated ? System.Numerics.Vector<float>.Count : 1;
            for (int b = 0; b < blocks; b++)
            {
                int width = bounds[b + 1] - bounds[b];
                Assert.True(width > 0 && (b == blocks - 1 || width % lanes == 0), $"block {b}: {width} edges");
                Assert.True(width <= bounds[1], "the first block is the widest (the later ones reuse its arrays)");
                // Whole SIMD vectors: a block holds at most one vector of edges more than an even share.
                Assert.True(8L * dimension * width <= allowed + 8L * dimension * lanes, $"block {b}: {width} edges of {edges} in {blocks} blocks");
            }
        }
        Assert.Throws<ArgumentException>(() => Wltls.EdgeBlocks(options with { EdgeBlocks = -1 }, 10, 10));
    }

    [Fact]
    public void SameSeedSameModelOtherSeedOtherModel()
    {
        var options = new WltlsOptions { SliceWidth = 4, Epochs = 2, Seed = 3 };
        var a = Wltls.Train(Data.Train, Data.Heldout, options);
        var b = Wltls.Train(Data.Train, Data.Heldout, options);
        var c = Wltls.Train(Data.Train, Data.Heldout, options with { Seed = 4 });
        Assert.Equal(a.Weights.Data, b.Weights.Data);
        Assert.Equal(a.CodewordOfClass, b.CodewordOfClass);
        Assert.NotEqual(a.CodewordOfClass, c.CodewordOfClass);
    }

    [Fact]
    public void FixedAssignmentAndPerceptronAreUsed()
    {
        var reversed = Enumerable.Range(0, 12).Reverse().ToArray();
        var options = new WltlsOptions
        {
            SliceWidth = 2, Epochs = 2, PathAssignment = PathAssignmentPolicy.Fixed, CodewordOfClass = reversed,
            Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron }, DecodingLoss = DecodingLoss.SquaredHinge,
        };
        var model = Wltls.Train(Data.Train, Data.Heldout, options);
        Assert.Equal(reversed, model.CodewordOfClass);
        Assert.Equal(DecodingLoss.SquaredHinge, model.Loss);
        Assert.True(model.Accuracy(Data.Test) >= 80, $"test accuracy {model.Accuracy(Data.Test):F1}%");
        Assert.Throws<ArgumentException>(() => Wltls.Train(Data.Train, null, options with { CodewordOfClass = null }));
        Assert.Throws<ArgumentException>(() => Wltls.Train(Data.Train, null, options with { CodewordOfClass = [.. reversed[..11], 11] }));
    }

    [Fact]
    public void MultiLabelTrainingDataNamesTheDatasetAndPoint()
    {
        var data = SyntheticData.MultiLabel(6, 100, 40, seed: 1, name: "tags.train");
        int bad = Enumerable.Range(0, data.NumPoints).First(i => data.Labels.LabelsOf(i).Length != 1);
        var e = Assert.Throws<DataFormatException>(() => Wltls.Train(data, null, new WltlsOptions { SliceWidth = 2 }));
        Assert.Equal("tags.train", e.File);
        Assert.Contains($"point {bad + 1} has", e.Message);
        Assert.Throws<ArgumentException>(() => Wltls.Train(Data.Train, null, new WltlsOptions { SliceWidth = 13 }));
    }

    [Fact]
    public void SaveLoadRoundTripsPredictionsExactly()
    {
        var dir = TestData.TempDir();
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 2, CheckpointPath = Path.Combine(dir, "checkpoint.wltls") };
        var model = Wltls.Train(Data.Train, Data.Heldout, options);
        var path = Path.Combine(dir, "model.wltls");
        model.Save(path);
        var loaded = WltlsModel.Load(path);
        Assert.Equal(model.Weights.Data, loaded.Weights.Data);
        Assert.Equal(model.CodewordOfClass, loaded.CodewordOfClass);
        Assert.Equal(model.Options.SliceWidth, loaded.Options.SliceWidth);
        var expected = model.TopK(Data.Test, 3);
        var actual = loaded.TopK(Data.Test, 3);
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Scores, actual.Scores);
        // The checkpoint holds the best-validated model, which Train returns.
        Assert.Equal(model.Predict(Data.Test), WltlsModel.Load(options.CheckpointPath).Predict(Data.Test));

        var truncated = Path.Combine(dir, "truncated.wltls");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => WltlsModel.Load(truncated)).Message);
        var other = Path.Combine(dir, "ovr.model");
        OneVsRestLinear.Train(Data.Train, new OneVsRestOptions { Epochs = 1 }).Save(other);
        Assert.Contains("a ovr model", Assert.Throws<DataFormatException>(() => WltlsModel.Load(other)).Message);
    }

    [Fact]
    public void TheDecodingScaleChangesDecodingOnlyAndIsSavedWithTheModel()
    {
        // Training ignores DecodingScale (the same weights); the model decodes s x^T W: its top-k equal those of a
        // scale-1 model whose weights were multiplied by s (z = x^T (s W) for every point).
        var options = new WltlsOptions { SliceWidth = 3, Epochs = 2, Seed = 2, DecodingScale = 1 };
        var plain = Wltls.Train(Data.Train, null, options);
        var scaled = Wltls.Train(Data.Train, null, options with { DecodingScale = 4 });
        Assert.Equal(plain.Weights.Data, scaled.Weights.Data);
        var timesFour = new RowMajorMatrix(plain.Weights.Rows, plain.Weights.Cols);
        for (int j = 0; j < timesFour.Data.Length; j++) timesFour.Data[j] = plain.Weights.Data[j] * 4f;
        var reference = plain.WithWeights(timesFour).TopK(Data.Test, 3);
        var actual = scaled.TopK(Data.Test, 3);
        Assert.Equal(reference.Labels, actual.Labels);
        Assert.Equal(reference.Scores, actual.Scores);
        Assert.NotEqual(plain.TopK(Data.Test, 3).Scores, actual.Scores);
        string path = Path.Combine(Path.GetTempPath(), $"wltls-scale-{Guid.NewGuid():N}.wltls");
        try
        {
            scaled.Save(path);
            var loaded = WltlsModel.Load(path);
            Assert.Equal(4, loaded.Options.DecodingScale);
            Assert.Equal(actual.Scores, loaded.TopK(Data.Test, 3).Scores);
        }
        finally { File.Delete(path); }
        Assert.Throws<ArgumentException>(() => (options with { DecodingScale = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (options with { DecodingScale = double.PositiveInfinity }).Validate());
    }

    [Fact]
    public void TopKStartsWithThePredictionAndIsSortedAndDistinct()
    {
        var model = Wltls.Train(Data.Train, Data.Heldout, new WltlsOptions { SliceWidth = 3, Epochs = 1 });
        var top = model.TopK(Data.Test, 4);
        Assert.Equal(model.Predict(Data.Test), top.Top1());
        for (int i = 0; i < top.Rows; i++)
        {
            Assert.Equal(4, top.LabelArray(i).Distinct().Count());
            var scores = top.ScoresOf(i).ToArray();
            Assert.True(scores.Zip(scores.Skip(1)).All(p => p.First >= p.Second));
        }
    }

    [Fact]
    public void AverageBinaryLossIsTheMeanCodewordLossPerEdge()
    {
        var training = Wltls.TrainDetailed(Data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = 1 });
        var model = training.Best;
        var classes = Data.Train.Labels.Classes();
        var responses = model.Responses(Data.Train.Features);
        double total = 0;
        // The learners' loss on their own responses: the decoding scale (2 by default) is not applied.
        var unscaled = new LossBasedDecoder(model.Graph, model.Loss);
        for (int i = 0; i < classes.Length; i++) total += unscaled.CodewordLoss(responses.Row(i), model.CodewordOfClass[classes[i]]);
        Assert.Equal(total / classes.Length / model.Graph.NumEdges, training.AverageBinaryLoss, 9);
        Assert.Same(training.LastEpoch, training.Best); // without a heldout split the last epoch is the result
    }

    [Fact]
    public void EpochSegmentsGiveTheSameModelsAndFigures()
    {
        var options = new WltlsOptions { SliceWidth = 4, Epochs = 3, Seed = 5 };
        var whole = Wltls.TrainDetailed(Data.Train, Data.Heldout, options with { EpochSegmentRows = int.MaxValue });
        foreach (int rows in new[] { 1, 13, 256 })
        {
            var segmented = Wltls.TrainDetailed(Data.Train, Data.Heldout, options with { EpochSegmentRows = rows });
            Assert.Equal(whole.LastEpoch.Weights.Data, segmented.LastEpoch.Weights.Data);
            Assert.Equal(whole.Best.Weights.Data, segmented.Best.Weights.Data);
            Assert.Equal(whole.Epochs.Select(e => (e.TrainAccuracy, e.ValidationAccuracy)), segmented.Epochs.Select(e => (e.TrainAccuracy, e.ValidationAccuracy)));
        }
    }

    [Fact]
    public void ABestLastEpochSharesTheLastModelsWeightsAndAnEarlierOneIsItsOwnCopy()
    {
        // Validation on the training points rises every epoch here, so the last epoch is the best.
        var rising = Wltls.TrainDetailed(Data.Train, Data.Train, new WltlsOptions { SliceWidth = 4, Epochs = 2 });
        Assert.Equal(2, rising.BestEpoch);
        Assert.Same(rising.LastEpoch, rising.Best);
        // A reference with no heldout split: the same online passes, so the same last-epoch weights.
        var reference = Wltls.TrainDetailed(Data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = 2 });
        Assert.Equal(reference.LastEpoch.Weights.Data, rising.LastEpoch.Weights.Data);
        // An earlier best epoch keeps its own weights: those of a one-epoch run.
        var heldout = Data.Heldout!;
        var many = Wltls.TrainDetailed(Data.Train, heldout, new WltlsOptions { SliceWidth = 4, Epochs = 4, Seed = 2 });
        if (many.BestEpoch < many.Epochs.Count)
        {
            var upToBest = Wltls.TrainDetailed(Data.Train, null, new WltlsOptions { SliceWidth = 4, Epochs = many.BestEpoch, Seed = 2 });
            Assert.NotSame(many.LastEpoch.Weights, many.Best.Weights);
            Assert.Equal(upToBest.LastEpoch.Weights.Data, many.Best.Weights.Data);
        }
    }

    [Fact]
    public void WithoutHeldoutTheCheckpointIsTheLastEpoch()
    {
        var path = Path.Combine(TestData.TempDir(), "model.wltls");
        var model = Wltls.Train(Data.Train, null, new WltlsOptions { SliceWidth = 3, Epochs = 1, CheckpointPath = path });
        Assert.Equal(model.Weights.Data, WltlsModel.Load(path).Weights.Data);
    }

    [Fact]
    public void LogLinesAreTheOriginals()
    {
        var log = new List<string>();
        Wltls.Train(Data.Train, Data.Heldout, new WltlsOptions { SliceWidth = 3, Epochs = 2 }, new TrainingMonitor { Log = log.Add });
        Assert.Equal("Learning a Wide-LTLS model.", log[0]);
        Assert.Contains("Created a trellis graph with a slice width of b=3.", log);
        Assert.Contains("Created a heaviest path decoder with 17 edges.", log);
        Assert.Contains("Using AROW as the binary classifier.", log);
        Assert.Contains("Decoding according to the exponential loss.", log);
        Assert.Contains("Model size: 0.0MB", log);
        Assert.Matches(@"^Train epoch 2/2: \d+\.\d% in \d+(ms|s)\.\tValidation: \d+\.\d% \(\d+(ms|s)\)\.$", log[^1]);
        Assert.Equal("531ms", Wltls.Duration(0.531));
        Assert.Equal("26s", Wltls.Duration(26.2));
        Assert.Equal("1m:5s", Wltls.Duration(65));
    }

    /// <summary>The algorithm as the original runs it: point by point, every learner on every point, greedy assignment inline.</summary>
    private static (float[][] Means, double[] TrainAccuracies, int[] CodewordOfClass) SequentialReference(Dataset train, WltlsOptions options)
    {
        var classes = train.Labels.Classes();
        var graph = TrellisGraph.Create(train.NumLabels, options.SliceWidth);
        var decoder = new LossBasedDecoder(graph, options.DecodingLoss, options.DecodingScale);
        var assignment = options.PathAssignment == PathAssignmentPolicy.Greedy
            ? PathAssignment.Unassigned(train.NumLabels)
            : PathAssignment.Random(train.NumLabels, Seeds.Derive(options.Seed, -1));
        var learners = Enumerable.Range(0, graph.NumEdges).Select(_ => new ScalarArow(train.NumFeatures)).ToArray();
        var margins = new float[graph.NumEdges];
        var accuracies = new double[options.Epochs];
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = Seeds.Permutation(classes.Length, Seeds.Derive(options.Seed, epoch));
            int correct = 0;
            foreach (int i in order)
            {
                var idx = train.Features.RowIndices(i);
                var val = train.Features.RowValues(i);
                for (int e = 0; e < learners.Length; e++) margins[e] = learners[e].Margin(idx, val);
                if (assignment.CodewordOf(classes[i]) < 0)
                    assignment.AssignGreedy(classes[i], decoder.DecodeTopK(margins, options.GreedyCandidates).Select(d => d.Codeword).ToArray());
                var bits = graph.Codeword(assignment.CodewordOf(classes[i]));
                for (int e = 0; e < learners.Length; e++) learners[e].Update(idx, val, bits[e], margins[e]);
                if (assignment.ClassOf(decoder.Decode(margins).Codeword) == classes[i]) correct++;
            }
            accuracies[epoch] = 100.0 * correct / classes.Length;
            if (epoch == 0) assignment.AssignRemaining();
        }
        return (learners.Select(l => l.Mean).ToArray(), accuracies, assignment.CodewordOfClass);
    }
}
