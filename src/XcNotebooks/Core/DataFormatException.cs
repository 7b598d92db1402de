namespace XcNotebooks.Core;

/// <summary>
/// Bad input: names the file, the 1-based line (0 when the problem is not tied to a line) and what is wrong,
/// so a user can open the file at the right place.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long line, string problem, Exception? inner = null)
        : base(Format(file, line, Bounded(problem)), inner)
    {
        File = file;
        Line = line;
        Problem = Bounded(problem);
    }

    /// <summary>The longest problem text kept: a message that quotes hostile input stays one readable line.</summary>
    public const int MaxProblemChars = 500;

    /// <summary>The problem on one line (line breaks of quoted input become spaces), cut after <see cref="MaxProblemChars"/>.</summary>
    private static string Bounded(string problem)
    {
        var oneLine = problem.ReplaceLineEndings(" ");
        return oneLine.Length <= MaxProblemChars ? oneLine : string.Concat(oneLine.AsSpan(0, MaxProblemChars), "…");
    }

    /// <summary>The file that holds the bad input.</summary>
    public string File { get; }

    /// <summary>1-based line number, or 0 when the problem concerns the whole file.</summary>
    public long Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Format(string file, long line, string problem) =>
        line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}";
}
