using System.Globalization;
using System.Text;

namespace XcNotebooks.Core;

/// <summary>
/// Progress as compact text lines, for outputs that cannot redraw (notebook cells, redirected consoles, logs): one
/// line per stage each time it crosses one of <see cref="Steps"/> equal steps, and when it completes; a stage that
/// starts over (the next epoch's pass, see <see cref="ProgressPhases"/>) prints its steps again, e.g.
/// "[train] ██████░░░░░░░░░░░░░░  30% 3/10 loss 0.412".
/// </summary>
public sealed class TextProgress : IProgress<ProgressUpdate>
{
    private readonly Action<string> _write;
    private readonly Dictionary<string, (int Run, int Step)> _lastStep = new();
    private readonly ProgressPhases _phases = new();
    private readonly Lock _lock = new();

    /// <summary>Writes lines to <paramref name="write"/>; <paramref name="steps"/> lines at most per stage (plus its start).</summary>
    public TextProgress(Action<string> write, int steps = 10, int barWidth = 20)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}");
        if (barWidth < 0) throw new ArgumentException($"barWidth must be non-negative, got {barWidth}");
        _write = write;
        Steps = steps;
        BarWidth = barWidth;
    }

    /// <summary>How many lines a stage prints between 0 and 100 percent.</summary>
    public int Steps { get; }

    /// <summary>Width of the bar in characters (0: no bar).</summary>
    public int BarWidth { get; }

    /// <summary>Prints a line when the stage enters a new step (0, 1/Steps, ..., 1) of its current run.</summary>
    public void Report(ProgressUpdate value)
    {
        int step = (int)Math.Floor(value.Fraction * Steps);
        lock (_lock)
        {
            int run = _phases.Update(value).Run;
            if (_lastStep.TryGetValue(value.Stage, out var last) && last.Run == run && step <= last.Step) return;
            _lastStep[value.Stage] = (run, step);
        }
        _write(Format(value, BarWidth));
    }

    /// <summary>The line for one update: stage, bar, percent, done/total and message.</summary>
    public static string Format(ProgressUpdate value, int barWidth = 20)
    {
        var sb = new StringBuilder();
        sb.Append('[').Append(value.Stage).Append("] ");
        if (barWidth > 0)
        {
            int filled = (int)Math.Round(value.Fraction * barWidth);
            sb.Append('█', filled).Append('░', barWidth - filled).Append(' ');
        }
        sb.Append((value.Fraction * 100).ToString("0", CultureInfo.InvariantCulture).PadLeft(3)).Append("% ");
        sb.Append(value.Done.ToString(CultureInfo.InvariantCulture)).Append('/').Append(value.Total.ToString(CultureInfo.InvariantCulture));
        if (value.Message is not null) sb.Append(' ').Append(value.Message);
        return sb.ToString();
    }
}
