using XcNotebooks.Core;

namespace XcNotebooks.Notebooks;

/// <summary>
/// Progress for notebooks: outputs cannot redraw, so progress comes as a few compact text lines per stage
/// (<see cref="TextProgress"/>) and log lines go to the cell's output.
/// </summary>
public static class NotebookProgress
{
    /// <summary>
    /// A monitor printing <paramref name="steps"/> progress lines per stage and every log line (unless
    /// <paramref name="log"/> is false) to the console, which the notebook shows as the cell's output.
    /// </summary>
    public static TrainingMonitor Monitor(int steps = 10, bool log = true) => new()
    {
        Progress = new TextProgress(line => Console.WriteLine(line), steps),
        Log = log ? line => Console.WriteLine(line) : null,
    };
}
