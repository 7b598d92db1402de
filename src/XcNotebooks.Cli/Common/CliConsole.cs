using Spectre.Console;

namespace XcNotebooks.Cli.Common;

/// <summary>
/// A Spectre console bound to the current Console.Out (so in-process callers that redirect the output see it), wide
/// enough for metric tables when the output is not a terminal.
/// </summary>
public static class CliConsole
{
    /// <summary>A console writing to the current standard output.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }
}
