using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using XcNotebooks.Notebooks;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>One error output of an executed notebook: the code cell's index among all cells (0-based, as nbformat counts), the error's name and text.</summary>
public sealed record NotebookError(int CellIndex, string Name, string Message)
{
    /// <summary>"cell 3: Name: message".</summary>
    public override string ToString() => $"cell {CellIndex}: {Name}: {Message}";
}

/// <summary>The outcome of executing a notebook in the real kernel: the executed notebook's JSON and its error outputs.</summary>
public sealed record KernelRunResult(string Path, string NotebookJson, IReadOnlyList<NotebookError> Errors, TimeSpan Elapsed)
{
    /// <summary>True when no cell has an error output.</summary>
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Executes a notebook in the real .NET Interactive kernel through Jupyter (<c>jupyter nbconvert --to notebook
/// --execute</c>, from the notebook's folder, every cell run even after an error) and reads the error outputs back.
/// This is how <c>xcn run NB.ipynb</c> and the notebook tests run notebooks: exactly as a user's Jupyter or VS Code does.
/// </summary>
public static class JupyterRunner
{
    /// <summary>
    /// Runs <paramref name="path"/>; <paramref name="fast"/> sets XCN_FAST=1 for the kernel; the executed notebook is
    /// written to <paramref name="outputPath"/> (null: a temporary file, removed afterwards). A cell may run at most
    /// <paramref name="cellTimeout"/>. Throws <see cref="InvalidOperationException"/> with what to install when
    /// Jupyter or the notebook's kernel is missing, or when nbconvert itself fails.
    /// </summary>
    public static KernelRunResult Run(string path, bool fast, string? outputPath = null, TimeSpan? cellTimeout = null)
    {
        var source = Path.GetFullPath(path);
        if (!File.Exists(source)) throw new FileNotFoundException($"{path}: no such notebook", source);
        var kernel = NotebookDocument.Load(source).KernelSpec
            ?? throw new Core.DataFormatException(source, 1, "the notebook names no kernel (metadata.kernelspec.name)");
        var available = KernelSpecs();
        if (!available.Contains(kernel))
            throw new InvalidOperationException(
                $"{path} needs the Jupyter kernel '{kernel}', which is not installed (installed: {string.Join(", ", available)}); " +
                "install the .NET Interactive kernels: dotnet tool restore; dotnet interactive jupyter install");
        var target = outputPath is null ? Path.Combine(Directory.CreateTempSubdirectory("xcn-run-").FullName, Path.GetFileName(source)) : Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var clock = Stopwatch.StartNew();
        try
        {
            var start = new ProcessStartInfo("jupyter")
            {
                WorkingDirectory = Path.GetDirectoryName(source)!,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "nbconvert", "--to", "notebook", "--execute", source, "--output", target, "--allow-errors",
                $"--ExecutePreprocessor.timeout={(int)Math.Ceiling((cellTimeout ?? TimeSpan.FromMinutes(10)).TotalSeconds)}",
            }) start.ArgumentList.Add(arg);
            if (fast) start.Environment[NotebookEnv.FastVariable] = "1";
            var (exitCode, log) = Execute(start);
            // The kernel picks its HTTP port from a range at start-up; kernels starting side by side can collide and
            // one dies before running a cell. That start is retried once.
            if (exitCode != 0 && log.Contains("DeadKernelError", StringComparison.Ordinal) && !File.Exists(target)) (exitCode, log) = Execute(start);
            if (log.Contains("dotnet tool restore", StringComparison.Ordinal) && !File.Exists(target))
                throw new InvalidOperationException(
                    $"the kernel could not start for {path}: `dotnet interactive` is pinned in .config/dotnet-tools.json and not restored; run dotnet tool restore");
            if (exitCode != 0 || !File.Exists(target))
                throw new InvalidOperationException($"jupyter nbconvert could not execute {path} (exit code {exitCode}): {LastLines(log, 8)}");
            var json = File.ReadAllText(target);
            return new KernelRunResult(path, json, Errors(json, target), clock.Elapsed);
        }
        finally
        {
            if (outputPath is null)
                try { Directory.Delete(Path.GetDirectoryName(target)!, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The error outputs of an executed notebook, in cell order.</summary>
    public static IReadOnlyList<NotebookError> Errors(string notebookJson, string path)
    {
        JsonNode root;
        try { root = JsonNode.Parse(notebookJson) ?? throw new JsonException("empty document"); }
        catch (JsonException e) { throw new Core.DataFormatException(path, (int)(e.LineNumber ?? 0) + 1, $"not a notebook: {e.Message}"); }
        var errors = new List<NotebookError>();
        var cells = root["cells"] as JsonArray ?? [];
        for (int i = 0; i < cells.Count; i++)
        {
            var outputs = cells[i]?["outputs"] as JsonArray ?? [];
            foreach (var output in outputs)
                if (output?["output_type"]?.GetValue<string>() == "error")
                    errors.Add(new NotebookError(i, output["ename"]?.GetValue<string>() ?? "", WithDiagnostics(output["evalue"]?.GetValue<string>() ?? "", outputs)));
        }
        return errors;
    }

    // The kernel reports a compile error as "compilation error" and prints the compiler's messages as a stream
    // output of the same cell: the first of them make the error say what is wrong.
    private static string WithDiagnostics(string message, JsonArray outputs)
    {
        if (message != "compilation error") return message;
        var diagnostics = outputs
            .Where(o => o?["output_type"]?.GetValue<string>() == "stream")
            .SelectMany(o => Text(o!["text"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(line => line.Contains("error", StringComparison.OrdinalIgnoreCase))
            .Take(3)
            .ToArray();
        return diagnostics.Length == 0 ? message : $"{message}: {string.Join(" | ", diagnostics)}";
    }

    private static string Text(JsonNode? text) =>
        text is JsonArray lines ? string.Concat(lines.Select(l => l?.GetValue<string>())) : text?.GetValue<string>() ?? "";

    /// <summary>True when <c>jupyter</c> runs and knows the .NET Interactive C# kernel.</summary>
    public static bool IsAvailable
    {
        get
        {
            try { return KernelSpecs().Contains(".net-csharp"); }
            catch (InvalidOperationException) { return false; }
        }
    }

    private static IReadOnlyList<string> KernelSpecs()
    {
        var start = new ProcessStartInfo("jupyter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "kernelspec", "list", "--json" }) start.ArgumentList.Add(arg);
        int exitCode;
        string output;
        try { (exitCode, output) = Execute(start, stdoutOnly: true); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"jupyter is not installed ({e.Message}); on Debian: apt-get install jupyter-nbconvert python3-nbconvert jupyter-client python3-ipykernel", e);
        }
        if (exitCode != 0) throw new InvalidOperationException($"jupyter kernelspec list failed (exit code {exitCode}): {LastLines(output, 4)}");
        return (JsonNode.Parse(output)?["kernelspecs"] as JsonObject)?.Select(k => k.Key).ToArray() ?? [];
    }

    private static (int ExitCode, string Output) Execute(ProcessStartInfo start, bool stdoutOnly = false)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdoutOnly ? stdout.Result : stdout.Result + stderr.Result);
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));
}
