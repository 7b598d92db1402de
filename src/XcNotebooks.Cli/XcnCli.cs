using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data;

namespace XcNotebooks.Cli;

/// <summary>A subcommand of `xcn`; every implementation in this assembly is registered automatically.</summary>
public interface ICliCommand
{
    /// <summary>Builds the System.CommandLine command.</summary>
    Command Build();
}

/// <summary>The `xcn` root command: finds every <see cref="ICliCommand"/> and runs the one asked for.</summary>
public static class XcnCli
{
    /// <summary>The root command with every subcommand, sorted by name.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("xcn: extreme classification kit (W-LTLS, DSNC, NeuralXC, HierarchicalXC, DEXA, DEXML)");
        var commands = typeof(XcnCli).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var c in commands) root.Add(c);
        return root;
    }

    /// <summary>Parses and runs; bad input ends with a one-line error and exit code 2, not a stack trace.</summary>
    public static int Run(string[] args)
    {
        try
        {
            return BuildRoot().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is DataFormatException or FileNotFoundException or ArgumentException or InvalidOperationException or DirectoryNotFoundException)
        {
            // Standard error, bound at the time of the call: scripts can separate it, in-process callers capture it.
            CliConsole.CreateError().MarkupLineInterpolated($"[red]error:[/] {Unwrap(e).Message}");
            return 2;
        }
    }

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException or AggregateException && e.InnerException is not null ? Unwrap(e.InnerException) : e;
}
