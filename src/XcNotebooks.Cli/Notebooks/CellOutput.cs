namespace XcNotebooks.Cli.Notebooks;

/// <summary>One output of an executed cell, as Jupyter stores it (nbformat 4 output types).</summary>
public abstract record CellOutput
{
    private protected CellOutput() { }

    /// <summary>The text a console shows for this output.</summary>
    public abstract string PlainText { get; }
}

/// <summary>Text the cell wrote to the console ("stdout" or "stderr").</summary>
public sealed record StreamOutput(string Name, string Text) : CellOutput
{
    /// <inheritdoc />
    public override string PlainText => Text;
}

/// <summary>A value shown with <c>display(...)</c>: its mime bundle ("text/plain", "text/html", ...).</summary>
public sealed record DisplayDataOutput(IReadOnlyDictionary<string, string> Data) : CellOutput
{
    /// <inheritdoc />
    public override string PlainText => Data.TryGetValue("text/plain", out var t) ? t : "";
}

/// <summary>The value of the cell's last expression, numbered like the cell.</summary>
public sealed record ExecuteResultOutput(IReadOnlyDictionary<string, string> Data, int ExecutionCount) : CellOutput
{
    /// <inheritdoc />
    public override string PlainText => Data.TryGetValue("text/plain", out var t) ? t : "";
}

/// <summary>The error that stopped the cell: exception (or error) name, message and traceback lines.</summary>
public sealed record ErrorOutput(string Name, string Message, IReadOnlyList<string> Traceback) : CellOutput
{
    /// <inheritdoc />
    public override string PlainText => $"{Name}: {Message}";
}
