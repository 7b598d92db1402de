using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.CoreTests;

/// <summary>A progress sink that keeps every update, in the order reported (synchronously, unlike Progress&lt;T&gt;).</summary>
internal sealed class RecordedProgress : IProgress<ProgressUpdate>
{
    private readonly Lock _lock = new();

    public List<ProgressUpdate> Updates { get; } = new();

    public void Report(ProgressUpdate value)
    {
        lock (_lock) Updates.Add(value);
    }
}

public class ProgressPhasesTests
{
    [Fact]
    public void An_epoch_loop_is_one_phase_that_starts_over_and_its_elapsed_time_stops_at_the_end_of_each_run()
    {
        var now = TimeSpan.Zero;
        var phases = new ProgressPhases(() => now);
        // Epoch 1 runs from 1.0 s to 4.6 s (3.6 s); the run ends later, at 10 s, after epoch 2 (5 s to 7 s).
        now = TimeSpan.FromSeconds(1.0);
        phases.Update(new ProgressUpdate("train", 0, 100, "epoch 1/2"));
        now = TimeSpan.FromSeconds(2.8);
        phases.Update(new ProgressUpdate("train", 50, 100));
        now = TimeSpan.FromSeconds(4.6);
        var first = phases.Update(new ProgressUpdate("train", 100, 100));
        now = TimeSpan.FromSeconds(4.9);
        Assert.Equal(TimeSpan.FromSeconds(3.6), phases["train"].Elapsed(now));
        Assert.Equal(TimeSpan.FromSeconds(4.6), first.Finished);
        Assert.Null(first.Remaining(now));
        Assert.Equal("epoch 1/2", first.Message);

        now = TimeSpan.FromSeconds(5.0);
        var second = phases.Update(new ProgressUpdate("train", 0, 100, "epoch 2/2"));
        Assert.Equal((2, 0L, (TimeSpan?)null), (second.Run, second.Done, second.Finished));
        now = TimeSpan.FromSeconds(6.0);
        var half = phases.Update(new ProgressUpdate("train", 25, 100));
        Assert.Equal(TimeSpan.FromSeconds(1), half.Elapsed(now));
        Assert.Equal(TimeSpan.FromSeconds(3), half.Remaining(now)); // 25 points in 1 s: 75 more take 3 s
        now = TimeSpan.FromSeconds(7.0);
        phases.Update(new ProgressUpdate("train", 100, 100));
        now = TimeSpan.FromSeconds(10.0);
        Assert.Equal(TimeSpan.FromSeconds(2), phases["train"].Elapsed(now));
        Assert.Equal(["train"], phases.Phases.Select(p => p.Stage));
    }

    [Fact]
    public void Stages_are_separate_phases_and_repeated_totals_do_not_restart()
    {
        var phases = new ProgressPhases(() => TimeSpan.Zero);
        phases.Update(new ProgressUpdate("read", 10, 10));
        phases.Update(new ProgressUpdate("read", 10, 10));
        phases.Update(new ProgressUpdate("train", 3, 10));
        Assert.Equal([("read", 1), ("train", 1)], phases.Phases.Select(p => (p.Stage, p.Run)));
    }

    [Fact]
    public void Text_progress_prints_each_run_of_a_phase()
    {
        var lines = new List<string>();
        var text = new TextProgress(lines.Add, steps: 2, barWidth: 0);
        foreach (int epoch in new[] { 1, 2 })
            foreach (int done in new[] { 0, 30, 50, 80, 100 })
                text.Report(new ProgressUpdate("train", done, 100, $"epoch {epoch}/2"));
        Assert.Equal([
            "[train]   0% 0/100 epoch 1/2", "[train]  50% 50/100 epoch 1/2", "[train] 100% 100/100 epoch 1/2",
            "[train]   0% 0/100 epoch 2/2", "[train]  50% 50/100 epoch 2/2", "[train] 100% 100/100 epoch 2/2"], lines);
    }
}
