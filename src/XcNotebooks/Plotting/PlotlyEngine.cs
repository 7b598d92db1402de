using System.Reflection;
using System.Runtime.Loader;

namespace XcNotebooks.Plotting;

/// <summary>
/// The kit's chart engine (XcNotebooks.Plotly.dll, the only code that uses Plotly.NET), loaded once into a private
/// <see cref="AssemblyLoadContext"/> from the folder <see cref="FolderName"/> beside XcNotebooks.dll. Plotly.NET
/// needs FSharp.Core 10.1, while the .NET Interactive kernel holds FSharp.Core 10.0 in its default context: in the
/// private context Plotly.NET gets its own FSharp.Core and the kernel never sees it. Only BCL data crosses.
/// </summary>
internal static class PlotlyEngine
{
    /// <summary>The private folder, beside XcNotebooks.dll in build outputs and in the package's lib folder.</summary>
    public const string FolderName = "plotly";

    private const string EngineAssembly = "XcNotebooks.Plotly";
    private const string EngineType = "XcNotebooks.Plotly.PlotlyFigureEngine";

    private static readonly Lazy<Engine> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The figure JSON of <paramref name="figure"/>, rendered by Plotly.NET.</summary>
    public static string FigureJson(XcFigure figure)
    {
        var traces = figure.Traces.Select(t => new KeyValuePair<string, IReadOnlyDictionary<string, object?>>(t.Type, t.Properties)).ToArray();
        return Loaded.Value.FigureJson(traces, figure.Layout);
    }

    /// <summary>The plotly.js version and source that Plotly.NET embeds.</summary>
    public static KeyValuePair<string, string> EmbeddedPlotlyJs() => Loaded.Value.EmbeddedPlotlyJs();

    /// <summary>The load context holding the engine (loads it on first use).</summary>
    internal static AssemblyLoadContext Context => Loaded.Value.Context;

    /// <summary>The engine's folder for a kit assembly at <paramref name="kitAssemblyPath"/>.</summary>
    internal static string Folder(string kitAssemblyPath) =>
        Path.Combine(Path.GetDirectoryName(kitAssemblyPath) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory, FolderName);

    private sealed record Engine(
        AssemblyLoadContext Context,
        Func<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, object?>>>, IReadOnlyDictionary<string, object?>, string> FigureJson,
        Func<KeyValuePair<string, string>> EmbeddedPlotlyJs);

    private static Engine Load()
    {
        var kit = typeof(PlotlyEngine).Assembly;
        var folder = Folder(kit.Location);
        var enginePath = Path.Combine(folder, EngineAssembly + ".dll");
        if (!File.Exists(enginePath))
            throw new FileNotFoundException(
                $"the kit's chart engine is missing: expected {enginePath} beside {(kit.Location.Length > 0 ? kit.Location : "XcNotebooks.dll")} " +
                "(the build of src/XcNotebooks and the XcNotebooks package put the folder plotly/ there)", enginePath);
        var context = new PlotlyLoadContext(folder, kit);
        var type = context.LoadFromAssemblyPath(enginePath).GetType(EngineType, throwOnError: true)!;
        return new Engine(context,
            Method(type, "FigureJson").CreateDelegate<Func<IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, object?>>>, IReadOnlyDictionary<string, object?>, string>>(),
            Method(type, "EmbeddedPlotlyJs").CreateDelegate<Func<KeyValuePair<string, string>>>());
    }

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(type.FullName, name);

    /// <summary>
    /// Loads every assembly found in the private folder (the engine, FSharp.Core 10.1, Plotly.NET, Giraffe.ViewEngine,
    /// DynamicObj, Newtonsoft.Json, ...) from there, the kit itself as the caller loaded it, and defers the rest
    /// (System.*) to the default context, so both sides share the BCL types that cross.
    /// </summary>
    private sealed class PlotlyLoadContext(string folder, Assembly kit) : AssemblyLoadContext("XcNotebooks.Plotly")
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (AssemblyName.ReferenceMatchesDefinition(assemblyName, kit.GetName())) return kit;
            var path = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
