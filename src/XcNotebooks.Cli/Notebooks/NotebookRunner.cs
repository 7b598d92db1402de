using System.Diagnostics;
using XcNotebooks.Notebooks;
using XcNotebooks.Plotting;
using XcNotebooks.Core;
using XcNotebooks.Reports;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>How <see cref="NotebookRunner"/> runs a notebook or script.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>Fast mode: sets XCN_FAST=1 for the run so notebooks shrink data and epochs (<see cref="NotebookEnv.Fast"/>).</summary>
    public bool Fast { get; init; }

    /// <summary>Write the executed notebook here (the source stays untouched).</summary>
    public string? OutputPath { get; init; }

    /// <summary>Write the executed notebook over the source.</summary>
    public bool InPlace { get; init; }

    /// <summary>Stop a cell that runs longer than this (null: no limit).</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>How chart outputs get plotly.js: inlined once (works offline) or from the CDN.</summary>
    public PlotlyJsMode PlotlyJs { get; init; } = PlotlyJsMode.Inline;

    /// <summary>Arguments for the script (<c>Args</c> in C#, <c>Args</c> in F#).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Called after each executed cell (the CLI prints its outputs).</summary>
    public Action<ExecutedCell>? CellFinished { get; init; }
}

/// <summary>One executed cell: its number in the notebook, kernel, execution count, outputs and time taken.</summary>
public sealed record ExecutedCell(int Number, string Kernel, int ExecutionCount, IReadOnlyList<CellOutput> Outputs, TimeSpan Elapsed)
{
    /// <summary>The error that stopped the cell, if any.</summary>
    public ErrorOutput? Error => Outputs.OfType<ErrorOutput>().FirstOrDefault();
}

/// <summary>The outcome of a run: executed cells, the failure (if any) and the executed notebook's JSON.</summary>
public sealed record NotebookRunResult(string Path, IReadOnlyList<ExecutedCell> Cells, string? Error, string? NotebookJson, TimeSpan Elapsed)
{
    /// <summary>True when every cell ran without error.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The number of the cell that failed, or null.</summary>
    public int? FailedCell => Cells.FirstOrDefault(c => c.Error is not null)?.Number;
}

/// <summary>
/// The in-process C# runner behind <c>xcn run SCRIPT.csx</c>: executes a script, or a C# notebook's code cells, in
/// order through Roslyn scripting (HTML cells as they are; F# cells are refused: notebooks run in the real kernel
/// through <see cref="JupyterRunner"/>, F# scripts in dotnet fsi) with state shared from cell to cell, displays values through <see cref="XcFormatters"/>, and writes outputs back into the .ipynb like
/// <c>jupyter nbconvert --execute</c>. The first failing cell stops the run with "cell N: error"; its error output is
/// stored in the notebook.
/// </summary>
public static class NotebookRunner
{
    // A run changes process-wide state (working directory, XCN_FAST): runs in one process take turns.
    private static readonly SemaphoreSlim OneRunAtATime = new(1, 1);

    /// <summary>Runs the notebook or script at <paramref name="path"/>.</summary>
    public static async Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new NotebookRunOptions();
        if (options.InPlace && options.OutputPath is not null) throw new ArgumentException("give either an output path or in-place, not both");
        var document = NotebookDocument.Load(path);
        if (!document.IsNotebook && (options.InPlace || options.OutputPath is not null))
            throw new ArgumentException($"{path} is a script: only notebooks can be written with outputs");
        await OneRunAtATime.WaitAsync(cancellation);
        var previousDirectory = Environment.CurrentDirectory;
        var previousFast = Environment.GetEnvironmentVariable(NotebookEnv.FastVariable);
        try
        {
            Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (options.Fast) Environment.SetEnvironmentVariable(NotebookEnv.FastVariable, "1");
            CellConsoleWriter.Install();
            XcFormatters.Register();
            using var display = DisplayDocument.Begin(options.PlotlyJs);
            using var session = new NotebookSession(document, options);
            var result = await session.RunAsync(cancellation);
            if (document.IsNotebook && (options.InPlace || options.OutputPath is not null))
                InputFile.WriteTextAtomic(options.InPlace ? path : options.OutputPath!, w => w.Write(result.NotebookJson));
            return result;
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            Environment.SetEnvironmentVariable(NotebookEnv.FastVariable, previousFast);
            OneRunAtATime.Release();
        }
    }

    /// <summary>One run: the kernels (created on first use) and the cells executed so far.</summary>
    private sealed class NotebookSession(NotebookDocument document, NotebookRunOptions options) : IDisposable
    {
        private readonly Dictionary<string, INotebookKernel> _kernels = new();
        private readonly List<ExecutedCell> _cells = [];
        private ScriptGlobals? _globals;
        private CellCapture? _current;
        private int _executionCount;

        public async Task<NotebookRunResult> RunAsync(CancellationToken cancellation)
        {
            var total = Stopwatch.StartNew();
            _globals = new ScriptGlobals(options.Args, (value, plainText) =>
                (_current ?? throw new InvalidOperationException("display() outside a running cell")).Display(value, plainText));
            string? error = null;
            foreach (var cell in document.Cells.Where(c => c.CellType == "code" && c.Source.Trim().Length > 0))
            {
                var executed = await RunCellAsync(cell, cancellation);
                _cells.Add(executed);
                document.SetOutputs(cell.Number, executed.ExecutionCount, executed.Outputs);
                options.CellFinished?.Invoke(executed);
                if (executed.Error is { } failure)
                {
                    error = $"cell {cell.Number}: {failure.Name}: {failure.Message}";
                    break;
                }
            }
            return new NotebookRunResult(document.Path, _cells, error, document.IsNotebook ? document.ToJson() : null, total.Elapsed);
        }

        private async Task<ExecutedCell> RunCellAsync(SourceCell cell, CancellationToken cancellation)
        {
            var clock = Stopwatch.StartNew();
            int count = ++_executionCount;
            var capture = new CellCapture();
            string kernelName = cell.Kernel ?? document.DefaultKernel;
            try
            {
                var directives = CellDirectives.Parse(cell.Source, kernelName);
                kernelName = directives.Kernel;
                if (kernelName == "html")
                {
                    capture.Add(new DisplayDataOutput(new Dictionary<string, string> { ["text/html"] = directives.Code.Trim('\n') }));
                }
                else
                {
                    var value = await ExecuteAsync(cell, directives, capture, cancellation);
                    if (value.HasValue) capture.Add(new ExecuteResultOutput(CellCapture.Bundle(value.Value, value.PlainText), count));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                capture.Add(ToError(e));
            }
            return new ExecutedCell(cell.Number, kernelName, count, capture.Outputs(), clock.Elapsed);
        }

        private async Task<KernelValue> ExecuteAsync(SourceCell cell, CellDirectives directives, CellCapture capture, CancellationToken cancellation)
        {
            var kernel = Kernel(directives.Kernel);
            foreach (var (id, _) in directives.Packages) kernel.AddReference(KernelReferences.Instance.ResolvePackage(id).Location);
            foreach (var file in directives.AssemblyFiles)
            {
                var full = KernelReferences.Instance.ResolveLibraryFile(file)?.Location ?? Path.GetFullPath(file);
                if (!File.Exists(full)) throw new FileNotFoundException($"#r \"{file}\": no such assembly ({full})", full);
                kernel.AddReference(full);
            }
            var code = directives.Code;
            foreach (var share in directives.Shares)
            {
                if (!_kernels.TryGetValue(share.FromKernel, out var source) || source == kernel)
                    throw new ArgumentException($"line {share.Line}: #!share --from {share.FromKernel}: that kernel has not run a cell in this notebook");
                if (!source.TryGetValue(share.Name, out var shared))
                    throw new ArgumentException($"line {share.Line}: the {share.FromKernel} kernel has no variable '{share.Name}'");
                code = kernel.Receive(code, share, shared);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var task = Task.Run(() =>
            {
                _current = capture;
                CellConsoleWriter.Current = capture;
                return kernel.Run(code, $"cell{cell.Number}.{(kernel.Name == "fsharp" ? "fsx" : "csx")}", timeout.Token);
            }, CancellationToken.None);
            try
            {
                return options.CellTimeout is { } limit ? await task.WaitAsync(limit, cancellation) : await task.WaitAsync(cancellation);
            }
            catch (TimeoutException)
            {
                // The kernels cannot abort running code; the cell is abandoned and the run stops here.
                timeout.Cancel();
                throw new TimeoutException($"the cell ran longer than the limit of {options.CellTimeout!.Value.TotalSeconds:0.###} s");
            }
        }

        private INotebookKernel Kernel(string name)
        {
            if (_kernels.TryGetValue(name, out var kernel)) return kernel;
            kernel = name switch
            {
                "csharp" => new CSharpKernel(_globals!, Environment.CurrentDirectory),
                "fsharp" => throw new ArgumentException("F# cells run in the .NET Interactive kernel (xcn run NOTEBOOK.ipynb) or in dotnet fsi (xcn run SCRIPT.fsx), not in the C# script runner"),
                _ => throw new ArgumentException($"kernel '{name}' is not supported by the C# script runner (csharp, html)"),
            };
            _kernels[name] = kernel;
            return kernel;
        }

        private static ErrorOutput ToError(Exception e)
        {
            if (e is CellCompilationException c) return new ErrorOutput("CompilationError", c.Message, c.Errors);
            // Runner frames below the cell's own are noise to a notebook reader.
            var trace = e.ToString().Split('\n').Select(l => l.TrimEnd('\r'))
                .TakeWhile(l => !l.Contains("XcNotebooks.Cli.Notebooks.", StringComparison.Ordinal) && !l.Contains("Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal))
                .ToArray();
            return new ErrorOutput(e.GetType().Name, e.Message, trace);
        }

        public void Dispose()
        {
            foreach (var kernel in _kernels.Values) kernel.Dispose();
        }
    }
}
