namespace XcNotebooks.Cli.Notebooks;

/// <summary>A language that runs cells with state shared from cell to cell (C# through Roslyn, F# through FSI).</summary>
internal interface INotebookKernel : IDisposable
{
    /// <summary>The kernel's name in notebook metadata ("csharp", "fsharp").</summary>
    string Name { get; }

    /// <summary>Makes an assembly available to this and later cells (nothing when it already is).</summary>
    void AddReference(string assemblyPath);

    /// <summary>Compiles and runs one cell; compile errors throw <see cref="CellCompilationException"/>, runtime errors propagate.</summary>
    KernelValue Run(string code, string cellName, CancellationToken cancellation);

    /// <summary>The current value of a top-level variable, for sharing with the other kernel.</summary>
    bool TryGetValue(string name, out object? value);

    /// <summary>Declares a value shared from the other kernel; returns the cell code to run (the share line may be rewritten).</summary>
    string Receive(string code, ShareRequest share, object? value);
}

/// <summary>The value of a cell's last expression, when the cell ends with one, and the kernel's own text form of it (null: the Formatter's).</summary>
internal sealed record KernelValue(bool HasValue, object? Value, string? PlainText = null)
{
    public static KernelValue None { get; } = new(false, null);
}

/// <summary>A cell that did not compile: one line per error, with line and column within the cell.</summary>
internal sealed class CellCompilationException(IReadOnlyList<string> errors) : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
