using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>A cell to execute: its 1-based position in the notebook, type, source and the kernel its metadata names.</summary>
public sealed record SourceCell(int Number, string CellType, string Source, string? Kernel);

/// <summary>
/// A notebook (.ipynb, nbformat 4 with Polyglot metadata) or a script (.csx, .fsx: one cell) to run. Outputs are
/// written back into the notebook's JSON the way Jupyter and VS Code store them (sorted keys, multi-line strings
/// as line arrays, the file's own indentation); every other part of the file is kept as it was.
/// </summary>
public sealed class NotebookDocument
{
    private readonly JsonObject? _root;
    private readonly int _indent;

    private NotebookDocument(string path, JsonObject? root, int indent, string defaultKernel, IReadOnlyList<SourceCell> cells)
    {
        Path = path;
        _root = root;
        _indent = indent;
        DefaultKernel = defaultKernel;
        Cells = cells;
    }

    /// <summary>The file the document was read from.</summary>
    public string Path { get; }

    /// <summary>True for a .ipynb notebook (outputs can be written back), false for a script.</summary>
    public bool IsNotebook => _root is not null;

    /// <summary>The kernel of cells that name none ("csharp" or "fsharp").</summary>
    public string DefaultKernel { get; }

    /// <summary>The Jupyter kernel the notebook asks for (metadata.kernelspec.name, e.g. ".net-csharp"); null for scripts and notebooks that name none.</summary>
    public string? KernelSpec => Str(_root?["metadata"]?["kernelspec"]?["name"]);

    /// <summary>All cells in order (markdown and raw cells included, so numbers match the editor's).</summary>
    public IReadOnlyList<SourceCell> Cells { get; }

    /// <summary>Reads a notebook or script; bad JSON or a file that is not a notebook gives a <see cref="DataFormatException"/>.</summary>
    public static NotebookDocument Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such notebook or script", path);
        var text = File.ReadAllText(path);
        var ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".csx" or ".fsx")
        {
            var kernel = ext == ".csx" ? "csharp" : "fsharp";
            return new NotebookDocument(path, null, 0, kernel, [new SourceCell(1, "code", text, kernel)]);
        }
        if (ext != ".ipynb") throw new ArgumentException($"{path}: expected a .ipynb notebook or a .csx/.fsx script");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"not valid notebook JSON: {e.Message}");
        }
        if (node is not JsonObject root) throw new DataFormatException(path, 1, "a notebook must be a JSON object");
        if (root["nbformat"] is not JsonValue format || !format.TryGetValue(out int major) || major < 4)
            throw new DataFormatException(path, 0, "not an nbformat 4 notebook (missing or old 'nbformat')");
        if (root["cells"] is not JsonArray cellArray) throw new DataFormatException(path, 0, "the notebook has no 'cells' array");
        var cells = new List<SourceCell>();
        for (int i = 0; i < cellArray.Count; i++)
        {
            if (cellArray[i] is not JsonObject cell || cell["cell_type"]?.GetValueKind() != JsonValueKind.String)
                throw new DataFormatException(path, 0, $"cell {i + 1} is not an object with a 'cell_type'");
            cells.Add(new SourceCell(i + 1, cell["cell_type"]!.GetValue<string>(), ReadSource(path, i + 1, cell["source"]),
                NormalizeKernel(Str(cell["metadata"]?["polyglot_notebook"]?["kernelName"]) ?? Str(cell["metadata"]?["dotnet_interactive"]?["language"]))));
        }
        return new NotebookDocument(path, root, DetectIndent(text), DefaultKernelOf(root), cells);
    }

    /// <summary>Kernel aliases as Polyglot accepts them ("c#", "C#" = csharp, "f#" = fsharp), lower case; null stays null.</summary>
    public static string? NormalizeKernel(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "c#" or "csharp" or ".net-csharp" => "csharp",
        "f#" or "fsharp" or ".net-fsharp" => "fsharp",
        var other => other,
    };

    /// <summary>Stores a cell's execution count and outputs (replacing the old ones).</summary>
    public void SetOutputs(int cellNumber, int? executionCount, IReadOnlyList<CellOutput> outputs)
    {
        if (_root is null) return;
        var cell = (JsonObject)_root["cells"]!.AsArray()[cellNumber - 1]!;
        cell["execution_count"] = executionCount;
        cell["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)ToJson(o)).ToArray());
    }

    /// <summary>The notebook's JSON with the outputs set so far, indented as the file was, ending with a newline.</summary>
    public string ToJson()
    {
        if (_root is null) throw new InvalidOperationException($"{Path} is a script: only notebooks have a JSON form");
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = _indent,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            _root.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Splits text into nbformat's "multi-line string" form: lines that keep their "\n", the last one without.</summary>
    public static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            lines.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    private static JsonObject ToJson(CellOutput output) => output switch
    {
        StreamOutput s => new JsonObject { ["name"] = s.Name, ["output_type"] = "stream", ["text"] = Lines(s.Text) },
        DisplayDataOutput d => new JsonObject { ["data"] = Bundle(d.Data), ["metadata"] = new JsonObject(), ["output_type"] = "display_data" },
        ExecuteResultOutput r => new JsonObject
        {
            ["data"] = Bundle(r.Data), ["execution_count"] = r.ExecutionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
        },
        ErrorOutput e => new JsonObject
        {
            ["ename"] = e.Name, ["evalue"] = e.Message, ["output_type"] = "error",
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        },
        _ => throw new ArgumentException($"unknown output {output.GetType().Name}"),
    };

    private static JsonObject Bundle(IReadOnlyDictionary<string, string> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal)) bundle[mime] = Lines(value);
        return bundle;
    }

    private static string ReadSource(string path, int cellNumber, JsonNode? source) => source switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray a when a.All(l => l?.GetValueKind() == JsonValueKind.String) => string.Concat(a.Select(l => l!.GetValue<string>())),
        _ => throw new DataFormatException(path, 0, $"cell {cellNumber}: 'source' must be a string or an array of strings"),
    };

    private static string DefaultKernelOf(JsonObject root)
    {
        var metadata = root["metadata"];
        return NormalizeKernel(Str(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]))
            ?? NormalizeKernel(Str(metadata?["kernelspec"]?["name"]))
            ?? NormalizeKernel(Str(metadata?["kernelspec"]?["language"]))
            ?? "csharp";
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static int DetectIndent(string text)
    {
        int newline = text.IndexOf('\n');
        if (newline < 0) return 1;
        int spaces = 0;
        while (newline + 1 + spaces < text.Length && text[newline + 1 + spaces] == ' ') spaces++;
        return Math.Clamp(spaces, 1, 8);
    }
}
