using System.Diagnostics;
using System.Text.Json.Nodes;
using XcNotebooks.Cli.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// What the tests that execute notebooks in the real .NET Interactive kernel share: whether Jupyter, the kernel and
/// its <c>dotnet interactive</c> command are there (skip when not, unless CI=true: then they must be), and readers
/// of executed notebooks.
/// </summary>
internal static class RealKernel
{
    // The kernelspec starts `dotnet interactive`: it must run in the repository (the tool manifest, restored) and
    // outside it (a global tool on PATH), where the package test's notebook lives.
    private static readonly Lazy<bool> Available = new(() =>
        JupyterRunner.IsAvailable && DotnetInteractiveRuns(Path.GetTempPath()) && DotnetInteractiveRuns(TestNotebooks.RepositoryRoot()));

    /// <summary>Skips the test when the kernel cannot run here; on CI (CI=true) it runs and fails instead.</summary>
    public static void SkipUnlessAvailable() =>
        Assert.SkipWhen(Environment.GetEnvironmentVariable("CI") != "true" && !Available.Value,
            "jupyter with the .NET Interactive kernel is not installed (apt-get install jupyter-nbconvert python3-ipykernel; " +
            "dotnet tool restore; dotnet tool install -g Microsoft.dotnet-interactive; dotnet interactive jupyter install); CI=true makes this a failure");

    /// <summary>A notebook of code cells for the given kernelspec (".net-csharp" or ".net-fsharp"), written to <paramref name="folder"/>.</summary>
    public static string WriteNotebook(string folder, string kernelspec, params string[] cells)
    {
        var language = kernelspec == ".net-fsharp" ? "fsharp" : "csharp";
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(source => (JsonNode)new JsonObject
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(),
                ["source"] = source,
            }).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = language == "fsharp" ? ".NET (F#)" : ".NET (C#)", ["language"] = language == "fsharp" ? "F#" : "C#", ["name"] = kernelspec },
                ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(folder, "test.ipynb");
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }

    /// <summary>Executes the notebook in the kernel (fast mode) and fails on any error output, naming the cells.</summary>
    public static JsonArray RunClean(string path)
    {
        var result = JupyterRunner.Run(path, fast: true, outputPath: Path.Combine(Path.GetDirectoryName(path)!, "executed.ipynb"));
        Assert.True(result.Succeeded, $"{path}:\n" + string.Join("\n", result.Errors));
        return JsonNode.Parse(result.NotebookJson)!["cells"]!.AsArray();
    }

    /// <summary>The mime bundles of a cell's display_data and execute_result outputs.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Bundles(JsonNode cell) =>
        cell["outputs"]!.AsArray()
            .Where(o => o!["output_type"]!.GetValue<string>() is "display_data" or "execute_result")
            .Select(o => (IReadOnlyDictionary<string, string>)o!["data"]!.AsObject().ToDictionary(kv => kv.Key, kv => TestNotebooks.JoinedText(kv.Value)))
            .ToArray();

    private static bool DotnetInteractiveRuns(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("interactive");
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}

/// <summary>The tests that start the real kernel run one at a time: each kernel is a heavy process.</summary>
[CollectionDefinition(nameof(RealKernel), DisableParallelization = true)]
public sealed class RealKernelCollection;
