using System.Reflection;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.FSharp.Core;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>
/// F# cells through an in-process F# Interactive session (FSharp.Compiler.Service), started on the first F# cell
/// (about 3 s). The session references the library assemblies this process loaded, so F# and C# cells share types;
/// <c>display</c> and <c>Args</c> are defined as in C# cells.
/// </summary>
internal sealed class FSharpKernel : INotebookKernel
{
    private readonly Shell.FsiEvaluationSession _session;
    private readonly StringWriter _fsiOutput = new();

    public FSharpKernel(ScriptGlobals globals)
    {
        var argv = new List<string> { "fsi.exe", "--noninteractive", "--nologo", "--gui-", "--usesdkrefs-", "--optimize+" };
        argv.AddRange(KernelReferences.Instance.Library.Select(a => "-r:" + a.Location));
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        _session = Shell.FsiEvaluationSession.Create(config, argv.ToArray(), TextReader.Null, _fsiOutput, _fsiOutput, null, null);
        _session.AddBoundValue("__xcnDisplay", (Action<object?>)globals.display);
        _session.AddBoundValue("Args", globals.Args.ToArray());
        Run("let display (value: obj) : unit = __xcnDisplay.Invoke value", "xcn-setup.fsx", CancellationToken.None);
    }

    public string Name => "fsharp";

    public void AddReference(string assemblyPath) =>
        Run($"#r @\"{assemblyPath.Replace("\"", "\"\"")}\"", "xcn-references.fsx", CancellationToken.None);

    public KernelValue Run(string code, string cellName, CancellationToken cancellation)
    {
        var (result, diagnostics) = _session.EvalInteractionNonThrowing(code, cellName, FSharpOption<CancellationToken>.Some(cancellation));
        var errors = diagnostics.Where(d => d.Severity.IsError).ToArray();
        if (errors.Length > 0)
            throw new CellCompilationException(errors.Select(d =>
                $"error {d.ErrorNumberText} at line {d.StartLine}, column {d.StartColumn + 1}: {d.Message}").ToArray());
        if (result is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 failure)
            throw Unwrap(failure.Item);
        var value = ((FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2)result).Item;
        // Statements end in unit (printfn, ignore): Polyglot shows nothing for them.
        if (value is null || value.Value.ReflectionType == typeof(Unit)) return KernelValue.None;
        return new KernelValue(true, value.Value.ReflectionValue);
    }

    public bool TryGetValue(string name, out object? value)
    {
        var bound = _session.TryFindBoundValue(name);
        value = bound?.Value.Value.ReflectionValue;
        return bound is not null;
    }

    public string Receive(string code, ShareRequest share, object? value)
    {
        if (value is null) throw new ArgumentException($"line {share.Line}: '{share.Name}' is null; F# cannot bind a shared null");
        _session.AddBoundValue(share.As, value);
        return code;
    }

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : e;

    public void Dispose() => ((IDisposable)_session).Dispose();
}
