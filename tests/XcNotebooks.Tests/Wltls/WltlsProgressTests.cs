using XcNotebooks.Core;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Tests.CoreTests;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsProgressTests
{
    [Fact]
    public void An_epoch_over_several_banks_counts_each_point_once()
    {
        // Three banks learn every point: the bar's total is the 5,000 points, not 15,000, and it never goes back.
        var data = SyntheticData.MultiClass(6, 50, 5000, 0, 10, seed: 4);
        var learner = new BinaryLearnerOptions();
        var banks = new[] { learner.CreateBank(50, 8), learner.CreateBank(50, 8), learner.CreateBank(50, 4) };
        var order = Enumerable.Range(0, data.Train.NumPoints).ToArray();
        var progress = new RecordedProgress();
        OnlineLinearTraining.RunEpoch(banks, data.Train.Features, order, 0, (i, first, labels) => labels.Fill(1),
            monitor: new TrainingMonitor { Progress = progress }, stage: "edges", message: "epoch 1/1");
        var updates = progress.Updates;
        Assert.All(updates, u => Assert.Equal((5000L, "epoch 1/1"), (u.Total, u.Message)));
        Assert.Equal(0, updates[0].Done);
        Assert.Equal(5000, updates[^1].Done);
        Assert.True(updates.Zip(updates.Skip(1)).All(p => p.First.Done < p.Second.Done), "done must grow with every update");
    }

    [Fact]
    public void Training_epochs_are_one_phase_that_restarts_each_epoch()
    {
        var data = SyntheticData.MultiClass(12, 40, 300, 0, 10, seed: 6);
        var progress = new RecordedProgress();
        Wltls.Train(data.Train, null, new WltlsOptions { SliceWidth = 3, Epochs = 3 }, new TrainingMonitor { Progress = progress });
        var training = progress.Updates.Where(u => u.Stage == Wltls.TrainStage).ToList();
        var phases = new ProgressPhases(() => TimeSpan.Zero);
        foreach (var u in progress.Updates) phases.Update(u);
        Assert.DoesNotContain(phases.Phases, p => p.Stage.Contains("epoch", StringComparison.OrdinalIgnoreCase));
        var phase = phases[Wltls.TrainStage];
        Assert.Equal((3, 300L, 300L, "epoch 3/3"), (phase.Run, phase.Done, phase.Total, phase.Message));
        Assert.Equal(["epoch 1/3", "epoch 2/3", "epoch 3/3"], training.Where(u => u.Done == u.Total).Select(u => u.Message));
    }
}
