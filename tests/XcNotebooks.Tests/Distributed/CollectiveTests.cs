using XcNotebooks.Core;
using XcNotebooks.Distributed;
using Xunit;

namespace XcNotebooks.Tests.Distributed;

public class CollectiveTests
{
    [Fact]
    public void InProcessRanksSumBroadcastAndGatherLikeMpi()
    {
        var results = InProcessCollectives.Run(3, c =>
        {
            var f = new[] { c.Rank + 0.5f, 10f * c.Rank };
            c.AllreduceSum(f);
            var d = new[] { (double)c.Rank * c.Rank };
            c.AllreduceSum(d);
            var broadcast = c.Broadcast(c.Rank == 2 ? [7, 8, 9] : null, root: 2);
            var gathered = c.GatherAll([(byte)(c.Rank * 3), (byte)c.Rank], root: 1);
            c.Barrier();
            return (f, d, broadcast, gathered, c.Size);
        });
        for (int rank = 0; rank < 3; rank++)
        {
            var (f, d, broadcast, gathered, size) = results[rank];
            Assert.Equal(3, size);
            Assert.Equal([0.5f + 1.5f + 2.5f, 0 + 10 + 20], f); // sums by hand
            Assert.Equal([0 + 1 + 4.0], d);
            Assert.Equal([7, 8, 9], broadcast);
            if (rank == 1) Assert.Equal([[0, 0], [3, 1], [6, 2]], gathered); // rank order
            else Assert.Empty(gathered);
        }
    }

    [Fact]
    public void AFailingRankReleasesTheOthersAndIsNamed()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InProcessCollectives.Run(3, c =>
        {
            if (c.Rank == 2) throw new FormatException("bad shard");
            c.Barrier(); // ranks 0 and 1 would wait here forever without the cancellation
            return 0;
        }));
        Assert.Equal("rank 2 of 3 failed: bad shard", e.Message);
    }

    [Fact]
    public void SingleProcessIsRankZeroOfOneAndCollectivesAreTheIdentity()
    {
        var c = SingleProcessCollective.Instance;
        Assert.Equal((0, 1), (c.Rank, c.Size));
        var values = new[] { 1.5f, -2f };
        c.AllreduceSum(values);
        Assert.Equal([1.5f, -2f], values);
        Assert.Equal([[4, 2]], c.GatherAll([4, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Broadcast([1], root: 1));
        Assert.Throws<InvalidOperationException>(() => c.Abort(2));
    }

    [Fact]
    public void LaunchedRankReadsTheLaunchersEnvironment()
    {
        // The test host is not started by a launcher unless the whole suite runs under mpiexec or srun.
        bool launched = Environment.GetEnvironmentVariable("PMI_RANK") is not null;
        Assert.SkipWhen(launched, "the tests run under an MPI launcher");
        Assert.Equal((0, 1), Collectives.LaunchedRank());
        Assert.Same(SingleProcessCollective.Instance, Collectives.World());
    }
}
