using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Common;

/// <summary>
/// Runs work under a Spectre.Console progress display: each progress phase (stage) is one live bar that starts
/// over with the next epoch's pass (<see cref="ProgressPhases"/>), with the elapsed and remaining time of its current
/// run; log lines are printed above the bars. When output is redirected, bars fall back to plain lines.
/// </summary>
public static class ConsoleMonitor
{
    /// <summary>Runs <paramref name="work"/> with a monitor wired to the console.</summary>
    public static T Run<T>(Func<TrainingMonitor, T> work)
    {
        if (Console.IsOutputRedirected)
        {
            // Redirected output cannot redraw bars: one line per stage at 0, 25, 50, 75 and 100 percent.
            var plain = new TrainingMonitor { Log = Console.WriteLine, Progress = new TextProgress(Console.WriteLine, steps: 4, barWidth: 0) };
            return work(plain);
        }
        T result = default!;
        var phases = new ProgressPhases();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new PhaseTimeColumn(phases, remaining: false), new PhaseTimeColumn(phases, remaining: true))
            .Start(ctx =>
            {
                var bars = new BarProgress(ctx, phases);
                var monitor = new TrainingMonitor { Log = line => AnsiConsole.WriteLine(line), Progress = bars };
                result = work(monitor);
                bars.CompleteAll();
            });
        return result;
    }

    /// <summary>One Spectre task per phase, fed from <see cref="ProgressPhases"/>; the task's tag is its stage.</summary>
    private sealed class BarProgress(ProgressContext ctx, ProgressPhases phases) : IProgress<ProgressUpdate>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new();
        private readonly Lock _lock = new();

        public void Report(ProgressUpdate value)
        {
            lock (_lock)
            {
                var phase = phases.Update(value);
                if (!_tasks.TryGetValue(value.Stage, out var task))
                    _tasks[value.Stage] = task = ctx.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(1, value.Total));
                task.Tag = value.Stage;
                task.MaxValue = Math.Max(1, phase.Total);
                task.Value = phase.Done;
                task.Description = Markup.Escape(phase.Message is null ? phase.Stage : $"{phase.Stage}: {phase.Message}");
            }
        }

        public void CompleteAll()
        {
            lock (_lock) foreach (var t in _tasks.Values) t.Value = t.MaxValue;
        }
    }

    /// <summary>The elapsed (or remaining) time of a bar's current run, frozen once the run finished.</summary>
    private sealed class PhaseTimeColumn(ProgressPhases phases, bool remaining) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.Tag is not string stage) return new Spectre.Console.Text("--:--:--");
            var phase = phases[stage];
            var now = phases.Now;
            var time = remaining ? phase.Remaining(now) : phase.Elapsed(now);
            return time is { } t
                ? new Spectre.Console.Text(((int)t.TotalHours).ToString("00", CultureInfo.InvariantCulture) + t.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture), remaining ? Color.Blue : Color.Yellow)
                : new Spectre.Console.Text("--:--:--");
        }
    }
}
