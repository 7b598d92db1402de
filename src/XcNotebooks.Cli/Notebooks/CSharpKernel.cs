using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>
/// What C# cells and .csx scripts see besides their own code: <c>display(value)</c> (as in Polyglot Notebooks),
/// the script arguments <c>Args</c>, and values shared from other kernels.
/// </summary>
public sealed class ScriptGlobals
{
    private readonly Action<object?, string?> _display;

    internal ScriptGlobals(IReadOnlyList<string> args, Action<object?, string?> display)
    {
        Args = args;
        _display = display;
    }

    /// <summary>Arguments given after the script on the command line (<c>xcn run script.csx a b</c>).</summary>
    public IReadOnlyList<string> Args { get; }

    /// <summary>Values handed over by <c>#!share</c>, by variable name.</summary>
    public Dictionary<string, object?> SharedValues { get; } = new();

    /// <summary>Shows <paramref name="value"/> as a cell output, formatted by the registered formatters (HTML where there is one).</summary>
#pragma warning disable IDE1006 // the lower-case name is Polyglot's
    public void display(object? value) => _display(value, null);
#pragma warning restore IDE1006

    /// <summary>Shows a value with a kernel's own text form (F# Interactive's printing of F# values).</summary>
    internal void Display(object? value, string? plainText) => _display(value, plainText);
}

/// <summary>C# cells through Roslyn scripting: each cell continues the previous cell's state.</summary>
internal sealed class CSharpKernel(ScriptGlobals globals, string baseDirectory) : INotebookKernel
{
    // The usings the .NET Interactive C# kernel adds, and no more: what runs here runs in the kernel.
    private static readonly string[] DefaultImports =
        ["System", "System.Collections", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    private ScriptOptions _options = ScriptOptions.Default
        .WithReferences(KernelReferences.Instance.CSharp)
        .WithImports(DefaultImports)
        .WithOptimizationLevel(OptimizationLevel.Release)
        .WithSourceResolver(new SourceFileResolver([], baseDirectory))
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory));

    private ScriptState<object>? _state;

    public string Name => "csharp";

    public void AddReference(string assemblyPath)
    {
        // Library assemblies are referenced from the start.
        if (KernelReferences.Instance.ResolveLibraryFile(assemblyPath)?.Location != assemblyPath)
            _options = _options.AddReferences(MetadataReference.CreateFromFile(assemblyPath));
    }

    public KernelValue Run(string code, string cellName, CancellationToken cancellation)
    {
        var script = _state is null
            ? CSharpScript.Create(code, _options.WithFilePath(cellName), typeof(ScriptGlobals))
            : _state.Script.ContinueWith(code, _options.WithFilePath(cellName));
        var errors = script.Compile(cancellation).Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
            throw new CellCompilationException(errors.Select(d =>
            {
                var at = d.Location.GetLineSpan().StartLinePosition;
                return $"error {d.Id} at line {at.Line + 1}, column {at.Character + 1}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            }).ToArray());
        // The cell runs on this thread until its first await; the caller already runs it off the main flow.
        _state = (_state is null ? script.RunAsync(globals, cancellation) : script.RunFromAsync(_state, cancellation)).GetAwaiter().GetResult();
        return EndsWithValue(script.GetCompilation()) ? new KernelValue(true, _state.ReturnValue) : KernelValue.None;
    }

    /// <summary>True when the cell ends with an expression that has a value and no semicolon (Polyglot then shows it).</summary>
    private static bool EndsWithValue(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Single();
        if (tree.GetRoot() is not CompilationUnitSyntax { Members: [.., GlobalStatementSyntax { Statement: ExpressionStatementSyntax last }] }
            || !last.SemicolonToken.IsMissing) return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(last.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    public bool TryGetValue(string name, out object? value)
    {
        var variable = _state?.GetVariable(name);
        value = variable?.Value;
        return variable is not null;
    }

    public string Receive(string code, ShareRequest share, object? value)
    {
        globals.SharedValues[share.As] = value;
        return ReplaceLine(code, share.Line, $"var {share.As} = ({CSharpTypeName(value?.GetType())})SharedValues[\"{share.As}\"];");
    }

    private static string ReplaceLine(string code, int line, string text)
    {
        var lines = code.Split('\n');
        lines[line - 1] = text;
        return string.Join("\n", lines);
    }

    /// <summary>A C# spelling of <paramref name="type"/> (generic arguments, arrays, nested types); object when it is not public.</summary>
    internal static string CSharpTypeName(Type? type)
    {
        // Compiler-generated types (F# anonymous records, closures) have no C# spelling.
        if (type is null || !type.IsVisible || (type.FullName ?? type.Name).IndexOfAny(['<', '>', '@', '$']) >= 0) return "object";
        if (type.IsArray) return CSharpTypeName(type.GetElementType()) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsGenericParameter) return "object";
        var name = type.FullName ?? type.Name;
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition().FullName!;
            name = definition[..definition.IndexOf('`')];
            name += "<" + string.Join(", ", type.GetGenericArguments().Select(CSharpTypeName)) + ">";
        }
        return "global::" + name.Replace('+', '.');
    }

    public void Dispose() { }
}
