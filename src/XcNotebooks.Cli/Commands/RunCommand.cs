using System.CommandLine;
using XcNotebooks.Cli.Notebooks;
using XcNotebooks.Plotting;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// <c>xcn run FILE.ipynb|FILE.csx|FILE.fsx [ARGS...] [--fast] [--out PATH | --in-place] [--timeout-per-cell S] [--plotly inline|cdn]</c>:
/// executes a notebook or script headless, prints each cell's text output, optionally writes the executed notebook.
/// Exit code 0 when every cell ran, 1 when a cell failed (the message names the cell), 2 for bad input.
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
            Description = "how chart outputs get plotly.js: inline (offline, once per notebook) or cdn",
            DefaultValueFactory = _ => "inline",
        };
        plotly.AcceptOnlyFromAmong("inline", "cdn");
        var quiet = new Option<bool>("--quiet") { Description = "print only the summary line" };
        var command = new Command("run", "execute a notebook or script headless (C# and F# cells), writing outputs back like nbconvert --execute")
        {
            file, scriptArgs, fast, output, inPlace, timeout, plotly, quiet,
        };
        command.SetAction(args =>
        {
            var seconds = args.GetValue(timeout);
            if (seconds is <= 0) throw new ArgumentException($"--timeout-per-cell must be positive, got {seconds}");
            bool silent = args.GetValue(quiet);
            var options = new NotebookRunOptions
            {
                Fast = args.GetValue(fast),
                OutputPath = args.GetValue(output),
                InPlace = args.GetValue(inPlace),
                CellTimeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                PlotlyJs = args.GetValue(plotly) == "cdn" ? PlotlyJsMode.Cdn : PlotlyJsMode.Inline,
                Args = args.GetValue(scriptArgs) ?? [],
                CellFinished = silent ? null : PrintCell,
            };
            var path = args.GetValue(file)!;
            var result = NotebookRunner.RunAsync(path, options).GetAwaiter().GetResult();
            if (!result.Succeeded)
            {
                Console.Error.WriteLine($"{path}: {result.Error}");
                return 1;
            }
            Console.WriteLine($"{path}: {result.Cells.Count} cells ran in {result.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return command;
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
