using System.Reflection;
using Microsoft.CodeAnalysis;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>
/// The assemblies notebook cells compile against, worked out once per process (start-up matters: CI runs every
/// notebook): the framework, and XcNotebooks with its NuGet dependencies as this process already loaded them, so C#
/// and F# cells see the very same types. <c>#r "nuget: X"</c> and <c>#r "X.dll"</c> resolve to these assemblies.
/// </summary>
internal sealed class KernelReferences
{
    private static readonly Lazy<KernelReferences> Shared = new(() => new KernelReferences());

    // NuGet package ids whose assembly has another name.
    private static readonly Dictionary<string, string> PackageAssemblyNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SharpZipLib"] = "ICSharpCode.SharpZipLib",
    };

    private readonly Dictionary<string, Assembly> _libraryByName;

    private KernelReferences()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var library = new List<Assembly>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Visit(Assembly assembly)
        {
            if (!seen.Add(assembly.GetName().Name!) || IsFramework(assembly.GetName(), frameworkDir)) return;
            library.Add(assembly);
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (seen.Contains(reference.Name!) || IsFramework(reference, frameworkDir)) continue;
                Assembly loaded;
                try { loaded = Assembly.Load(reference); }
                catch (IOException) { continue; } // an optional dependency that is not deployed: cells cannot use it anyway
                Visit(loaded);
            }
        }
        Visit(typeof(Dataset).Assembly);
        Library = library;
        _libraryByName = library.ToDictionary(a => a.GetName().Name!, StringComparer.OrdinalIgnoreCase);

        var framework = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal) && p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal));
        CSharp = framework.Concat(library.Select(a => a.Location)).Append(typeof(ScriptGlobals).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }

    /// <summary>The process-wide set.</summary>
    public static KernelReferences Instance => Shared.Value;

    /// <summary>XcNotebooks and its non-framework dependencies, loaded in the default context.</summary>
    public IReadOnlyList<Assembly> Library { get; }

    /// <summary>Metadata references for C# cells: the framework, the library set and the runner (for its globals).</summary>
    public IReadOnlyList<MetadataReference> CSharp { get; }

    /// <summary>The loaded assembly of NuGet package <paramref name="packageId"/>; throws for packages the runner does not carry.</summary>
    public Assembly ResolvePackage(string packageId)
    {
        var name = PackageAssemblyNames.GetValueOrDefault(packageId, packageId);
        return _libraryByName.TryGetValue(name, out var assembly)
            ? assembly
            : throw new ArgumentException(
                $"package '{packageId}' is not available: the runner resolves #r \"nuget: ...\" only to XcNotebooks and the packages it depends on " +
                $"({string.Join(", ", _libraryByName.Keys.Order(StringComparer.OrdinalIgnoreCase))})");
    }

    /// <summary>The loaded library assembly a <c>#r "path/Name.dll"</c> names (by file name), or null for another assembly.</summary>
    public Assembly? ResolveLibraryFile(string path) =>
        _libraryByName.GetValueOrDefault(Path.GetFileNameWithoutExtension(path));

    private static bool IsFramework(AssemblyName name, string frameworkDir) =>
        name.Name is "mscorlib" or "netstandard" || File.Exists(Path.Combine(frameworkDir, name.Name + ".dll"));
}
