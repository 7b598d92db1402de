using XcNotebooks.Learners;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Learners;

public class BinaryLearnerTests
{
    [Fact]
    public void ArowMatchesAHandWorkedUpdateInEveryLane()
    {
        // Lane 0 and lane 1 see the same points with opposite labels.
        var arow = new ArowBank(3, 2);
        var margins = new float[2];
        // x = (1, 0, 2), margin 0: v = 1 + 4 = 5, beta = 1/6, alpha = 1/6.
        arow.Learn([0, 2], [1f, 2f], [1, -1], margins);
        Assert.Equal([0f, 0f], margins);
        Assert.Equal(new[] { 1 / 6f, 0f, 2 / 6f }, arow.WeightsOf(0), Tolerance);
        Assert.Equal(new[] { -1 / 6f, 0f, -2 / 6f }, arow.WeightsOf(1), Tolerance);
        Assert.Equal(new[] { 5 / 6f, 1f, 1 / 3f }, arow.CovarianceOf(0), Tolerance);
        // x = (0, 0, 1) against the lane's label: margin -1/3 after the sign, v = 1/3, beta = 3/4, alpha = (1 + 1/3) * 3/4 = 1.
        arow.Learn([2], [1f], [-1, 1], margins);
        Assert.Equal(new[] { 1 / 3f, -1 / 3f }, margins, Tolerance);
        Assert.Equal(new[] { 1 / 6f, 0f, 0f }, arow.WeightsOf(0), Tolerance);
        Assert.Equal(new[] { -1 / 6f, 0f, 0f }, arow.WeightsOf(1), Tolerance);
        Assert.Equal(new[] { 5 / 6f, 1f, 0.25f }, arow.CovarianceOf(1), Tolerance);
        // A confident correct margin (y m > 1) leaves a lane alone while the other lane updates.
        arow.Update([0], [1f], [1, 1], [1.5f, 0f]);
        Assert.Equal(new[] { 1 / 6f, 0f, 0f }, arow.WeightsOf(0), Tolerance);
        Assert.NotEqual(-1 / 6f, arow.WeightsOf(1)[0]);
    }

    [Fact]
    public void AveragedPerceptronMatchesAHandWorkedSequence()
    {
        var p = new AveragedPerceptronBank(2, 1);
        var m = new float[1];
        p.Learn([0], [1f], [1], m);      // c=2: w=(1,0),   u=(2,0)
        p.Learn([1], [2f], [-1], m);     // c=3: w=(1,-2),  u=(2,-6)
        p.Learn([0], [1f], [1], m);      // c=4: margin 1 <= 1: w=(2,-2), u=(6,-6)
        p.Learn([0], [0.5f], [1], m);    // c=5: margin 1 <= 1: w=(2.5,-2), u=(8.5,-6)
        p.Learn([0], [1f], [1], m);      // c=6: margin 2.5 > 1: no update
        Assert.Equal(2.5f, m[0]);
        Assert.Equal(6, p.Counter);
        Assert.Equal(new[] { 2.5f, -2f }, p.CurrentWeightsOf(0), Tolerance);
        Assert.Equal(new[] { 2.5f - 8.5f / 6, -2f + 6f / 6 }, p.WeightsOf(0), Tolerance);
    }

    [Fact]
    public void WideBanksEqualScalarLearnersBitForBit()
    {
        // 21 lanes: whole SIMD vectors and a scalar tail on any machine.
        var rng = new Random(1);
        const int width = 21, dimension = 30;
        var bank = new ArowBank(dimension, width);
        var reference = Enumerable.Range(0, width).Select(_ => new ScalarArow(dimension)).ToArray();
        var margins = new float[width];
        var labels = new sbyte[width];
        for (int t = 0; t < 300; t++)
        {
            var idx = Enumerable.Range(0, dimension).Where(_ => rng.Next(4) == 0).ToArray();
            var val = idx.Select(_ => (float)rng.NextDouble()).ToArray();
            for (int l = 0; l < width; l++) labels[l] = (sbyte)(rng.Next(2) * 2 - 1);
            bank.Learn(idx, val, labels, margins);
            for (int l = 0; l < width; l++)
            {
                float m = reference[l].Margin(idx, val);
                Assert.Equal(m, margins[l]);
                reference[l].Update(idx, val, labels[l], m);
            }
        }
        for (int l = 0; l < width; l++)
        {
            Assert.Equal(reference[l].Mean, bank.WeightsOf(l));
            Assert.Equal(reference[l].Covariance, bank.CovarianceOf(l));
        }
    }

    [Fact]
    public void ParallelEpochEqualsTheSequentialLoop()
    {
        var data = SyntheticData.MultiClass(6, 40, 120, 0, 10, seed: 2).Train;
        int n = data.NumPoints, d = data.NumFeatures;
        const int learners = 27;
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        sbyte Target(int learner, int point) => (sbyte)((data.Labels.LabelsOf(point)[0] + learner) % 3 == 0 ? 1 : -1);
        var banks = OnlineLinearTraining.CreateBanks(new BinaryLearnerOptions(), d, learners);
        Assert.Equal(learners, banks.Sum(b => b.Width));
        var margins = new RowMajorMatrix(n, learners);
        OnlineLinearTraining.RunEpoch(banks, data.Features, order, 0, (i, first, labels) =>
        {
            for (int l = 0; l < labels.Length; l++) labels[l] = Target(first + l, i);
        }, margins);
        var sequential = Enumerable.Range(0, learners).Select(_ => new ScalarArow(d)).ToArray();
        for (int t = 0; t < n; t++)
        {
            int i = order[t];
            for (int l = 0; l < learners; l++)
            {
                float m = sequential[l].Margin(data.Features.RowIndices(i), data.Features.RowValues(i));
                Assert.Equal(m, margins[t, l]);
                sequential[l].Update(data.Features.RowIndices(i), data.Features.RowValues(i), Target(l, i), m);
            }
        }
        var stacked = OnlineLinearTraining.StackWeights(banks);
        for (int l = 0; l < learners; l++)
            for (int j = 0; j < d; j++) Assert.Equal(sequential[l].Mean[j], stacked[j, l]);
    }

    [Fact]
    public void StackingWhileReleasingTheBanksGivesTheStackedWeights()
    {
        var data = SyntheticData.MultiClass(5, 40, 120, 0, 0, seed: 3).Train;
        var banks = new LinearLearnerBank[] { new ArowBank(40, 9), new ArowBank(40, 3), new ArowBank(40, 16) };
        var order = Enumerable.Range(0, data.NumPoints).ToArray();
        OnlineLinearTraining.RunEpoch(banks, data.Features, order, 0, (i, first, labels) =>
        {
            for (int l = 0; l < labels.Length; l++) labels[l] = (sbyte)((i + first + l) % 3 == 0 ? 1 : -1);
        });
        var expected = OnlineLinearTraining.StackWeights(banks);
        Assert.Equal(28, expected.Cols);
        var released = OnlineLinearTraining.StackWeightsReleasing(banks);
        Assert.Equal(expected.Data, released.Data);
        Assert.All(banks, b => Assert.Null(b));
        Assert.Throws<ArgumentException>(() => OnlineLinearTraining.StackWeightsReleasing(banks));
    }

    [Theory]
    [InlineData(BinaryLearnerKind.Arow)]
    [InlineData(BinaryLearnerKind.AveragedPerceptron)]
    public void ABankOnADroppedBanksArrayLearnsAsAFreshBank(BinaryLearnerKind kind)
    {
        var data = SyntheticData.MultiClass(5, 40, 120, 0, 0, seed: 3).Train;
        var options = new BinaryLearnerOptions { Kind = kind };
        var order = Enumerable.Range(0, data.NumPoints).ToArray();
        PointLabels labelsOf = (i, first, labels) =>
        {
            for (int l = 0; l < labels.Length; l++) labels[l] = (sbyte)((i + first + l) % 3 == 0 ? 1 : -1);
        };
        var used = OnlineLinearTraining.CreateBanks(options, 40, 24);
        OnlineLinearTraining.RunEpoch(used, data.Features, order, 0, labelsOf);
        // Narrower banks on the used ones' arrays (the state of their training must not leak in), and fresh ones.
        var reused = OnlineLinearTraining.CreateBanks(options, 40, 13, used);
        var fresh = OnlineLinearTraining.CreateBanks(options, 40, 13);
        for (int b = 0; b < reused.Length; b++) Assert.Same(used[b].Storage, reused[b].Storage);
        OnlineLinearTraining.RunEpoch(reused, data.Features, order, 0, labelsOf);
        OnlineLinearTraining.RunEpoch(fresh, data.Features, order, 0, labelsOf);
        Assert.Equal(OnlineLinearTraining.StackWeights(fresh).Data, OnlineLinearTraining.StackWeights(reused).Data);
        // A bank wider than the array it is offered gets its own.
        var wider = options.CreateBank(40, 64, used[0].Storage);
        Assert.NotSame(used[0].Storage, wider.Storage);
    }

    [Fact]
    public void LearnerOptionsParseTheOriginalNames()
    {
        Assert.Equal(BinaryLearnerKind.Arow, BinaryLearnerOptions.ParseKind("AROW"));
        Assert.Equal(BinaryLearnerKind.AveragedPerceptron, BinaryLearnerOptions.ParseKind("perceptron"));
        Assert.Throws<ArgumentException>(() => BinaryLearnerOptions.ParseKind("rbf-svm"));
        Assert.Equal(BinaryLearnerKind.SvmL2LossDual, BinaryLearnerOptions.ParseKind("svm"));
        Assert.Equal(BinaryLearnerKind.SvmL1LossDual, BinaryLearnerOptions.ParseKind("s3"));
        Assert.Equal(BinaryLearnerKind.LogisticDual, BinaryLearnerOptions.ParseKind("logistic"));
        Assert.Throws<ArgumentException>(() => new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }.CreateBank(5, 3));
        Assert.Throws<ArgumentException>(() => new BinaryLearnerOptions { ArowR = 0 }.Validate());
        Assert.IsType<AveragedPerceptronBank>(new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron }.CreateBank(5, 3));
        Assert.Throws<ArgumentException>(() => new ArowBank(5, 2).Margins([0], [1f], new float[3]));
    }

    private static readonly IEqualityComparer<float> Tolerance = new ToleranceComparer();

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= 1e-6f;
        public int GetHashCode(float value) => 0;
    }
}
