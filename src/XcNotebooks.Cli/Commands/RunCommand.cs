using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Notebooks;
using XcNotebooks.Notebooks;
using XcNotebooks.Plotting;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// <c>xcn run FILE.ipynb|FILE.csx|FILE.fsx [ARGS...] [--fast] [--out PATH | --in-place] [--timeout-per-cell S] [--plotly inline|cdn]</c>:
/// a notebook runs in the real .NET Interactive kernel through Jupyter (every cell, errors listed at the end), a C#
/// script in-process with Roslyn scripting (the kernel's usings only), an F# script with <c>dotnet fsi</c>.
/// Exit code 0 when everything ran, 1 when a cell or the script failed, 2 for bad input.
/// </summary>
public sealed class RunCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build()
    {
        var file = new Argument<string>("file") { Description = "notebook (.ipynb) or script (.csx, .fsx) to execute" };
        var scriptArgs = new Argument<string[]>("args") { Description = "arguments for the script (Args)", Arity = ArgumentArity.ZeroOrMore };
        var fast = new Option<bool>("--fast") { Description = "fast mode: sets XCN_FAST=1 so notebooks use small data and few epochs" };
        var output = new Option<string?>("--out") { Description = "write the executed notebook (with outputs) here" };
        var inPlace = new Option<bool>("--in-place") { Description = "write the executed notebook over the source" };
        var timeout = new Option<double?>("--timeout-per-cell") { Description = "stop when a cell runs longer than this many seconds" };
        var plotly = new Option<string>("--plotly")
        {
            Description = "C# scripts: how chart outputs get plotly.js, inline (offline, once) or cdn",
            DefaultValueFactory = _ => "inline",
        };
        plotly.AcceptOnlyFromAmong("inline", "cdn");
        var quiet = new Option<bool>("--quiet") { Description = "print only the summary line" };
        var command = new Command("run", "execute a notebook (in the .NET Interactive kernel, through Jupyter) or a C#/F# script headless")
        {
            file, scriptArgs, fast, output, inPlace, timeout, plotly, quiet,
        };
        command.SetAction(args =>
        {
            var seconds = args.GetValue(timeout);
            if (seconds is <= 0) throw new ArgumentException($"--timeout-per-cell must be positive, got {seconds}");
            var path = args.GetValue(file)!;
            var extension = Path.GetExtension(path).ToLowerInvariant();
            bool writes = args.GetValue(inPlace) || args.GetValue(output) is not null;
            if (args.GetValue(inPlace) && args.GetValue(output) is not null) throw new ArgumentException("give either --out or --in-place, not both");
            if (writes && extension != ".ipynb") throw new ArgumentException($"{path} is a script: only notebooks can be written with outputs");
            return extension switch
            {
                ".ipynb" => RunNotebook(path, args.GetValue(fast), args.GetValue(inPlace) ? path : args.GetValue(output), seconds),
                ".fsx" => RunFSharpScript(path, args.GetValue(scriptArgs) ?? [], args.GetValue(fast)),
                ".csx" => RunCSharpScript(path, new NotebookRunOptions
                {
                    Fast = args.GetValue(fast),
                    CellTimeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                    PlotlyJs = args.GetValue(plotly) == "cdn" ? PlotlyJsMode.Cdn : PlotlyJsMode.Inline,
                    Args = args.GetValue(scriptArgs) ?? [],
                    CellFinished = args.GetValue(quiet) ? null : PrintCell,
                }),
                _ => throw new ArgumentException($"{path}: expected a notebook (.ipynb) or a script (.csx, .fsx)"),
            };
        });
        return command;
    }

    private static int RunNotebook(string path, bool fast, string? outputPath, double? cellSeconds)
    {
        var result = JupyterRunner.Run(path, fast, outputPath, cellSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        foreach (var error in result.Errors) Console.Error.WriteLine($"{path}: {error}");
        if (!result.Succeeded) return 1;
        Console.WriteLine($"{path}: ran in the .NET Interactive kernel in {result.Elapsed.TotalSeconds:F1} s, no error output");
        return 0;
    }

    private static int RunCSharpScript(string path, NotebookRunOptions options)
    {
        var result = NotebookRunner.RunAsync(path, options).GetAwaiter().GetResult();
        if (!result.Succeeded)
        {
            Console.Error.WriteLine($"{path}: {result.Error}");
            return 1;
        }
        Console.WriteLine($"{path}: {result.Cells.Count} cells ran in {result.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    // F# scripts run in the SDK's own F# Interactive, as a user would run them; its output goes straight to the console.
    private static int RunFSharpScript(string path, IReadOnlyList<string> scriptArgs, bool fast)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(path))! };
        foreach (var arg in new[] { "fsi", "--quiet", Path.GetFullPath(path) }.Concat(scriptArgs)) start.ArgumentList.Add(arg);
        if (fast) start.Environment[NotebookEnv.FastVariable] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet fsi");
        process.WaitForExit();
        if (process.ExitCode != 0) Console.Error.WriteLine($"{path}: dotnet fsi exited with code {process.ExitCode}");
        return process.ExitCode == 0 ? 0 : 1;
    }

    private static void PrintCell(ExecutedCell cell)
    {
        Console.WriteLine($"── cell {cell.Number} [{cell.Kernel}] {cell.Elapsed.TotalSeconds:F1} s");
        foreach (var output in cell.Outputs)
        {
            var text = output is ErrorOutput e ? string.Join("\n", e.Traceback.Prepend($"{e.Name}: {e.Message}").Distinct()) : output.PlainText;
            if (text.Length > 0) Console.WriteLine(text.TrimEnd('\n'));
        }
    }
}
