using System.CommandLine;
using System.CommandLine.Invocation;
using XcNotebooks.Cli.Common;
using XcNotebooks.Distributed;

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
    /// <summary>--verbose: print the stack trace after an error's one line.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "after an error, also print its stack trace", Recursive = true };

    /// <summary>The root command with every subcommand, sorted by name.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("xcn: extreme classification kit (W-LTLS, DSNC, NeuralXC, HierarchicalXC, DEXA, DEXML)\n\n" + CliErrors.ExitCodesHelp);
        root.Options.Add(Verbose);
        var commands = typeof(XcnCli).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => ((ICliCommand)Activator.CreateInstance(t)!).Build())
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var c in commands) root.Add(c);
        return root;
    }

    /// <summary>
    /// Parses and runs. Every failure ends in one line on standard error ("error: FILE[:LINE]: problem") and a
    /// documented exit code (<see cref="ExitCodes"/>); the stack trace follows only with --verbose.
    /// </summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool verbose = args.Contains("--verbose");
        // Under mpiexec or srun only rank 0 prints progress and results; every rank still reports its errors.
        if (Collectives.LaunchedRank().Rank > 0) Console.SetOut(TextWriter.Null);
        try
        {
            var parsed = BuildRoot().Parse(args);
            if (parsed.Errors.Count > 0 && parsed.Action is ParseErrorAction)
            {
                var command = parsed.CommandResult.Command;
                var help = command == parsed.RootCommandResult.Command ? "xcn --help" : $"xcn {command.Name} --help";
                CliErrors.Print($"{string.Join("; ", parsed.Errors.Select(e => e.Message))} (see {help})");
                return ExitCodes.Usage;
            }
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            var (rank, size) = Collectives.ProcessGroup;
            if (size == 1) return CliErrors.Report(e, verbose);
            // The other ranks would wait forever in their next collective: end the whole job, and no rank writes a model.
            int code = CliErrors.Report(e, verbose, $"rank {rank} of {size}: ");
            MpiCollective.World.Abort(code);
            return code;
        }
    }
}
