using System.Diagnostics;

namespace XcNotebooks.Core;

/// <summary>
/// The state of one phase (a progress stage) in its current run: <see cref="Run"/> counts the times it started over
/// (1 for the first epoch's pass, 2 for the second, ...); <see cref="Finished"/> is set when done reached total.
/// </summary>
public sealed record ProgressPhase(string Stage, int Run, long Done, long Total, string? Message, TimeSpan Started, TimeSpan? Finished)
{
    /// <summary>Completed share of this run in [0, 1].</summary>
    public double Fraction => Total <= 0 ? 0 : Math.Clamp((double)Done / Total, 0, 1);

    /// <summary>Time since this run started, frozen when it finished (a done bar does not keep counting).</summary>
    public TimeSpan Elapsed(TimeSpan now) => (Finished ?? now) - Started;

    /// <summary>Time left at this run's average rate so far; null before any progress or after it finished.</summary>
    public TimeSpan? Remaining(TimeSpan now) =>
        Finished is not null || Done <= 0 || Total <= Done ? null : Elapsed(now) * ((double)(Total - Done) / Done);
}

/// <summary>
/// Turns a stream of <see cref="ProgressUpdate"/>s into one live bar per phase (stage name): a phase starts over when
/// its done count goes back (the next epoch's pass of the same loop), so a loop of 20 epochs is one bar that restarts,
/// not 20 bars; the elapsed time runs from the start of the current run to its finish. Thread-safe. The clock is
/// injectable so that tests can replay events without timing anything.
/// </summary>
public sealed class ProgressPhases
{
    private readonly Func<TimeSpan> _clock;
    private readonly Dictionary<string, ProgressPhase> _phases = new();
    private readonly List<string> _order = new();
    private readonly Lock _lock = new();

    /// <summary>A tracker reading <paramref name="clock"/> (default: a stopwatch started now).</summary>
    public ProgressPhases(Func<TimeSpan>? clock = null)
    {
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed;
        }
        _clock = clock;
    }

    /// <summary>The clock's current reading.</summary>
    public TimeSpan Now => _clock();

    /// <summary>The phases in the order they first appeared, as they stand.</summary>
    public IReadOnlyList<ProgressPhase> Phases
    {
        get { lock (_lock) return _order.Select(s => _phases[s]).ToArray(); }
    }

    /// <summary>The phase of <paramref name="stage"/> as it stands.</summary>
    public ProgressPhase this[string stage]
    {
        get { lock (_lock) return _phases[stage]; }
    }

    /// <summary>Applies one update and returns its phase after it.</summary>
    public ProgressPhase Update(ProgressUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var now = _clock();
        lock (_lock)
        {
            if (!_phases.TryGetValue(update.Stage, out var phase))
            {
                _order.Add(update.Stage);
                phase = new ProgressPhase(update.Stage, 1, 0, update.Total, update.Message, now, null);
            }
            else if (update.Done < phase.Done)
                phase = new ProgressPhase(update.Stage, phase.Run + 1, 0, update.Total, update.Message, now, null);
            bool finishes = phase.Finished is null && update.Total > 0 && update.Done >= update.Total;
            phase = phase with
            {
                Done = update.Done, Total = update.Total, Message = update.Message ?? phase.Message,
                Finished = finishes ? now : phase.Finished,
            };
            _phases[update.Stage] = phase;
            return phase;
        }
    }
}
