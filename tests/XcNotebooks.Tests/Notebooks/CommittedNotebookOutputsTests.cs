using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// The rules every committed notebook (notebooks/*.ipynb) keeps, read from the file as committed, with the outputs of
/// its last execution in the real .NET Interactive kernel:
/// <list type="number">
/// <item>it was executed: it has at least one output, and every code cell has an execution count (a cell may
/// legitimately print nothing, so an empty output list alone is not a failure);</item>
/// <item>no output is of type <c>error</c>, and no <c>stream</c> output on stderr contains "Exception";</item>
/// <item>the kernelspec is the main language of its code cells (<c>.net-fsharp</c> when most code cells are F#, else
/// <c>.net-csharp</c>): Jupyter sends every cell to the kernelspec's kernel;</item>
/// <item>every code cell in the other language starts with the line <c>#!fsharp</c> / <c>#!csharp</c> (the only way
/// the kernel switches language), and that line agrees with the cell's Polyglot metadata;</item>
/// <item>no <c>text/html</c> output is over 1,000,000 characters (one that inlines plotly.js is about 3.5 MB);</item>
/// <item>every decimal number (digits, a point, digits, as in 94.9 or 0.6108) that the markdown prose quotes appears
/// verbatim in the notebook's outputs (text/plain, text/html, text/markdown or stream text), not as part of a longer
/// number (94.9 does not match 94.93 or 194.9). Prose here excludes $...$ and $$...$$ math, `code` spans, fenced
/// code blocks, &lt;details&gt; blocks (exercise solutions), link targets and dotted versions (1.0.712001).</item>
/// </list>
/// Each failure names the notebook, the cell (0-based, counting markdown cells, as the cell list of the file) and the
/// problem. A notebook committed without outputs fails rule 1: notebooks are committed executed.
/// </summary>
public class CommittedNotebookOutputsTests
{
    /// <summary>notebooks/*.ipynb, relative to the repository root.</summary>
    public static TheoryData<string> CommittedNotebooks()
    {
        var folder = Path.Combine(TestNotebooks.RepositoryRoot(), "notebooks");
        return new TheoryData<string>(Directory.GetFiles(folder, "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CommittedNotebooks))]
    public void KeepsItsOutputsAndTheirRules(string notebook)
    {
        var path = Path.Combine(TestNotebooks.RepositoryRoot(), "notebooks", notebook);
        var problems = CommittedNotebookRules.Check(notebook, File.ReadAllText(path));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // The rules themselves, on small notebooks whose verdict is known.

    [Fact]
    public void AnExecutedCleanNotebookPasses()
    {
        var nb = Notebook(".net-csharp",
            Markdown("P@1 is **0.6667** here, $P@k = 1.5$ in math and `0.25` in code."),
            Code("csharp", "var p = 2.0 / 3;", 1, Stream("stdout", "P@1 = 0.6667\n")),
            Code("fsharp", "#!fsharp\nlet x = 1", 2));
        Assert.Empty(CommittedNotebookRules.Check("ok.ipynb", nb));
    }

    [Fact]
    public void ANumberMissingFromTheOutputsIsNamedWithItsCell()
    {
        var nb = Notebook(".net-csharp",
            Code("csharp", "1", 1, Stream("stdout", "accuracy 94.93\n")),
            Markdown("Test accuracy reaches 94.9% (not verbatim: the output says 94.93)."));
        var problems = CommittedNotebookRules.Check("nb.ipynb", nb);
        Assert.Equal(["nb.ipynb cell 1: the prose quotes 94.9, which no output shows"], problems);
    }

    [Fact]
    public void MathCodeDetailsAndVersionsAreNotProse()
    {
        var nb = Notebook(".net-csharp",
            Code("csharp", "1", 1, Stream("stdout", "nothing\n")),
            Markdown("$$w = 1.6828$$ and $C = 5.9675$, `lr = 0.03`, tool 1.0.712001, [link](https://x.org/v2.5/a)\n" +
                     "```\nxcn --rate 0.5\n```\n<details><summary>Solution</summary>P@3 = 0.5556</details>"));
        Assert.Empty(CommittedNotebookRules.Check("nb.ipynb", nb));
    }

    [Fact]
    public void ErrorsStderrExceptionsAndMissingExecutionAreReported()
    {
        var nb = Notebook(".net-csharp",
            Code("csharp", "1", 1, new JsonObject { ["output_type"] = "error", ["ename"] = "CS1003", ["evalue"] = "Syntax error", ["traceback"] = new JsonArray() }),
            Code("csharp", "2", 2, Stream("stderr", "Unhandled exception. System.InvalidOperationException: no\n")),
            Code("csharp", "3", null));
        var problems = CommittedNotebookRules.Check("nb.ipynb", nb);
        Assert.Equal(
        [
            "nb.ipynb cell 0: error output CS1003: Syntax error",
            "nb.ipynb cell 1: stderr mentions an exception: Unhandled exception. System.InvalidOperationException: no",
            "nb.ipynb cell 2: not executed (no execution count)",
        ], problems);
    }

    [Fact]
    public void ANotebookWithoutOutputsIsNotExecuted()
    {
        var nb = Notebook(".net-csharp", Code("csharp", "var x = 1;", null));
        var problems = CommittedNotebookRules.Check("nb.ipynb", nb);
        Assert.Contains("nb.ipynb: no outputs: commit the notebook executed", problems);
    }

    [Fact]
    public void AnFSharpNotebookMustDeclareTheFSharpKernelAndMarkItsCSharpCells()
    {
        var nb = Notebook(".net-csharp",
            Code("fsharp", "let a = 1", 1, Stream("stdout", "a\n")),
            Code("fsharp", "let b = 2", 2),
            Code("csharp", "var c = 3;", 3));
        var problems = CommittedNotebookRules.Check("nb.ipynb", nb);
        Assert.Equal(
        [
            "nb.ipynb: kernelspec .net-csharp, but most code cells are F#: declare .net-fsharp",
            "nb.ipynb cell 0: an F# cell in a C# notebook must start with #!fsharp",
            "nb.ipynb cell 1: an F# cell in a C# notebook must start with #!fsharp",
        ], problems);

        var fixedNb = Notebook(".net-fsharp",
            Code("fsharp", "let a = 1", 1, Stream("stdout", "a\n")),
            Code("fsharp", "let b = 2", 2),
            Code("csharp", "var c = 3;", 3));
        Assert.Equal(["nb.ipynb cell 2: a C# cell in an F# notebook must start with #!csharp"], CommittedNotebookRules.Check("nb.ipynb", fixedNb));
    }

    [Fact]
    public void InlinedPlotlyIsReported()
    {
        var html = new string('x', 1_200_000);
        var nb = Notebook(".net-csharp", Code("csharp", "chart", 1, new JsonObject
        {
            ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
            ["data"] = new JsonObject { ["text/html"] = html, ["text/plain"] = "chart" },
        }));
        Assert.Equal(["nb.ipynb cell 0: a text/html output of 1,200,000 characters (plotly.js inlined?)"], CommittedNotebookRules.Check("nb.ipynb", nb));
    }

    private static string Notebook(string kernel, params JsonObject[] cells) => new JsonObject
    {
        ["cells"] = new JsonArray(cells),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["name"] = kernel },
            ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = kernel == ".net-fsharp" ? "fsharp" : "csharp" } },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    }.ToJsonString();

    private static JsonObject Markdown(string text) =>
        new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = text };

    private static JsonObject Code(string kernel, string source, int? count, params JsonObject[] outputs) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = count,
        ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel } },
        ["outputs"] = new JsonArray(outputs),
        ["source"] = source,
    };

    private static JsonObject Stream(string name, string text) =>
        new() { ["output_type"] = "stream", ["name"] = name, ["text"] = text };
}

/// <summary>The checks of <see cref="CommittedNotebookOutputsTests"/> on one notebook's JSON (see the rules there).</summary>
internal static partial class CommittedNotebookRules
{
    /// <summary>A text/html output larger than this inlines plotly.js (about 3.5 MB); charts from the CDN are a few kB.</summary>
    public const int MaxHtmlChars = 1_000_000;

    /// <summary>Every broken rule, one line each ("NAME cell N: problem"); empty when the notebook keeps them all.</summary>
    public static IReadOnlyList<string> Check(string name, string json)
    {
        var problems = new List<string>();
        var notebook = JsonNode.Parse(json)!.AsObject();
        var cells = notebook["cells"]!.AsArray().Select(c => c!.AsObject()).ToArray();
        var codeCells = cells.Select((c, i) => (Cell: c, Index: i)).Where(c => (string?)c.Cell["cell_type"] == "code").ToArray();

        string kernelspec = (string?)notebook["metadata"]?["kernelspec"]?["name"] ?? "(none)";
        string notebookLanguage = kernelspec == ".net-fsharp" ? "fsharp" : "csharp";
        var languages = codeCells.Select(c => (c.Index, Language: LanguageOf(c.Cell, notebookLanguage, out var marked), Marked: marked)).ToArray();
        int fsharpCells = languages.Count(c => c.Language == "fsharp");
        string mainLanguage = 2 * fsharpCells > languages.Length ? "fsharp" : "csharp";
        if (kernelspec != (mainLanguage == "fsharp" ? ".net-fsharp" : ".net-csharp"))
            problems.Add($"{name}: kernelspec {kernelspec}, but most code cells are {(mainLanguage == "fsharp" ? "F#" : "C#")}: declare {(mainLanguage == "fsharp" ? ".net-fsharp" : ".net-csharp")}");
        foreach (var (index, language, marked) in languages)
        {
            string? metadataLanguage = (string?)cells[index]["metadata"]?["polyglot_notebook"]?["kernelName"];
            if (marked is not null && metadataLanguage is not null && marked != metadataLanguage)
                problems.Add($"{name} cell {index}: its first line says #!{marked} but its Polyglot metadata says {metadataLanguage}");
            if (language != notebookLanguage && marked is null)
                problems.Add($"{name} cell {index}: {(language == "fsharp" ? "an F# cell in a C# notebook must start with #!fsharp" : "a C# cell in an F# notebook must start with #!csharp")}");
        }

        if (!codeCells.Any(c => c.Cell["outputs"] is JsonArray { Count: > 0 }))
            problems.Add($"{name}: no outputs: commit the notebook executed");
        var outputText = new System.Text.StringBuilder();
        foreach (var (cell, index) in codeCells)
        {
            if (cell["execution_count"] is null) problems.Add($"{name} cell {index}: not executed (no execution count)");
            foreach (var output in (cell["outputs"] as JsonArray ?? []).Select(o => o!.AsObject()))
            {
                switch ((string?)output["output_type"])
                {
                    case "error":
                        problems.Add($"{name} cell {index}: error output {(string?)output["ename"]}: {FirstLine((string?)output["evalue"])}");
                        break;
                    case "stream":
                        string text = Text(output["text"]);
                        if ((string?)output["name"] == "stderr" && text.Contains("Exception", StringComparison.Ordinal))
                            problems.Add($"{name} cell {index}: stderr mentions an exception: {FirstLine(text)}");
                        outputText.Append(text).Append('\n');
                        break;
                    default:
                        if (output["data"] is JsonObject data)
                            foreach (var (mime, value) in data)
                            {
                                if (!mime.StartsWith("text/", StringComparison.Ordinal)) continue;
                                string content = Text(value);
                                if (mime == "text/html" && content.Length > MaxHtmlChars)
                                    problems.Add($"{name} cell {index}: a text/html output of {content.Length:N0} characters (plotly.js inlined?)");
                                outputText.Append(content).Append('\n');
                            }
                        break;
                }
            }
        }

        string outputs = outputText.ToString();
        for (int i = 0; i < cells.Length; i++)
        {
            if ((string?)cells[i]["cell_type"] != "markdown") continue;
            foreach (var number in QuotedDecimals(Text(cells[i]["source"])))
                if (!Regex.IsMatch(outputs, $@"(?<![\d.]){Regex.Escape(number)}(?!\d)"))
                    problems.Add($"{name} cell {i}: the prose quotes {number}, which no output shows");
        }
        return problems;
    }

    /// <summary>The decimal numbers of markdown prose, outside math, code, solutions, link targets and versions.</summary>
    public static IEnumerable<string> QuotedDecimals(string markdown)
    {
        string prose = NotProse().Replace(markdown, " ");
        return DecimalNumber().Matches(prose).Select(m => m.Value).Distinct();
    }

    // The language a code cell runs in under Jupyter: its first line #!fsharp / #!csharp, else the kernelspec's. The
    // cell's intended language (its Polyglot metadata) may differ: then the marker is missing.
    private static string LanguageOf(JsonObject cell, string notebookLanguage, out string? marked)
    {
        string firstLine = Text(cell["source"]).Split('\n')[0].Trim();
        marked = firstLine switch { "#!fsharp" or "#!f#" => "fsharp", "#!csharp" or "#!c#" => "csharp", _ => null };
        return marked ?? (string?)cell["metadata"]?["polyglot_notebook"]?["kernelName"] ?? notebookLanguage;
    }

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue value => (string?)value ?? "",
        _ => "",
    };

    private static string FirstLine(string? text) => (text ?? "").Split('\n')[0].Trim();

    // Fenced code, <details> blocks, $$ and $ math, `code` spans, and link targets (the (...) after ]).
    [GeneratedRegex(@"```.*?```|<details>.*?</details>|\$\$.*?\$\$|\$[^$]+\$|`[^`]*`|\]\([^)]*\)", RegexOptions.Singleline)]
    private static partial Regex NotProse();

    // Digits, a point, digits; not inside a dotted version (1.0.712001) or a longer number.
    [GeneratedRegex(@"(?<![\d.])\d+(?:,\d{3})*\.\d+(?![\d]|\.\d)")]
    private static partial Regex DecimalNumber();
}
