using Spectre.Console;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Common;

/// <summary>
/// Runs work under a Spectre.Console progress display: each progress stage becomes a bar, log lines are printed
/// above the bars. When output is redirected, bars fall back to plain lines.
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
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var bars = new BarProgress(ctx);
                var monitor = new TrainingMonitor { Log = line => AnsiConsole.WriteLine(line), Progress = bars };
                result = work(monitor);
                bars.CompleteAll();
            });
        return result;
    }

    private sealed class BarProgress(ProgressContext ctx) : IProgress<ProgressUpdate>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new();
        private readonly Lock _lock = new();

        public void Report(ProgressUpdate value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Stage, out var task))
                    _tasks[value.Stage] = task = ctx.AddTask(Markup.Escape(value.Stage), maxValue: Math.Max(1, value.Total));
                task.MaxValue = Math.Max(1, value.Total);
                task.Value = value.Done;
                if (value.Message is not null) task.Description = Markup.Escape($"{value.Stage}: {value.Message}");
            }
        }

        public void CompleteAll()
        {
            lock (_lock) foreach (var t in _tasks.Values) t.Value = t.MaxValue;
        }
    }
}
