using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using QuikGraph;
using QuikGraph.Algorithms;
using Xunit;

namespace XcNotebooks.Tests.Architecture;

/// <summary>
/// The floor plan of src/XcNotebooks, checked from the compiler's own binding of every name (not from using lines,
/// which miss same-namespace and qualified references): a room is a top-level folder, or a paper's folder under
/// Methods/. Imports must run one way.
/// </summary>
public sealed class FolderImportTests
{
    private static readonly Lazy<FolderImports> Imports = new(FolderImports.Analyse);

    [Fact]
    public void TheAnalysisBindsTheWholeLibrary()
    {
        // Only source-generated members (GeneratedRegex, LibraryImport) are missing without the generators; any other
        // error would mean names were left unbound and edges could be missed.
        Assert.Empty(Imports.Value.UnexpectedErrors);
        Assert.Contains("Core", Imports.Value.Rooms);
        Assert.Contains("Methods/Wltls", Imports.Value.Rooms);
        // The checker sees a known edge: W-LTLS trains its edges with the shared linear learners.
        Assert.Contains("Learners", Imports.Value.Targets("Methods/Wltls"));
    }

    [Fact]
    public void NoRoomImportsARoomThatImportsItBack()
    {
        var graph = new AdjacencyGraph<string, Edge<string>>();
        graph.AddVertexRange(Imports.Value.Rooms);
        foreach (var (from, to) in Imports.Value.Edges.Keys) graph.AddEdge(new Edge<string>(from, to));
        var components = new Dictionary<string, int>();
        graph.StronglyConnectedComponents(components);
        var loops = components.GroupBy(c => c.Value).Where(g => g.Count() > 1)
            .Select(g => string.Join(" <-> ", g.Select(c => c.Key).Order()) + ": " + string.Join("; ",
                Imports.Value.Edges.Where(e => g.Any(c => c.Key == e.Key.From) && g.Any(c => c.Key == e.Key.To))
                    .Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value})")))
            .ToList();
        Assert.True(loops.Count == 0, "import loops:\n" + string.Join("\n", loops));
    }

    [Fact]
    public void CoreImportsNothingOfTheKit() =>
        Assert.Empty(Imports.Value.Targets("Core"));

    [Theory]
    [InlineData("Plotting")]
    [InlineData("Reports")]
    [InlineData("Notebooks")]
    [InlineData("Data")]
    [InlineData("Metrics")]
    [InlineData("Compute")]
    [InlineData("Learners")]
    public void SharedRoomsKnowNoPaper(string room) =>
        Assert.DoesNotContain(Imports.Value.Targets(room), t => t.StartsWith("Methods/", StringComparison.Ordinal) || t == "Experiments");

    [Fact]
    public void PapersDoNotImportEachOther()
    {
        // Methods/TwoTower holds what DEXA and DEXML share; Baselines and Parabel are the shared baselines.
        string[] shared = ["Methods/TwoTower"];
        var crossings = Imports.Value.Edges.Keys
            .Where(e => e.From.StartsWith("Methods/", StringComparison.Ordinal) && e.To.StartsWith("Methods/", StringComparison.Ordinal))
            .Where(e => !shared.Contains(e.To))
            .Select(e => $"{e.From} -> {e.To} ({Imports.Value.Edges[e]})")
            .ToList();
        Assert.True(crossings.Count == 0, "papers importing papers:\n" + string.Join("\n", crossings));
    }

    private sealed record FolderImports(IReadOnlySet<string> Rooms, IReadOnlyDictionary<(string From, string To), string> Edges, IReadOnlyList<string> UnexpectedErrors)
    {
        public IReadOnlySet<string> Targets(string room) => Edges.Keys.Where(e => e.From == room).Select(e => e.To).ToHashSet();

        public static FolderImports Analyse()
        {
            var root = Path.Combine(TestData.RepoRoot, "src", "XcNotebooks");
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(root, f))).Order(StringComparer.Ordinal).ToList();
            var parse = new CSharpParseOptions(LanguageVersion.Preview);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToList();
            // ImplicitUsings of the SDK (Microsoft.NET.Sdk).
            trees.Add(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; " +
                "global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", parse));
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(p => !Path.GetFileName(p).StartsWith("XcNotebooks", StringComparison.Ordinal) && Path.GetFileName(p) != "xcn.dll")
                .Select(p => MetadataReference.CreateFromFile(p));
            var compilation = CSharpCompilation.Create("XcNotebooks", trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
                .Where(d => d.Id is not ("CS8795" or "CS9248" or "CS0759")) // partial members the source generators implement
                .Select(d => d.ToString()).Take(20).ToList();

            var rooms = new HashSet<string>();
            var edges = new Dictionary<(string, string), string>();
            foreach (var tree in trees.Where(t => t.FilePath.Length > 0))
            {
                var from = Room(Path.GetRelativePath(root, tree.FilePath));
                rooms.Add(from);
                var model = compilation.GetSemanticModel(tree);
                foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    var symbol = model.GetSymbolInfo(name).Symbol ?? model.GetSymbolInfo(name).CandidateSymbols.FirstOrDefault();
                    var type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
                    while (type?.ContainingType is not null) type = type.ContainingType;
                    if (type is null || !SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, compilation.Assembly)) continue;
                    var declared = type.Locations.FirstOrDefault(l => l.IsInSource)?.SourceTree?.FilePath;
                    if (string.IsNullOrEmpty(declared)) continue;
                    var to = Room(Path.GetRelativePath(root, declared));
                    if (to != from) edges.TryAdd((from, to), $"{Path.GetRelativePath(root, tree.FilePath)} uses {type.Name}");
                }
            }
            return new FolderImports(rooms, edges, errors);
        }

        private static bool IsBuildOutput(string relative) =>
            relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) ||
            relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        /// <summary>A top-level folder, or Methods/Paper; files at the root (Kit.cs) belong to Core.</summary>
        private static string Room(string relative)
        {
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Length == 1) return "Core";
            return parts[0] == "Methods" && parts.Length > 2 ? $"Methods/{parts[1]}" : parts[0];
        }
    }
}
