using XcNotebooks.Data;
using XcNotebooks.Learners;
using Xunit;

namespace XcNotebooks.Tests.Learners;

public class BinaryLearnerTests
{
    [Fact]
    public void ArowMatchesAHandWorkedUpdate()
    {
        var arow = new ArowLearner(3);
        // x = (1, 0, 2), y = +1, margin 0: v = 1 + 4 = 5, beta = 1/6, alpha = 1/6.
        Assert.True(arow.Update([0, 2], [1f, 2f], 1, 0f));
        Assert.Equal([1 / 6f, 0f, 2 / 6f], arow.Mean(), Tolerance);
        Assert.Equal([5 / 6f, 1f, 1 / 3f], arow.Covariance(), Tolerance);
        // x = (0, 0, 1), y = -1: margin 1/3, v = 1/3, beta = 3/4, alpha = (1 + 1/3) * 3/4 = 1.
        float margin = arow.Margin([2], [1f]);
        Assert.Equal(1 / 3f, margin, 6);
        Assert.True(arow.Update([2], [1f], -1, margin));
        Assert.Equal([1 / 6f, 0f, 0f], arow.Mean(), Tolerance);
        Assert.Equal([5 / 6f, 1f, 0.25f], arow.Covariance(), Tolerance);
        // A confident correct margin (y m > 1) leaves everything alone.
        Assert.False(arow.Update([0], [1f], 1, 1.5f));
        Assert.Equal([1 / 6f, 0f, 0f], arow.Mean(), Tolerance);
    }

    [Fact]
    public void AveragedPerceptronMatchesAHandWorkedSequence()
    {
        var p = new AveragedPerceptronLearner(2);
        p.Update([0], [1f], 1, p.Margin([0], [1f]));      // c=2: w=(1,0),   u=(2,0)
        p.Update([1], [2f], -1, p.Margin([1], [2f]));     // c=3: w=(1,-2),  u=(2,-6)
        p.Update([0], [1f], 1, p.Margin([0], [1f]));      // c=4: margin 1 <= 1: w=(2,-2), u=(6,-6)
        p.Update([0], [0.5f], 1, p.Margin([0], [0.5f]));  // c=5: margin 1 <= 1: w=(2.5,-2), u=(8.5,-6)
        Assert.False(p.Update([0], [1f], 1, p.Margin([0], [1f]))); // c=6: margin 2.5 > 1, no update
        Assert.Equal([2.5f, -2f], p.CurrentWeights(), Tolerance);
        var average = new float[2];
        p.CopyWeightsTo(average);
        Assert.Equal([2.5f - 8.5f / 6, -2f + 6f / 6], average, Tolerance);
    }

    [Fact]
    public void FusedLearnStepEqualsMarginThenUpdate()
    {
        var rng = new Random(1);
        var fused = new ArowLearner(30);
        var separate = new ArowLearner(30);
        for (int t = 0; t < 200; t++)
        {
            var idx = Enumerable.Range(0, 30).Where(_ => rng.Next(4) == 0).ToArray();
            var val = idx.Select(_ => (float)rng.NextDouble()).ToArray();
            int y = rng.Next(2) * 2 - 1;
            float m = separate.Margin(idx, val);
            separate.Update(idx, val, y, m);
            Assert.Equal(m, ((IBinaryLinearLearner)fused).Learn(idx, val, y));
        }
        Assert.Equal(separate.Mean(), fused.Mean());
        Assert.Equal(separate.Covariance(), fused.Covariance());
    }

    [Fact]
    public void ParallelEpochEqualsTheSequentialLoop()
    {
        var data = SyntheticData.MultiClass(6, 40, 20, 0, 0, seed: 2).Train;
        int n = data.NumPoints, learners = 7;
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        sbyte Target(int learner, int point) => (sbyte)(((data.Labels.LabelsOf(point)[0] + learner) % 3 == 0) ? 1 : -1);
        var parallel = Enumerable.Range(0, learners).Select(_ => (IBinaryLinearLearner)new ArowLearner(40)).ToArray();
        var margins = new float[learners * n];
        OnlineLinearTraining.RunEpoch(parallel, data.Features, order, 0, (l, targets) =>
        {
            for (int t = 0; t < n; t++) targets[t] = Target(l, order[t]);
        }, margins);
        var sequential = Enumerable.Range(0, learners).Select(_ => new ArowLearner(40)).ToArray();
        for (int t = 0; t < n; t++)
        {
            int i = order[t];
            for (int l = 0; l < learners; l++)
            {
                float m = sequential[l].Margin(data.Features.RowIndices(i), data.Features.RowValues(i));
                Assert.Equal(m, margins[l * n + t]);
                sequential[l].Update(data.Features.RowIndices(i), data.Features.RowValues(i), Target(l, i), m);
            }
        }
        var stacked = OnlineLinearTraining.StackWeights(parallel, 40);
        for (int l = 0; l < learners; l++)
        {
            var mean = sequential[l].Mean();
            for (int j = 0; j < 40; j++) Assert.Equal(mean[j], stacked[j, l]);
        }
    }

    [Fact]
    public void LearnerOptionsParseTheOriginalNames()
    {
        Assert.Equal(BinaryLearnerKind.Arow, BinaryLearnerOptions.ParseKind("AROW"));
        Assert.Equal(BinaryLearnerKind.AveragedPerceptron, BinaryLearnerOptions.ParseKind("perceptron"));
        Assert.Throws<ArgumentException>(() => BinaryLearnerOptions.ParseKind("svm"));
        Assert.Throws<ArgumentException>(() => new BinaryLearnerOptions { ArowR = 0 }.Validate());
        Assert.IsType<AveragedPerceptronLearner>(new BinaryLearnerOptions { Kind = BinaryLearnerKind.AveragedPerceptron }.Create(5));
    }

    private static readonly IEqualityComparer<float> Tolerance = new ToleranceComparer();

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= 1e-6f;
        public int GetHashCode(float value) => 0;
    }
}
