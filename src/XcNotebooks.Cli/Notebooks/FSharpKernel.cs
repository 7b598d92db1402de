using System.Reflection;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Microsoft.FSharp.Reflection;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>
/// F# cells through an in-process F# Interactive session (FSharp.Compiler.Service), started on the first F# cell
/// (about 3 s). The session references the XcNotebooks assembly this process loaded, so F# and C# cells share types;
/// <c>display</c> and <c>Args</c> are defined as in C# cells.
/// </summary>
internal sealed class FSharpKernel : INotebookKernel
{
    private readonly Shell.FsiEvaluationSession _session;
    private readonly StringWriter _fsiOutput = new();
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);

    public FSharpKernel(ScriptGlobals globals)
    {
        // Only XcNotebooks itself: F# Interactive finds its dependencies beside it, and every -r costs start-up
        // time (#r "nuget: X" adds X when a cell asks, as in Polyglot).
        var library = typeof(XcNotebooks.Data.Dataset).Assembly.Location;
        _referenced.Add(library);
        var argv = new[] { "fsi.exe", "--noninteractive", "--nologo", "--gui-", "--usesdkrefs-", "-r:" + library };
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        _session = Shell.FsiEvaluationSession.Create(config, argv, TextReader.Null, _fsiOutput, _fsiOutput, null, null);
        // Bound as an F# function value (obj -> unit): F# upcasts arguments to obj, and no setup code needs compiling.
        _session.AddBoundValue("display", FuncConvert.FromAction<object?>(value => globals.Display(value, PlainText(value))));
        _session.AddBoundValue("Args", globals.Args.ToArray());
    }

    public string Name => "fsharp";

    public void AddReference(string assemblyPath)
    {
        if (_referenced.Add(assemblyPath))
            Run($"#r @\"{assemblyPath.Replace("\"", "\"\"")}\"", "xcn-references.fsx", CancellationToken.None);
    }

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
        return new KernelValue(true, value.Value.ReflectionValue, PlainText(value.Value.ReflectionValue));
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

    /// <summary>
    /// F# values (lists, options, tuples, records, unions) print as F# Interactive prints them ("[1; 2]"); other
    /// values, and F# types that have a registered plain-text formatter (Plotly.NET's charts, an F# union), keep the
    /// Formatter's text (null).
    /// </summary>
    private string? PlainText(object? value)
    {
        if (value is null) return null;
        var type = value.GetType();
        bool fsharp = type.Assembly == typeof(FSharpList<>).Assembly || FSharpType.IsTuple(type) || FSharpType.IsRecord(type, null) || FSharpType.IsUnion(type, null);
        return fsharp && !HasPlainTextFormatter(type) ? _session.FormatValue(value, type) : null;
    }

    private static bool HasPlainTextFormatter(Type type) =>
        Formatter.RegisteredFormatters(false).Any(f => f.MimeType == "text/plain" && f.Type != typeof(object) && f.Type.IsAssignableFrom(type));

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : e;

    public void Dispose() => ((IDisposable)_session).Dispose();
}
