using System.Text.Json.Nodes;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>Writes small Polyglot notebooks (metadata as VS Code writes it) for runner tests, and finds the repository.</summary>
internal static class TestNotebooks
{
    /// <summary>The notebook-level metadata VS Code's Polyglot extension writes.</summary>
    public const string PolyglotMetadata = """
        {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": { "name": "polyglot-notebook" },
          "polyglot_notebook": {
            "kernelInfo": {
              "defaultKernelName": "csharp",
              "items": [ { "aliases": [], "name": "csharp" }, { "aliases": [], "languageName": "fsharp", "name": "fsharp" } ]
            }
          }
        }
        """;

    /// <summary>A notebook of code cells ("csharp"/"fsharp" kernel and source) and markdown cells (kernel "markdown").</summary>
    public static string Write(params (string Kernel, string Source)[] cells)
    {
        var array = new JsonArray();
        foreach (var (kernel, source) in cells)
        {
            var lines = XcNotebooks.Cli.Notebooks.NotebookDocument.Lines(source);
            if (kernel == "markdown")
                array.Add(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = lines });
            else
                array.Add(new JsonObject
                {
                    ["cell_type"] = "code",
                    ["execution_count"] = null,
                    ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel } },
                    ["outputs"] = new JsonArray(),
                    ["source"] = lines,
                });
        }
        var root = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = JsonNode.Parse(PolyglotMetadata),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 2,
        };
        var path = Path.Combine(TestData.TempDir(), "test.ipynb");
        File.WriteAllText(path, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }

    /// <summary>The repository root (the folder holding XcNotebooks.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XcNotebooks.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no XcNotebooks.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The committed files matching <paramref name="pattern"/> in a folder of the repository, as paths from its root, in order (none is fine).</summary>
    public static TheoryData<string> Committed(string folder, string pattern)
    {
        var root = RepositoryRoot();
        var full = Path.Combine(root, folder);
        return new TheoryData<string>(Directory.Exists(full)
            ? Directory.GetFiles(full, pattern).Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).Order(StringComparer.Ordinal)
            : []);
    }

    /// <summary>The outputs of code cell <paramref name="number"/> (1-based among all cells) in notebook JSON.</summary>
    public static JsonArray Outputs(string notebookJson, int number) =>
        JsonNode.Parse(notebookJson)!["cells"]![number - 1]!["outputs"]!.AsArray();

    /// <summary>A multi-line string field of an output (nbformat stores them as line arrays).</summary>
    public static string JoinedText(JsonNode? lines) =>
        lines is JsonArray a ? string.Concat(a.Select(l => l!.GetValue<string>())) : lines?.GetValue<string>() ?? "";
}
