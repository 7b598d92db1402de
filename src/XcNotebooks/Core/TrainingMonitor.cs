namespace XcNotebooks.Core;

/// <summary>Where a long step stands: <paramref name="Done"/> of <paramref name="Total"/> units of <paramref name="Stage"/>.</summary>
public sealed record ProgressUpdate(string Stage, long Done, long Total, string? Message = null)
{
    /// <summary>Completed share in [0, 1].</summary>
    public double Fraction => Total <= 0 ? 0 : Math.Clamp((double)Done / Total, 0, 1);
}

/// <summary>
/// How a training or prediction run talks back: a progress sink (CLI progress bars, notebook bars), a log for the
/// original implementations' log lines, and cancellation. Every member is optional; <see cref="Silent"/> says nothing.
/// </summary>
public sealed record TrainingMonitor
{
    /// <summary>Receives progress of long steps.</summary>
    public IProgress<ProgressUpdate>? Progress { get; init; }

    /// <summary>Receives log lines (the same lines the original code prints).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Stops a run between steps.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>A monitor that reports nothing.</summary>
    public static TrainingMonitor Silent { get; } = new();

    /// <summary>A monitor that writes log lines to the console (handy in scripts).</summary>
    public static TrainingMonitor Console { get; } = new() { Log = System.Console.WriteLine };

    /// <summary>Writes a log line if anyone listens.</summary>
    public void Write(string line) => Log?.Invoke(line);

    /// <summary>Reports progress if anyone listens, and honours cancellation.</summary>
    public void Report(string stage, long done, long total, string? message = null)
    {
        Cancellation.ThrowIfCancellationRequested();
        Progress?.Report(new ProgressUpdate(stage, done, total, message));
    }
}
