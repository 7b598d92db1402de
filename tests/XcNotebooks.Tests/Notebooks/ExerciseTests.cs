using Xunit;
using XcNotebooks.Notebooks;

namespace XcNotebooks.Tests.Notebooks;

public class ExerciseTests
{
    [Fact]
    public void CheckCloseAcceptsWithinToleranceAndRejectsOutsideOrNaN()
    {
        Assert.True(Exercise.CheckClose("Exercise 1", 0.5001, 0.5, 1e-3).Correct);
        Assert.False(Exercise.CheckClose("Exercise 1", 0.51, 0.5, 1e-3).Correct);
        Assert.False(Exercise.CheckClose("Exercise 1", double.NaN, 0.5, 1e-3).Correct);
    }

    [Fact]
    public void CheckEqualComparesInOrderAndTheLineSaysSo()
    {
        var right = Exercise.CheckEqual("Exercise 2", new[] { 3, 1, 2 }, new[] { 3, 1, 2 });
        var wrong = Exercise.CheckEqual("Exercise 2", new[] { 1, 2, 3 }, new[] { 3, 1, 2 });
        Assert.Equal("✅ Exercise 2: correct", right.ToString());
        Assert.Equal("❌ Exercise 2: not yet: your answer is [1, 2, 3]", wrong.ToString());
        Assert.Contains("#cf222e", wrong.ToHtml());
        Assert.False(Exercise.CheckEqual<int>("Exercise 2", null, new[] { 1 }).Correct);
    }
}
