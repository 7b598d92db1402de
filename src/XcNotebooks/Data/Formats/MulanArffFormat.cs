using System.Globalization;
using System.Xml;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>
/// Mulan multi-label ARFF: an ARFF file (sparse "{i v, ...}" or dense rows) whose label attributes are the ones
/// named in a companion XML file (&lt;labels&gt;&lt;label name="..."/&gt;...); every other attribute is a feature.
/// Label ids follow the order of the label attributes in the ARFF file; nested &lt;label&gt; elements give
/// <see cref="Dataset.LabelHierarchyEdges"/>. Feature columns: a numeric attribute is one column, a nominal
/// attribute with k values k-1 indicator columns (the first value is the reference level); missing values ('?') read
/// as 0. A label is present when its value is non-zero ("1" for the usual {0,1} labels).
/// </summary>
public static class MulanArffFormat
{
    /// <summary>
    /// Reads an ARFF file with its label XML. When <paramref name="xmlPath"/> is null it is looked for beside the
    /// file: "NAME.xml" for "NAME-train.arff", "NAME-test.arff" or "NAME.arff".
    /// </summary>
    public static Dataset Read(string arffPath, string? xmlPath = null, TrainingMonitor? monitor = null)
    {
        xmlPath ??= FindLabelXml(arffPath);
        var (labelNames, edges) = ReadLabelXml(xmlPath);
        var isLabel = labelNames.ToHashSet(StringComparer.Ordinal);
        using var reader = InputFile.OpenText(arffPath, monitor);
        var header = ArffHeader.Read(reader, arffPath);
        var labelIdByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var labelOfAttribute = new int[header.Attributes.Count];
        var names = new List<string>();
        for (int a = 0; a < header.Attributes.Count; a++)
        {
            labelOfAttribute[a] = -1;
            var attr = header.Attributes[a];
            if (!isLabel.Contains(attr.Name)) continue;
            if (attr.Kind is not (ArffKind.Numeric or ArffKind.Nominal))
                throw new DataFormatException(arffPath, attr.Line, $"label attribute '{attr.Name}' must be numeric or nominal {{0,1}}");
            labelOfAttribute[a] = names.Count;
            labelIdByName[attr.Name] = names.Count;
            names.Add(attr.Name);
        }
        foreach (var name in labelNames)
            if (!labelIdByName.ContainsKey(name))
                throw new DataFormatException(xmlPath, 0, $"label '{LineParser.Shorten(name)}' is not an attribute of {arffPath}");
        var featureMap = new ArffFeatureMap(header, a => labelOfAttribute[a] < 0, arffPath);
        var features = new CsrBuilder(featureMap.NumFeatures);
        var labels = new CsrBuilder(names.Count);
        ArffRows.Read(reader, arffPath, header,
            (a, value, p) =>
            {
                if (labelOfAttribute[a] < 0) featureMap.Add(a, value, features, p);
                else if (LabelPresent(value, header.Attributes[a], p)) labels.Add(labelOfAttribute[a], 1f);
            },
            p =>
            {
                SparseTextFormat.EndRowRejectingDuplicates(features, p);
                SparseTextFormat.EndRowRejectingDuplicates(labels, p);
            });
        return new Dataset(features.Build(), new LabelMatrix(labels.Build()))
        {
            Name = XmlRepositoryFormat.DatasetName(arffPath),
            LabelNames = names,
            LabelHierarchyEdges = edges.Count == 0 ? null : edges.Select(t => (t.Parent is null ? -1 : labelIdByName[t.Parent], labelIdByName[t.Child])).ToArray(),
        }.Validate();
    }

    /// <summary>Reads train and test files that share one label XML; the feature dimensions must agree.</summary>
    public static DataSplits ReadSplits(string trainPath, string testPath, string? xmlPath = null, TrainingMonitor? monitor = null)
    {
        var train = Read(trainPath, xmlPath, monitor);
        var test = Read(testPath, xmlPath, monitor);
        if (train.NumFeatures != test.NumFeatures)
            throw new DataFormatException(testPath, 0, $"{test.NumFeatures} feature columns but {trainPath} has {train.NumFeatures}");
        return new DataSplits(train, null, test);
    }

    /// <summary>
    /// Writes a sparse ARFF file (features "f0", "f1", ... numeric, then one {0,1} attribute per label) and the
    /// label XML, nesting labels when the data set has a tree hierarchy.
    /// </summary>
    public static void Write(string arffPath, string xmlPath, Dataset data, string relation = "xcnotebooks")
    {
        var names = LabelNamesOf(data);
        // Feature attributes are PREFIX0, PREFIX1, ...: lengthen the prefix until no label name starts with it.
        var prefix = "f";
        while (names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal))) prefix = "_" + prefix;
        InputFile.WriteTextAtomic(arffPath, w =>
        {
            w.Write($"@relation {Quote(relation)}\n\n");
            for (int j = 0; j < data.NumFeatures; j++) w.Write($"@attribute {prefix}{j} numeric\n");
            foreach (var name in names) w.Write($"@attribute {Quote(name)} {{0,1}}\n");
            w.Write("\n@data\n");
            for (int i = 0; i < data.NumPoints; i++)
            {
                w.Write('{');
                var idx = data.Features.RowIndices(i);
                var val = data.Features.RowValues(i);
                bool first = true;
                for (int j = 0; j < idx.Length; j++)
                {
                    if (!first) w.Write(',');
                    w.Write(idx[j].ToString(CultureInfo.InvariantCulture));
                    w.Write(' ');
                    w.Write(val[j].ToString("R", CultureInfo.InvariantCulture));
                    first = false;
                }
                foreach (var l in data.Labels.LabelsOf(i))
                {
                    if (!first) w.Write(',');
                    w.Write((data.NumFeatures + l).ToString(CultureInfo.InvariantCulture));
                    w.Write(" 1");
                    first = false;
                }
                w.Write("}\n");
            }
        });
        WriteLabelXml(xmlPath, names, data.LabelHierarchyEdges);
    }

    /// <summary>The label XML beside an ARFF file: NAME.xml for NAME-train.arff, NAME-test.arff or NAME.arff.</summary>
    public static string FindLabelXml(string arffPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(arffPath))!;
        var stem = Path.GetFileNameWithoutExtension(InputFile.StripCompression(arffPath));
        var candidates = new[] { stem, SharedStem(stem) }.Distinct().ToArray();
        foreach (var c in candidates)
        {
            var xml = Path.Combine(dir, c + ".xml");
            if (File.Exists(xml)) return xml;
        }
        throw new FileNotFoundException($"{arffPath}: no label XML found beside it (looked for {string.Join(", ", candidates.Select(c => c + ".xml"))})");
    }

    /// <summary>The name the splits of one data set share: "bibtex" for "bibtex-train" or "bibtex_test".</summary>
    internal static string SharedStem(string stem)
    {
        foreach (var suffix in new[] { "-train", "-test", "-heldout", "-val", "_train", "_test", "_heldout", "_val", "-trn", "-tst" })
            if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return stem[..^suffix.Length];
        return stem;
    }

    private static bool LabelPresent(ReadOnlySpan<char> value, ArffAttribute attr, LineParser p)
    {
        if (value.SequenceEqual("?")) return false;
        int category = attr.Kind == ArffKind.Nominal ? attr.CategoryIndex(value) : 0;
        if (category < 0)
            throw p.Error($"'{LineParser.Shorten(value)}' is not one of the declared values of label '{attr.Name}' {{{string.Join(',', attr.Categories)}}}");
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v != 0;
        if (attr.Kind == ArffKind.Nominal) return category > 0; // e.g. {no,yes}: the first value means absent
        throw p.Error($"label '{attr.Name}' has value '{LineParser.Shorten(value)}', expected 0 or 1");
    }

    /// <summary>Label names in document order and (parent, child) name pairs from nesting (parent null at the top).</summary>
    private static (List<string> Names, List<(string? Parent, string Child)> Edges) ReadLabelXml(string xmlPath)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var edges = new List<(string?, string)>();
        var open = new Stack<string?>();
        bool nested = false;
        using var stream = InputFile.OpenRead(xmlPath);
        using var xml = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true });
        try
        {
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.Element && xml.LocalName == "label")
                {
                    long line = ((IXmlLineInfo)xml).LineNumber;
                    var name = xml.GetAttribute("name");
                    if (string.IsNullOrEmpty(name)) throw new DataFormatException(xmlPath, line, "<label> without a name attribute");
                    if (!seen.Add(name)) throw new DataFormatException(xmlPath, line, $"label '{LineParser.Shorten(name)}' is declared twice");
                    names.Add(name);
                    var parent = open.Count > 0 ? open.Peek() : null;
                    nested |= parent is not null;
                    edges.Add((parent, name));
                    if (!xml.IsEmptyElement) open.Push(name);
                }
                else if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "label") open.Pop();
            }
        }
        catch (XmlException e)
        {
            throw new DataFormatException(xmlPath, e.LineNumber, $"malformed XML: {e.Message}", e);
        }
        if (names.Count == 0) throw new DataFormatException(xmlPath, 0, "no <label name=...> elements");
        return (names, nested ? edges : []);
    }

    private static void WriteLabelXml(string xmlPath, IReadOnlyList<string> names, IReadOnlyList<(int Parent, int Child)>? edges)
    {
        var children = new List<int>[names.Count + 1]; // index names.Count = the root
        for (int i = 0; i < children.Length; i++) children[i] = [];
        if (edges is null || edges.Count == 0)
            for (int l = 0; l < names.Count; l++) children[names.Count].Add(l);
        else
        {
            var parentOf = new int[names.Count];
            Array.Fill(parentOf, int.MinValue);
            foreach (var (parent, child) in edges)
            {
                if (parentOf[child] != int.MinValue)
                    throw new ArgumentException($"label '{names[child]}' has two parents: Mulan label XML holds trees only");
                parentOf[child] = parent;
            }
            for (int l = 0; l < names.Count; l++) children[parentOf[l] is int.MinValue or -1 ? names.Count : parentOf[l]].Add(l);
        }
        InputFile.WriteAtomic(xmlPath, stream =>
        {
            using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
            xml.WriteStartDocument();
            xml.WriteStartElement("labels", "http://mulan.sourceforge.net/labels");
            var written = 0;
            void WriteChildren(int node, int depth)
            {
                if (depth > names.Count) throw new ArgumentException("the label hierarchy has a cycle");
                foreach (var c in children[node])
                {
                    xml.WriteStartElement("label", "http://mulan.sourceforge.net/labels");
                    xml.WriteAttributeString("name", names[c]);
                    written++;
                    WriteChildren(c, depth + 1);
                    xml.WriteEndElement();
                }
            }
            WriteChildren(names.Count, 0);
            if (written != names.Count) throw new ArgumentException("the label hierarchy has a cycle: some labels are not reachable from the root");
            xml.WriteEndElement();
            xml.WriteEndDocument();
        });
    }

    /// <summary>Label names for writing: the data set's, or "label0", "label1", ...; they must be distinct.</summary>
    private static IReadOnlyList<string> LabelNamesOf(Dataset data)
    {
        var names = data.LabelNames ?? Enumerable.Range(0, data.NumLabels).Select(l => $"label{l}").ToArray();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException("label names must be distinct to be written as ARFF attributes");
        return names;
    }

    private static string Quote(string name) =>
        name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.') ? name : "'" + name.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
