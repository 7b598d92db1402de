using System.Reflection;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Common;

/// <summary>The exit codes of `xcn` (documented in `xcn --help` and the README).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Bad input: a data or model file is malformed, damaged or missing, or an option value does not fit the data.</summary>
    public const int BadInput = 2;

    /// <summary>Usage: an unknown option, a missing argument, an option value the parser or the options record rejects (sysexits EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>Internal error: a bug of the kit (sysexits EX_SOFTWARE); rerun with --verbose and report it.</summary>
    public const int Internal = 70;

    /// <summary>I/O: an output cannot be written, or the disk failed (sysexits EX_IOERR).</summary>
    public const int InputOutput = 74;
}

/// <summary>Turns exceptions into the one error line on standard error and the exit code.</summary>
public static class CliErrors
{
    /// <summary>The exit-code table shown by `xcn --help`.</summary>
    public const string ExitCodesHelp =
        "Exit codes: 0 success; 2 bad input (a data or model file malformed, damaged or missing, a value that does not fit the data: "
        + "the one error line names the file and line); 64 usage (unknown option, missing argument, an invalid option value); 74 I/O (an output "
        + "cannot be written; a trained model is then saved to a fallback path the message names); 70 internal error "
        + "(rerun with --verbose for the stack trace). Errors are one line on standard error.";

    /// <summary>The exit code an exception maps to.</summary>
    public static int ExitCodeOf(Exception e) => Unwrap(e) switch
    {
        DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException => ExitCodes.BadInput,
        IOException or UnauthorizedAccessException => ExitCodes.InputOutput,
        _ => ExitCodes.Internal,
    };

    /// <summary>
    /// Prints the one error line of <paramref name="e"/> (and with <paramref name="verbose"/> its stack trace); returns
    /// the exit code. <paramref name="origin"/> goes before the message (which rank of a distributed job failed).
    /// </summary>
    public static int Report(Exception e, bool verbose, string origin = "")
    {
        var error = Unwrap(e);
        int code = ExitCodeOf(error);
        Print(origin + (code == ExitCodes.Internal
            ? $"internal error: {error.GetType().Name}: {error.Message}{(verbose ? "" : " (rerun with --verbose for the stack trace)")}"
            : error.Message));
        if (verbose) Console.Error.WriteLine(error.ToString());
        return code;
    }

    /// <summary>
    /// Writes "error: MESSAGE" as one line of plain text (no console markup, so '[' in a message is harmless; line
    /// breaks inside the message become spaces).
    /// </summary>
    public static void Print(string message)
    {
        var oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine($"error: {oneLine}");
    }

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException or AggregateException && e.InnerException is not null ? Unwrap(e.InnerException) : e;
}
