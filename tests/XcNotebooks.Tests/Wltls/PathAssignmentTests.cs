using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class PathAssignmentTests
{
    [Fact]
    public void RandomAssignmentIsASeededPermutation()
    {
        var a = PathAssignment.Random(50, 9);
        Assert.True(a.IsComplete);
        Assert.Equal(Enumerable.Range(0, 50), a.CodewordOfClass.Order());
        Assert.Equal(a.CodewordOfClass, PathAssignment.Random(50, 9).CodewordOfClass);
        Assert.NotEqual(a.CodewordOfClass, PathAssignment.Random(50, 10).CodewordOfClass);
        for (int c = 0; c < 50; c++) Assert.Equal(c, a.ClassOf(a.CodewordOf(c)));
    }

    [Fact]
    public void FixedAssignmentKeepsThePermutationAndClassOrderIsItsInverse()
    {
        int[] codewordOfClass = [2, 0, 3, 1];
        var a = PathAssignment.Fixed(codewordOfClass);
        Assert.Equal(codewordOfClass, a.CodewordOfClass);
        Assert.Equal([1, 3, 0, 2], a.ClassOfCodeword);
        // The original's format lists the class of each codeword.
        Assert.Equal(codewordOfClass, PathAssignment.FromClassOrder([1, 3, 0, 2]).CodewordOfClass);
        Assert.Throws<ArgumentException>(() => PathAssignment.Fixed([0, 0, 1, 2]));
        Assert.Throws<ArgumentException>(() => PathAssignment.Fixed([0, 1, 4, 2]));
    }

    [Fact]
    public void GreedyTakesTheFirstFreeCandidateThenTheLowestFreeCodeword()
    {
        var a = PathAssignment.Unassigned(5);
        Assert.False(a.IsComplete);
        Assert.Equal(3, a.AssignGreedy(1, [3, 0]));
        Assert.Equal(0, a.AssignGreedy(4, [3, 0, 2]));     // 3 is taken
        Assert.Equal(1, a.AssignGreedy(2, [3, 0]));        // all candidates taken: lowest free codeword
        Assert.Throws<InvalidOperationException>(() => a.AssignGreedy(1, [4]));
        // Remaining classes 0 and 3 take free codewords 2 and 4, the highest class first (as the original pops them).
        Assert.Equal(2, a.AssignRemaining());
        Assert.Equal(2, a.CodewordOf(3));
        Assert.Equal(4, a.CodewordOf(0));
        Assert.True(a.IsComplete);
        Assert.Equal(0, a.AssignRemaining());
    }

    [Fact]
    public void DerivedSeedsAreStableAndDistinct()
    {
        // Deterministic (no HashCode randomisation), non-negative, and different streams get different seeds.
        Assert.Equal(Seeds.Derive(1337, 4), Seeds.Derive(1337, 4));
        var seeds = Enumerable.Range(0, 1000).Select(s => Seeds.Derive(7, s)).ToHashSet();
        Assert.Equal(1000, seeds.Count);
        Assert.All(seeds, s => Assert.True(s >= 0));
        Assert.Equal(Enumerable.Range(0, 20), Seeds.Permutation(20, 3).Order());
    }
}
