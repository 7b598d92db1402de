using System.Text.RegularExpressions;
using XcNotebooks.Core;

namespace XcNotebooks.Data.Formats;

/// <summary>The on-disk formats <see cref="DatasetReader"/> understands.</summary>
public enum DataFormat
{
    /// <summary>Guess from the file name and first line (or, for a directory, from the files in it).</summary>
    Auto,
    /// <summary>XMLRepository text: header "N D L", then "labels f:v ...".</summary>
    XmlRepository,
    /// <summary>LIBSVM/SVMlight text (PD-Sparse splits too).</summary>
    LibSvm,
    /// <summary>
    /// pyxclib sparse text matrices (XMLRepository X/Y variant): NAME_X_Xf.txt features with NAME_X_Y.txt labels;
    /// a lone matrix file (labels, scores) reads as labels without features.
    /// </summary>
    SparseText,
    /// <summary>scipy sparse .npz: NAME_X_Xf.npz / NAME_X_Y.npz or X.SPLIT.npz / Y.SPLIT.npz pairs; a lone matrix reads as labels.</summary>
    Npz,
    /// <summary>Mulan multi-label ARFF with its label XML.</summary>
    MulanArff,
    /// <summary>Clus-HMC hierarchical ARFF.</summary>
    ClusHmc,
    /// <summary>JSON lines {"text": ..., "labels": [...]} (a directory may add labels.txt as the vocabulary).</summary>
    JsonLines,
    /// <summary>LF-* directory: trn.json.gz, tst.json.gz, lbl.json.gz.</summary>
    LfText,
    /// <summary>DEXML raw-text directory: raw/trn_X.txt, raw/tst_X.txt, raw/Y.txt, Y.trn.npz, Y.tst.npz.</summary>
    RawText,
    /// <summary>The Reuters-21578 directory of ../shared/data (see <see cref="TextDatasets.Reuters21578"/>).</summary>
    Reuters21578,
    /// <summary>The CLINC150 directory (data_full.json, domains.json; see <see cref="TextDatasets.Clinc150"/>).</summary>
    Clinc150,
}

/// <summary>
/// One entry point for reading data sets whatever their format: detects the format from the name and first line
/// (or a directory's files), and reads train/heldout/test so that they share feature and label spaces.
/// </summary>
public static partial class DatasetReader
{
    /// <summary>Reads one file (for a directory: its training split).</summary>
    public static Dataset Read(string path, DataFormat format = DataFormat.Auto) =>
        ReadSplits(path, null, null, format).Train;

    /// <summary>
    /// Reads a training file and optional heldout and test files into splits with one feature dimension and one
    /// label space. When <paramref name="test"/> is null the test split is the training file's.
    /// </summary>
    public static DataSplits ReadSplits(string train, string? heldout, string? test, DataFormat format = DataFormat.Auto) =>
        ReadSplits(train, heldout, test, format, null);

    /// <summary>
    /// As <see cref="ReadSplits(string, string?, string?, DataFormat)"/>, reporting read progress to
    /// <paramref name="monitor"/>. When <paramref name="train"/> is a directory (and no other file is given), its
    /// layout is detected and all its splits are read (see <see cref="ReadDirectory"/>).
    /// </summary>
    public static DataSplits ReadSplits(string train, string? heldout, string? test, DataFormat format, TrainingMonitor? monitor)
    {
        if (Directory.Exists(train))
        {
            if (heldout is not null || test is not null)
                throw new ArgumentException($"{train} is a directory: it holds its own splits, so pass no heldout or test file");
            return ReadDirectory(train, format, monitor);
        }
        var files = new[] { train, heldout, test }.Where(f => f is not null).Select(f => f!).ToArray();
        // Every file is checked before any is read: a missing test file is not found only after the training file was parsed.
        foreach (var f in files)
            if (!File.Exists(f) && !Directory.Exists(f)) throw new FileNotFoundException($"{f}: no such file", f);
        if (format == DataFormat.Auto) format = Detect(train);
        IReadOnlyList<Dataset> sets = format switch
        {
            DataFormat.LibSvm => LibSvmFormat.ReadSplits(files, null, monitor),
            DataFormat.XmlRepository => Align(files.Select(f => XmlRepositoryFormat.Read(f, monitor)).ToArray()),
            DataFormat.SparseText or DataFormat.Npz => Align(files.Select(f => ReadMatrixPair(f, format, monitor)).ToArray()),
            DataFormat.MulanArff => AlignFeatures(files.Select(f => MulanArffFormat.Read(f, null, monitor)).ToArray()),
            DataFormat.ClusHmc => ClusHmcFormat.ReadAll(files, null, monitor),
            DataFormat.JsonLines => JsonLinesWithSidecars(files, Path.GetDirectoryName(Path.GetFullPath(train))!, filesForm: true, monitor),
            DataFormat.LfText or DataFormat.RawText or DataFormat.Reuters21578 or DataFormat.Clinc150 =>
                throw new ArgumentException($"{format} data sets are directories: pass the directory, not {train}"),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
        int at = 1;
        var heldoutSet = heldout is null ? null : sets[at++];
        var testSet = test is null ? sets[0] : sets[at];
        return new DataSplits(sets[0], heldoutSet, testSet);
    }

    /// <summary>
    /// Reads every split of a data set directory: LF-* (lbl.json.gz), DEXML raw text (Y.trn.npz), CLINC150
    /// (data_full.json), Reuters-21578, pyxclib X/Y files (trn_X_Xf.txt / .npz), or files named
    /// STEM[._-]train|trn / heldout|val|valid|dev / test|tst.EXT in any file format (PD-Sparse's sector.train.bz2,
    /// bibtex_train.txt, bibtex-train.arff, train.jsonl with labels.txt, ...). An XMLRepository directory's
    /// label_names.txt becomes the label names.
    /// </summary>
    public static DataSplits ReadDirectory(string dir, DataFormat format = DataFormat.Auto, TrainingMonitor? monitor = null)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such directory");
        var layout = DirectoryLayout.Find(dir, format);
        switch (layout.Format)
        {
            case DataFormat.LfText: return LfTextFormat.Read(dir, null, monitor);
            case DataFormat.RawText: return RawTextFormat.Read(dir, monitor);
            case DataFormat.Reuters21578: return TextDatasets.Reuters21578(dir, TextFields.Auto, monitor);
            case DataFormat.Clinc150: return TextDatasets.Clinc150(dir, false, monitor);
        }
        var splits = layout.Format switch
        {
            DataFormat.JsonLines when File.Exists(Path.Combine(dir, LabelVocabularyFile)) => JsonSplits(layout, dir, monitor),
            _ => ReadSplits(layout.Train, layout.Heldout, layout.Test, layout.Format, monitor),
        };
        var labelNames = Path.Combine(dir, "label_names.txt");
        if (layout.Format == DataFormat.XmlRepository && File.Exists(labelNames))
        {
            var names = ReadNames(labelNames);
            if (names.Count == splits.Train.NumLabels)
                splits = new DataSplits(splits.Train with { LabelNames = names }, splits.Heldout is null ? null : splits.Heldout with { LabelNames = names },
                    splits.Test with { LabelNames = names });
        }
        return splits;
    }

    /// <summary>Guesses the format of <paramref name="path"/> (a file or a directory).</summary>
    public static DataFormat Detect(string path)
    {
        if (Directory.Exists(path)) return DirectoryLayout.Find(path, DataFormat.Auto).Format;
        var name = InputFile.StripCompression(path).ToLowerInvariant();
        if (name.EndsWith(".npz")) return DataFormat.Npz;
        if (name.EndsWith(".arff")) return ArffKindOf(path);
        if (name.EndsWith(".train") || name.EndsWith(".heldout") || name.EndsWith(".test") || name.EndsWith(".svm") ||
            name.EndsWith(".libsvm") || name.EndsWith(".scale") || name.EndsWith(".t"))
            return DataFormat.LibSvm;
        if (MatrixPairs.IsPairName(path)) return DataFormat.SparseText;
        using var reader = InputFile.OpenText(path);
        var first = reader.ReadLine() ?? "";
        if (name.EndsWith(".jsonl") || name.EndsWith(".json") || first.TrimStart().StartsWith('{'))
        {
            if (first.Contains("\"target_ind\"", StringComparison.Ordinal))
                throw new ArgumentException($"{path} is part of an LF-* data set: pass its directory");
            return DataFormat.JsonLines;
        }
        var parts = first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out _))) return DataFormat.XmlRepository;
        if (parts.Length == 2 && parts.All(p => int.TryParse(p, out _))) return DataFormat.SparseText;
        return DataFormat.LibSvm;
    }

    /// <summary>Clus-HMC when an attribute has type "hierarchical", else Mulan.</summary>
    private static DataFormat ArffKindOf(string path)
    {
        using var reader = InputFile.OpenText(path);
        while (reader.ReadLine() is { } line)
        {
            var t = line.TrimStart();
            if (t.StartsWith("@data", StringComparison.OrdinalIgnoreCase)) break;
            if (HierarchicalAttribute().IsMatch(t)) return DataFormat.ClusHmc;
        }
        return DataFormat.MulanArff;
    }

    /// <summary>"@attribute NAME hierarchical ...": the type, not the name, must be "hierarchical" (bibtex has a word feature of that name).</summary>
    [GeneratedRegex(@"^@attribute\s+('[^']*'|""[^""]*""|\S+)\s+hierarchical(\s|$)", RegexOptions.IgnoreCase)]
    private static partial Regex HierarchicalAttribute();

    private static Dataset ReadMatrixPair(string path, DataFormat format, TrainingMonitor? monitor)
    {
        CsrMatrix Matrix(string p) => format == DataFormat.Npz ? NpzFormat.ReadMatrix(p) : SparseTextFormat.ReadMatrix(p, null, monitor);
        var (featuresPath, labelsPath) = MatrixPairs.Resolve(path);
        if (featuresPath is null)
        {
            var labels = Matrix(labelsPath);
            return new Dataset(CsrMatrix.Empty(labels.Rows, 0), new LabelMatrix(labels)) { Name = XmlRepositoryFormat.DatasetName(labelsPath) };
        }
        return PairedMatrices.Combine(featuresPath, Matrix(featuresPath), labelsPath, Matrix(labelsPath));
    }

    private static DataSplits JsonSplits(DirectoryLayout layout, string dir, TrainingMonitor? monitor)
    {
        var files = new[] { layout.Train, layout.Heldout, layout.Test }.Where(f => f is not null).Select(f => f!).ToArray();
        var sets = JsonLinesWithSidecars(files, dir, filesForm: false, monitor);
        return new DataSplits(sets[0], layout.Heldout is null ? null : sets[1], sets[^1]);
    }

    /// <summary>The label vocabulary beside JSON lines splits: label names in id order, one per line.</summary>
    public const string LabelVocabularyFile = "labels.txt";

    /// <summary>The label texts beside JSON lines splits: one text per label, in the order of <see cref="LabelVocabularyFile"/>.</summary>
    public const string LabelTextsFile = "label-texts.txt";

    /// <summary>
    /// Reads JSON lines splits with the label files in <paramref name="dir"/>: labels.txt is the label vocabulary
    /// and label-texts.txt (when present) the labels' texts, as `xcn data wordnet` writes them. A directory uses
    /// labels.txt whenever it is there; files named one by one (<paramref name="filesForm"/>) use the two only when
    /// both are beside the training file, so that a stray labels.txt does not change how plain files read.
    /// </summary>
    private static Dataset[] JsonLinesWithSidecars(string[] files, string dir, bool filesForm, TrainingMonitor? monitor)
    {
        var vocabularyPath = Path.Combine(dir, LabelVocabularyFile);
        var textsPath = Path.Combine(dir, LabelTextsFile);
        bool hasVocabulary = File.Exists(vocabularyPath), hasTexts = File.Exists(textsPath);
        if (filesForm && !(hasVocabulary && hasTexts)) return [.. JsonLinesFormat.ReadSplits(files, null, monitor)];
        var names = hasVocabulary ? ReadNames(vocabularyPath) : null;
        var sets = JsonLinesFormat.ReadSplits(files, new JsonLinesOptions { LabelVocabulary = names }, monitor).ToArray();
        if (!hasTexts || names is null) return sets;
        // Label texts keep empty lines (a label may have no text), so they are read line for line, not as names.
        var texts = RawTextFormat.ReadLines(textsPath, null).ToList();
        while (texts.Count > names.Count && texts[^1].Length == 0) texts.RemoveAt(texts.Count - 1);
        if (texts.Count != names.Count)
            throw new DataFormatException(textsPath, Math.Min(texts.Count, names.Count) + 1,
                $"{texts.Count} label texts but {names.Count} labels in {LabelVocabularyFile}: one text per label, in its order");
        return sets.Select(s => s with { LabelTexts = texts }).ToArray();
    }

    private static IReadOnlyList<string> ReadNames(string path) =>
        RawTextFormat.ReadLines(path, null).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();

    /// <summary>Splits read separately must agree on labels; features are widened to the largest dimension.</summary>
    private static Dataset[] Align(Dataset[] sets)
    {
        int d = sets.Max(s => s.NumFeatures), l = sets.Max(s => s.NumLabels);
        foreach (var s in sets)
            if (s.NumLabels != l) throw new DataFormatException(s.Name, 1, $"{s.NumLabels} labels, but another split has {l}");
        return sets.Select(s => s with { Features = s.Features.WithColumns(d) }).ToArray();
    }

    /// <summary>Splits whose feature columns come from a header (ARFF) must agree exactly.</summary>
    private static Dataset[] AlignFeatures(Dataset[] sets)
    {
        foreach (var s in sets)
            if (s.NumFeatures != sets[0].NumFeatures)
                throw new DataFormatException(s.Name, 0, $"{s.NumFeatures} feature columns, but {sets[0].Name} has {sets[0].NumFeatures}");
        return Align(sets);
    }
}

/// <summary>Naming conventions that pair a features matrix file with its labels file.</summary>
internal static partial class MatrixPairs
{
    /// <summary>True for NAME_X_Xf.EXT / NAME_X_Y.EXT (pyxclib) names.</summary>
    public static bool IsPairName(string fileName) => PyxclibName().IsMatch(Path.GetFileName(InputFile.StripCompression(fileName)));

    /// <summary>
    /// The features and labels files of <paramref name="path"/>: NAME_X_Xf.EXT with NAME_X_Y.EXT, or X.SPLIT.npz
    /// with Y.SPLIT.npz. A labels file whose features sibling does not exist, or any other name, is labels only.
    /// </summary>
    public static (string? Features, string Labels) Resolve(string path)
    {
        var dir = Path.GetDirectoryName(path) ?? "";
        var name = Path.GetFileName(path);
        var m = PyxclibName().Match(InputFile.StripCompression(name));
        if (m.Success)
        {
            var suffix = name[(m.Groups["kind"].Index + m.Groups["kind"].Length)..];
            var features = Path.Combine(dir, $"{m.Groups["stem"].Value}_X_Xf{suffix}");
            var labels = Path.Combine(dir, $"{m.Groups["stem"].Value}_X_Y{suffix}");
            return m.Groups["kind"].Value == "Xf" ? (features, labels) : (File.Exists(features) ? features : null, labels);
        }
        var n = SplitNpzName().Match(name);
        if (n.Success)
        {
            var features = Path.Combine(dir, "X" + n.Groups["rest"].Value);
            var labels = Path.Combine(dir, "Y" + n.Groups["rest"].Value);
            return n.Groups["kind"].Value == "X" ? (features, labels) : (File.Exists(features) ? features : null, labels);
        }
        return (null, path);
    }

    /// <summary>The file names <see cref="DatasetWriter"/> gives a features/labels pair for NAME.</summary>
    public static (string Features, string Labels) Names(string dir, string stem, string extension) =>
        (Path.Combine(dir, $"{stem}_X_Xf{extension}"), Path.Combine(dir, $"{stem}_X_Y{extension}"));

    [GeneratedRegex(@"^(?<stem>.*)_X_(?<kind>Xf|Y)\.[A-Za-z0-9]+$")]
    private static partial Regex PyxclibName();

    [GeneratedRegex(@"^(?<kind>X|Y)(?<rest>\.[^.]+\.npz)$")]
    private static partial Regex SplitNpzName();
}

/// <summary>What a data set directory holds: its format and split files.</summary>
internal sealed partial record DirectoryLayout(DataFormat Format, string Train, string? Heldout, string Test)
{
    public static DirectoryLayout Find(string dir, DataFormat format)
    {
        bool Has(string name) => File.Exists(Path.Combine(dir, name));
        bool Wants(DataFormat f) => format == DataFormat.Auto || format == f;
        if (Wants(DataFormat.Clinc150) && Has("data_full.json") && Has("domains.json")) return Whole(DataFormat.Clinc150, dir);
        if (Wants(DataFormat.Reuters21578) && Has("labels.txt") && Has("train.jsonl") && Has("cat-descriptions_120396.txt"))
            return Whole(DataFormat.Reuters21578, dir);
        if (Wants(DataFormat.LfText) && (Has("lbl.json.gz") || Has("lbl.json"))) return Whole(DataFormat.LfText, dir);
        if (Wants(DataFormat.RawText) && Has("Y.trn.npz") && Has("Y.tst.npz")) return Whole(DataFormat.RawText, dir);
        foreach (var ext in new[] { ".txt", ".txt.gz", ".txt.bz2", ".npz" })
        {
            var pairFormat = ext == ".npz" ? DataFormat.Npz : DataFormat.SparseText;
            if (!Wants(pairFormat) || !Has("trn_X_Y" + ext) || !Has("tst_X_Y" + ext)) continue;
            string? heldout = Has("val_X_Y" + ext) ? Path.Combine(dir, "val_X_Y" + ext) : null;
            return new DirectoryLayout(pairFormat, Path.Combine(dir, "trn_X_Y" + ext), heldout, Path.Combine(dir, "tst_X_Y" + ext));
        }
        return FindSplitFiles(dir, format);
    }

    private static DirectoryLayout Whole(DataFormat format, string dir) => new(format, dir, null, dir);

    /// <summary>Groups the files named STEM[._-]SPLIT.EXT by (stem, extension); exactly one group must have train and test.</summary>
    private static DirectoryLayout FindSplitFiles(string dir, DataFormat format)
    {
        var groups = new Dictionary<(string Stem, string Ext), (string? Train, string? Heldout, string? Test)>();
        foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var m = SplitFileName().Match(Path.GetFileName(file));
            if (!m.Success) continue;
            var key = (m.Groups["stem"].Value.ToLowerInvariant(), InputFile.StripCompression(m.Groups["ext"].Value).ToLowerInvariant());
            groups.TryGetValue(key, out var g);
            switch (m.Groups["split"].Value.ToLowerInvariant())
            {
                case "train" or "trn": g.Train ??= file; break;
                case "test" or "tst": g.Test ??= file; break;
                default: g.Heldout ??= file; break;
            }
            groups[key] = g;
        }
        var complete = groups.Where(g => g.Value.Train is not null && g.Value.Test is not null)
            .Select(g => (g.Key, Format: format == DataFormat.Auto ? DatasetReader.Detect(g.Value.Train!) : format, g.Value))
            .Where(g => format == DataFormat.Auto || g.Format == format)
            .ToList();
        if (complete.Count == 0)
            throw new ArgumentException($"{dir}: no data set found (looked for an LF-* set, DEXML raw text, CLINC150, Reuters-21578, " +
                "trn_X_Y/tst_X_Y files, or NAME[._-]train / test files)");
        if (complete.Count > 1)
            throw new ArgumentException($"{dir} holds several data sets ({string.Join(", ", complete.Select(c => Path.GetFileName(c.Value.Train!)))}): pass the files");
        var (_, found, files) = complete[0];
        return new DirectoryLayout(found, files.Train!, files.Heldout, files.Test!);
    }

    [GeneratedRegex(@"^(?:(?<stem>.*?)[._-])?(?<split>train|trn|heldout|val|valid|dev|test|tst)(?<ext>(?:\.[A-Za-z0-9]+)*)$", RegexOptions.IgnoreCase)]
    private static partial Regex SplitFileName();
}
