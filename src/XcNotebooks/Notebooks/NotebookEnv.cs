namespace XcNotebooks.Notebooks;

/// <summary>
/// What a notebook or script learns from the environment it runs in. <c>xcn run --fast</c> sets
/// <see cref="FastVariable"/> so notebooks shrink data and epochs (CI executes every notebook that way).
/// </summary>
public static class NotebookEnv
{
    /// <summary>The environment variable that turns fast mode on ("1" or "true").</summary>
    public const string FastVariable = "XCN_FAST";

    /// <summary>True in fast mode: use small data and few epochs.</summary>
    public static bool Fast =>
        Environment.GetEnvironmentVariable(FastVariable) is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary><paramref name="fast"/> in fast mode, <paramref name="full"/> otherwise: <c>int epochs = NotebookEnv.Pick(full: 30, fast: 2);</c>.</summary>
    public static T Pick<T>(T full, T fast) => Fast ? fast : full;
}
