using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

public class TextProgressTests
{
    [Fact]
    public void PrintsOneLinePerStepAndStage()
    {
        var lines = new List<string>();
        var progress = new TextProgress(lines.Add, steps: 4, barWidth: 0);

        for (int done = 0; done <= 10; done++) progress.Report(new ProgressUpdate("train", done, 10));
        progress.Report(new ProgressUpdate("test", 1, 2, "half"));

        // Steps of a quarter: 0/10 (step 0), 3/10 (1.2), 5/10 (2), 8/10 (3.2), 10/10 (4).
        Assert.Equal(["[train]   0% 0/10", "[train]  30% 3/10", "[train]  50% 5/10", "[train]  80% 8/10", "[train] 100% 10/10", "[test]  50% 1/2 half"], lines);
    }

    [Fact]
    public void BarShowsTheDoneShare()
    {
        Assert.Equal("[fit] ███░░░░░░░  30% 3/10 loss 0.5", TextProgress.Format(new ProgressUpdate("fit", 3, 10, "loss 0.5"), barWidth: 10));
        Assert.Throws<ArgumentException>(() => new TextProgress(_ => { }, steps: 0));
    }
}
