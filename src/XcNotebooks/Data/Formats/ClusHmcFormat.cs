using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>How the class hierarchy of a Clus-HMC file is written.</summary>
public enum HierarchyShape
{
    /// <summary>DAG when the declaration has "root/..." edges, else tree.</summary>
    Auto,
    /// <summary>Tree node paths "a/b/c" (FunCat, ImageCLEF, Diatoms, ...): every prefix is a node.</summary>
    Tree,
    /// <summary>DAG edges "parent/child" (Gene Ontology data sets), "root" being the top.</summary>
    Dag,
}

/// <summary>How to read Clus-HMC hierarchical ARFF files.</summary>
public sealed record ClusHmcOptions
{
    /// <summary>How the hierarchy is written (detected by default).</summary>
    public HierarchyShape Shape { get; init; } = HierarchyShape.Auto;

    /// <summary>
    /// Give each point the ancestors of its classes as well (Clus-HMC's semantics: a point in a class is in all its
    /// superclasses). On by default.
    /// </summary>
    public bool AddAncestors { get; init; } = true;
}

/// <summary>
/// Clus-HMC hierarchical ARFF (the HMC benchmark data sets of Vens et al. 2008 and Dimitrovski et al.): ordinary
/// ARFF attributes are the features, and the attribute of type "hierarchical SPEC" is the class: SPEC lists the
/// hierarchy (tree node paths a/b/c, or for GO data DAG edges parent/child), and a point's value lists its classes
/// separated by '@'. Every node of the hierarchy is a label; ids are ordered by depth, then name (the order
/// C-HMCNN uses), and <see cref="Dataset.LabelHierarchyEdges"/> holds the edges (Parent = -1 below the root).
/// Features: a numeric attribute is one column, a nominal attribute with k values k-1 indicator columns; missing
/// values ('?') read as 0.
/// </summary>
public static class ClusHmcFormat
{
    /// <summary>Reads one file.</summary>
    public static Dataset Read(string path, ClusHmcOptions? options = null, TrainingMonitor? monitor = null) =>
        ReadAll([path], options, monitor)[0];

    /// <summary>Reads train, optional heldout and test files, which must declare the same attributes and hierarchy.</summary>
    public static DataSplits ReadSplits(string train, string? heldout, string test, ClusHmcOptions? options = null, TrainingMonitor? monitor = null)
    {
        var sets = ReadAll(heldout is null ? [train, test] : [train, heldout, test], options, monitor);
        return heldout is null ? new DataSplits(sets[0], null, sets[1]) : new DataSplits(sets[0], sets[1], sets[2]);
    }

    /// <summary>Reads several files that share one attribute list and hierarchy.</summary>
    public static IReadOnlyList<Dataset> ReadAll(IReadOnlyList<string> paths, ClusHmcOptions? options = null, TrainingMonitor? monitor = null)
    {
        options ??= new ClusHmcOptions();
        var result = new List<Dataset>();
        (string Path, ArffHeader Header)? first = null;
        foreach (var path in paths)
        {
            var data = ReadOne(path, options, monitor, out var header);
            if (first is { } f)
            {
                var a = f.Header.Attributes;
                var b = header.Attributes;
                if (a.Count != b.Count)
                    throw new DataFormatException(path, header.DataLine, $"{b.Count} attributes but {f.Path} has {a.Count}");
                for (int i = 0; i < a.Count; i++)
                    if (a[i].Kind != b[i].Kind || a[i].Hierarchy != b[i].Hierarchy || !a[i].Categories.SequenceEqual(b[i].Categories))
                        throw new DataFormatException(path, b[i].Line, $"attribute '{b[i].Name}' differs from its declaration in {f.Path}");
            }
            else first = (path, header);
            result.Add(data);
        }
        return result;
    }

    private static Dataset ReadOne(string path, ClusHmcOptions options, TrainingMonitor? monitor, out ArffHeader header)
    {
        using var reader = InputFile.OpenText(path, monitor);
        header = ArffHeader.Read(reader, path);
        var classAttributes = header.Attributes.Select((a, i) => (a, i)).Where(t => t.a.Kind == ArffKind.Hierarchical).ToList();
        if (classAttributes.Count != 1)
            throw new DataFormatException(path, header.DataLine,
                $"expected one attribute of type 'hierarchical', found {classAttributes.Count}: not a Clus-HMC file");
        var (classAttr, classIndex) = classAttributes[0];
        var hierarchy = ClusHierarchy.Parse(classAttr.Hierarchy, options.Shape, new LineParser(path, classAttr.Line));
        var featureMap = new ArffFeatureMap(header, a => a != classIndex, path);
        var features = new CsrBuilder(featureMap.NumFeatures);
        var labels = new CsrBuilder(hierarchy.Names.Count);
        var rowLabels = new HashSet<int>();
        ArffRows.Read(reader, path, header,
            (a, value, p) =>
            {
                if (a == classIndex) hierarchy.CollectLabels(value, options.AddAncestors, rowLabels, p);
                else featureMap.Add(a, value, features, p);
            },
            p =>
            {
                SparseTextFormat.EndRowRejectingDuplicates(features, p);
                foreach (var l in rowLabels) labels.Add(l, 1f);
                labels.EndRow();
                rowLabels.Clear();
            });
        return new Dataset(features.Build(), new LabelMatrix(labels.Build()))
        {
            Name = XmlRepositoryFormat.DatasetName(path),
            LabelNames = hierarchy.Names,
            LabelHierarchyEdges = hierarchy.Edges,
        };
    }
}

/// <summary>A Clus class hierarchy: node names in label-id order, (parent, child) edges, and ancestor closures.</summary>
internal sealed class ClusHierarchy
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idByName;
    private readonly int[][] _ancestors;

    private ClusHierarchy(string[] names, (int, int)[] edges)
    {
        Names = names;
        Edges = edges;
        _idByName = names.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var parents = new List<int>[names.Length];
        for (int i = 0; i < names.Length; i++) parents[i] = [];
        foreach (var (parent, child) in edges) if (parent >= 0) parents[child].Add(parent);
        _ancestors = new int[names.Length][];
        for (int i = 0; i < names.Length; i++)
        {
            var seen = new HashSet<int>();
            var stack = new Stack<int>(parents[i]);
            while (stack.Count > 0)
            {
                int a = stack.Pop();
                if (seen.Add(a)) foreach (var g in parents[a]) stack.Push(g);
            }
            _ancestors[i] = [.. seen.Order()];
        }
    }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<(int Parent, int Child)> Edges { get; }

    public static ClusHierarchy Parse(string spec, HierarchyShape shape, LineParser p)
    {
        var tokens = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length == 0) throw p.Error("the hierarchical attribute lists no classes");
        if (shape == HierarchyShape.Auto)
            shape = tokens.Any(t => t.StartsWith("root/", StringComparison.Ordinal)) ? HierarchyShape.Dag : HierarchyShape.Tree;
        var parentNames = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        void AddNode(string name, string? parent)
        {
            if (!parentNames.TryGetValue(name, out var list)) parentNames[name] = list = [];
            if (!list.Contains(parent)) list.Add(parent);
        }
        foreach (var token in tokens)
        {
            var parts = token.Split('/');
            if (parts.Any(string.IsNullOrEmpty)) throw p.Error($"empty class name in '{LineParser.Shorten(token)}'");
            if (shape == HierarchyShape.Tree)
            {
                for (int depth = 1; depth <= parts.Length; depth++)
                    AddNode(string.Join('/', parts, 0, depth), depth == 1 ? null : string.Join('/', parts, 0, depth - 1));
            }
            else
            {
                if (parts.Length != 2) throw p.Error($"DAG hierarchy entries are 'parent/child', got '{LineParser.Shorten(token)}'");
                if (parts[1] == "root") throw p.Error($"'root' cannot be a child ('{LineParser.Shorten(token)}')");
                AddNode(parts[1], parts[0] == "root" ? null : parts[0]);
                if (parts[0] != "root" && !parentNames.ContainsKey(parts[0])) parentNames[parts[0]] = [];
            }
        }
        // A DAG node nobody points to hangs below the root.
        foreach (var list in parentNames.Values) if (list.Count == 0) list.Add(null);
        var depthOf = Depths(parentNames, p);
        var names = parentNames.Keys.OrderBy(n => depthOf[n]).ThenBy(n => n, StringComparer.Ordinal).ToArray();
        var id = names.Select((n, i) => (n, i)).ToDictionary(t => t.n, t => t.i, StringComparer.Ordinal);
        var edges = new List<(int, int)>();
        foreach (var n in names)
            foreach (var parent in parentNames[n].Order(StringComparer.Ordinal))
                edges.Add((parent is null ? -1 : id[parent], id[n]));
        edges.Sort();
        return new ClusHierarchy(names, [.. edges]);
    }

    /// <summary>
    /// Collects the classes listed in a point's value ("a/b@a/c", '?' for none) and, if asked, their ancestors, into
    /// <paramref name="labels"/> (a set: shared ancestors count once).
    /// </summary>
    public void CollectLabels(ReadOnlySpan<char> value, bool addAncestors, HashSet<int> labels, LineParser p)
    {
        if (value.SequenceEqual("?") || value.IsEmpty) return;
        foreach (var range in value.Split('@'))
        {
            var name = value[range].Trim();
            if (name.IsEmpty) continue;
            if (!_idByName.TryGetValue(name, out int id)) throw p.Error($"class '{LineParser.Shorten(name)}' is not in the declared hierarchy");
            labels.Add(id);
            if (addAncestors) labels.UnionWith(_ancestors[id]);
        }
    }

    /// <summary>
    /// Shortest distance from the root of every node (1 for its children), after checking with Kahn's algorithm that
    /// the parent-to-child graph has no cycle.
    /// </summary>
    private static Dictionary<string, int> Depths(Dictionary<string, List<string?>> parentNames, LineParser p)
    {
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (node, parents) in parentNames)
        {
            pending[node] = parents.Count(x => x is not null);
            foreach (var parent in parents)
            {
                if (parent is null) { if (depth.TryAdd(node, 1)) queue.Enqueue(node); }
                else
                {
                    if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                    list.Add(node);
                }
            }
        }
        var ready = new Queue<string>(pending.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        int ordered = 0;
        while (ready.Count > 0)
        {
            var n = ready.Dequeue();
            ordered++;
            if (children.TryGetValue(n, out var list))
                foreach (var c in list)
                    if (--pending[c] == 0) ready.Enqueue(c);
        }
        if (ordered != parentNames.Count)
        {
            var onCycle = pending.Where(kv => kv.Value > 0).Select(kv => kv.Key).Order(StringComparer.Ordinal).First();
            throw p.Error($"the hierarchy has a cycle (through class '{onCycle}')");
        }
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            if (!children.TryGetValue(n, out var list)) continue;
            foreach (var c in list)
                if (depth.TryAdd(c, depth[n] + 1)) queue.Enqueue(c);
        }
        return depth;
    }
}
