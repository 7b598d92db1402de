using System.Globalization;
using XcNotebooks.Core;

namespace XcNotebooks.Hierarchies;

/// <summary>Reads and writes networkx-style edge lists ("parent child" per line) of a <see cref="LabelHierarchy"/>.</summary>
internal static class EdgeListFile
{
    /// <summary>
    /// Writes (parent, child) label edges as "parentName childName" lines. Parent -1 (a child of the root) is written
    /// as a "(root) child" line only when several labels hang from the root, where reading it back gives the same
    /// virtual root; a single top label needs no line of its own. Names must be non-empty and free of whitespace.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(int Parent, int Child)> edges, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(labelNames);
        foreach (var name in labelNames)
            if (string.IsNullOrEmpty(name) || name.Any(char.IsWhiteSpace) || name.Contains('#', StringComparison.Ordinal))
                throw new ArgumentException($"label name '{name}' cannot go into an edge list (empty, whitespace or '#')", nameof(labelNames));
        bool severalRoots = edges.Count(e => e.Parent < 0) > 1;
        InputFile.WriteTextAtomic(path, w =>
        {
            foreach (var (parent, child) in edges)
            {
                if (parent < 0 && !severalRoots) continue;
                w.Write(parent < 0 ? LabelHierarchy.VirtualRootName : labelNames[parent]);
                w.Write(' ');
                w.Write(labelNames[child]);
                w.Write('\n');
            }
        });
    }

    public static LabelHierarchy Read(string path, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int l = 0; l < labelNames.Count; l++)
        {
            if (string.IsNullOrWhiteSpace(labelNames[l])) throw new ArgumentException($"label {l} has an empty name", nameof(labelNames));
            if (!ids.TryAdd(labelNames[l], l))
                throw new ArgumentException($"label name '{labelNames[l]}' is used by labels {ids[labelNames[l]]} and {l}", nameof(labelNames));
        }
        var names = new List<string?>(labelNames);
        var edges = new List<(int Parent, int Child)>();
        var lines = new List<long>();
        using (var reader = InputFile.OpenText(path))
        {
            long lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                var content = line.AsSpan();
                int hash = content.IndexOf('#');
                if (hash >= 0) content = content[..hash];
                var parser = new LineParser(path, lineNumber);
                var tokens = LineParser.Tokens(content);
                if (!tokens.MoveNext()) continue;
                var parent = tokens.Current.ToString();
                if (!tokens.MoveNext()) throw parser.Error($"expected 'parent child', got only '{parent}'");
                var child = tokens.Current.ToString();
                CheckTrailingData(parser, tokens);
                edges.Add((Id(parent), Id(child)));
                lines.Add(lineNumber);
            }
        }
        if (edges.Count == 0 && labelNames.Count > 1) throw new DataFormatException(path, 0, "no edges (the file is empty or all comments)");
        return LabelHierarchy.Build(labelNames.Count, names.Count, edges, names,
            (i, problem) => new DataFormatException(path, i >= 0 ? lines[i] : 0, problem));

        int Id(string name)
        {
            if (ids.TryGetValue(name, out int id)) return id;
            ids[name] = id = names.Count;
            names.Add(name);
            return id;
        }
    }

    /// <summary>networkx writes edge data after the pair: a dict ("{'weight': 1.0}") or bare values. Anything else is an error.</summary>
    private static void CheckTrailingData(LineParser parser, TokenEnumerator tokens)
    {
        if (!tokens.MoveNext()) return;
        if (tokens.Current[0] == '{') return;
        do
        {
            if (!double.TryParse(tokens.Current, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw parser.Error($"expected 'parent child' (optionally followed by networkx edge data), got extra '{tokens.Current}'");
        }
        while (tokens.MoveNext());
    }
}
