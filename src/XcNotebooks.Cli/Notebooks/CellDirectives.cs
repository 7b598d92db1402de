using System.Text.RegularExpressions;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>A value another kernel shares into this cell (Polyglot's <c>#!share --from KERNEL NAME [--as NEWNAME]</c>).</summary>
public sealed record ShareRequest(string FromKernel, string Name, string As, int Line);

/// <summary>
/// A cell's source split into what the runner handles itself and the code a kernel compiles: the kernel switch
/// on the first line (<c>#!fsharp</c>, <c>#!csharp</c>), <c>#r "nuget: ..."</c> and <c>#r "path.dll"</c> references,
/// ignored <c>#i</c> lines and <c>#!share</c> requests. Handled lines become blank lines in <see cref="Code"/>, so
/// compiler line numbers still match the cell.
/// </summary>
public sealed partial record CellDirectives(string Kernel, string Code, IReadOnlyList<(string Id, string? Version)> Packages,
    IReadOnlyList<string> AssemblyFiles, IReadOnlyList<ShareRequest> Shares)
{
    /// <summary>Parses <paramref name="source"/>; <paramref name="kernel"/> is the kernel the metadata chose. Unknown magic commands throw.</summary>
    public static CellDirectives Parse(string source, string kernel)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var packages = new List<(string, string?)>();
        var files = new List<string>();
        var shares = new List<ShareRequest>();
        bool seenCode = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                var words = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var magic = words.Length == 0 ? "" : words[0];
                if (NotebookDocument.NormalizeKernel(magic) is "csharp" or "fsharp" or "html")
                {
                    if (seenCode) throw new ArgumentException($"line {i + 1}: '#!{magic}' must come before any code (one kernel per cell)");
                    kernel = NotebookDocument.NormalizeKernel(magic)!;
                }
                else if (magic == "share") shares.Add(ParseShare(words, i + 1));
                else throw new ArgumentException($"line {i + 1}: the runner does not support the magic command '#!{magic}' (it knows #!csharp, #!fsharp, #!html, #!share)");
                lines[i] = "";
                continue;
            }
            if (kernel != "html" && ReferenceLine().Match(line) is { Success: true } r)
            {
                if (r.Groups["kind"].Value == "r")
                {
                    var target = r.Groups["target"].Value;
                    if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                    {
                        var parts = target["nuget:".Length..].Split(',', StringSplitOptions.TrimEntries);
                        if (parts[0].Length == 0) throw new ArgumentException($"line {i + 1}: '#r \"nuget: ...\"' names no package");
                        packages.Add((parts[0], parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null));
                    }
                    else files.Add(target);
                }
                lines[i] = "";
                continue;
            }
            if (line.Length > 0) seenCode = true;
        }
        return new CellDirectives(kernel, string.Join("\n", lines), packages, files, shares);
    }

    private static ShareRequest ParseShare(string[] words, int line)
    {
        string? from = null, name = null, alias = null;
        for (int w = 1; w < words.Length; w++)
        {
            switch (words[w])
            {
                case "--from" when w + 1 < words.Length: from = words[++w]; break;
                case "--as" when w + 1 < words.Length: alias = words[++w]; break;
                default:
                    if (words[w].StartsWith("--", StringComparison.Ordinal) || name is not null)
                        throw new ArgumentException($"line {line}: cannot read '#!share {string.Join(' ', words.Skip(1))}' (expected #!share --from KERNEL NAME [--as NEWNAME])");
                    name = words[w];
                    break;
            }
        }
        if (from is null || name is null)
            throw new ArgumentException($"line {line}: '#!share' needs --from KERNEL and a variable name");
        var kernel = NotebookDocument.NormalizeKernel(from)!;
        alias ??= name;
        if (!IsIdentifier(name) || !IsIdentifier(alias)) throw new ArgumentException($"line {line}: '{name}' / '{alias}' is not a variable name");
        return new ShareRequest(kernel, name, alias, line);
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    [GeneratedRegex("""^#(?<kind>[ri])\s+@?"(?<target>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceLine();
}
