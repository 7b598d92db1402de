using XcNotebooks.Core;
namespace XcNotebooks.Data.Formats;

/// <summary>
/// Writes data sets in any format <see cref="DatasetReader"/> reads back, choosing the format from the file name
/// unless told: .txt XMLRepository (NAME_X_Xf.txt: pyxclib X/Y pair), .svm/.libsvm/.train/.heldout/.test LIBSVM,
/// .npz scipy sparse (NAME_X_Xf.npz or X.SPLIT.npz pair), .arff Mulan (label XML beside it), .jsonl/.json JSON lines;
/// LF-* and DEXML raw text are directories. Compression follows a trailing .gz or .bz2.
/// </summary>
public static class DatasetWriter
{
    /// <summary>The format a file name asks for (Auto when the name says nothing: a directory or no extension).</summary>
    public static DataFormat FormatFor(string path)
    {
        if (MatrixPairs.IsPairName(path)) return path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? DataFormat.Npz : DataFormat.SparseText;
        var name = InputFile.StripCompression(path).ToLowerInvariant();
        return Path.GetExtension(name) switch
        {
            ".txt" => DataFormat.XmlRepository,
            ".svm" or ".libsvm" or ".train" or ".heldout" or ".test" or ".t" => DataFormat.LibSvm,
            ".npz" => DataFormat.Npz,
            ".arff" => DataFormat.MulanArff,
            ".jsonl" or ".json" => DataFormat.JsonLines,
            _ => DataFormat.Auto,
        };
    }

    /// <summary>
    /// Checks before any data is read that <see cref="Write"/> (or, with <paramref name="splits"/>,
    /// <see cref="WriteSplits"/>) can write to <paramref name="path"/>: the format is known and the destination (a file,
    /// or a directory for LF-*, raw text and pyxclib pairs without an extension) is writable. Throws
    /// <see cref="ArgumentException"/> or <see cref="IOException"/> naming the path.
    /// </summary>
    public static void CheckDestination(string path, DataFormat format, bool splits)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (format == DataFormat.Auto) format = FormatFor(path);
        if (format == DataFormat.Auto && !splits)
            throw new ArgumentException($"{path}: cannot tell the format from the name; give it (e.g. --to xmlrepository)");
        bool directory = format is DataFormat.LfText or DataFormat.RawText
            || (splits && format is DataFormat.SparseText or DataFormat.Npz && Path.GetExtension(path).Length == 0);
        if (directory) InputFile.CheckWritableDirectory(path);
        else InputFile.CheckWritableFile(path);
    }

    /// <summary>
    /// Writes one split to <paramref name="path"/>. Matrix-pair formats write features to NAME_X_Xf (or X.SPLIT.npz)
    /// and labels to NAME_X_Y (or Y.SPLIT.npz); any other name holds the labels alone, which only suits a data set
    /// without features (a label or score matrix).
    /// </summary>
    public static void Write(string path, Dataset data, DataFormat format = DataFormat.Auto)
    {
        if (format == DataFormat.Auto) format = FormatFor(path);
        switch (format)
        {
            case DataFormat.XmlRepository: XmlRepositoryFormat.Write(path, data); break;
            case DataFormat.LibSvm: LibSvmFormat.Write(path, data); break;
            case DataFormat.SparseText: WritePair(path, data, SparseTextFormat.WriteMatrix); break;
            case DataFormat.Npz: WritePair(path, data, (p, m) => NpzFormat.WriteMatrix(p, m)); break;
            case DataFormat.MulanArff: MulanArffFormat.Write(path, LabelXmlPath(path), data); break;
            case DataFormat.JsonLines: JsonLinesFormat.Write(path, data); break;
            case DataFormat.LfText or DataFormat.RawText:
                throw new ArgumentException($"{format} data sets are directories of train and test splits: write the splits (WriteSplits)");
            case DataFormat.Auto:
                throw new ArgumentException($"{path}: cannot tell the format from the name; give it (e.g. --to xmlrepository)");
            default:
                throw new ArgumentException($"writing {format} is not supported");
        }
    }

    /// <summary>
    /// Writes all splits. Directory formats (LF-*, raw text) take <paramref name="path"/> as the directory; pyxclib
    /// pairs go to PATH/{trn,val,tst}_X_Xf.EXT and _X_Y.EXT; other formats get the split name before the extension
    /// ("out/bibtex.txt" gives out/bibtex.train.txt, out/bibtex.test.txt), which <see cref="DatasetReader.ReadDirectory"/>
    /// finds again; JSON lines splits also get labels.txt (the label names in id order) beside them.
    /// </summary>
    public static IReadOnlyList<string> WriteSplits(string path, DataSplits data, DataFormat format = DataFormat.Auto)
    {
        if (format == DataFormat.Auto) format = FormatFor(path);
        var named = new List<(string Name, string Short, Dataset Set)> { ("train", "trn", data.Train) };
        if (data.Heldout is not null) named.Add(("heldout", "val", data.Heldout));
        named.Add(("test", "tst", data.Test));
        switch (format)
        {
            case DataFormat.LfText: LfTextFormat.Write(path, data); return [path];
            case DataFormat.RawText: RawTextFormat.Write(path, data); return [path];
            case DataFormat.SparseText or DataFormat.Npz:
            {
                var ext = format == DataFormat.Npz ? ".npz" : ".txt";
                var dir = Path.GetExtension(path).Length == 0 ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
                var written = new List<string>();
                foreach (var (_, shortName, set) in named)
                {
                    var (features, _) = MatrixPairs.Names(dir, shortName, ext);
                    Write(features, set, format);
                    written.Add(features);
                }
                return written;
            }
            case DataFormat.MulanArff:
            {
                // One label XML for all splits: NAME.xml beside NAME-train.arff, NAME-test.arff.
                var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
                var written = named.Select(n => $"{stem}-{n.Name}.arff").ToList();
                for (int i = 0; i < named.Count; i++) MulanArffFormat.Write(written[i], stem + ".xml", named[i].Set);
                return written;
            }
            default:
            {
                var plain = InputFile.StripCompression(path);
                var compression = path[plain.Length..];
                var extension = Path.GetExtension(plain);
                var stem = plain[..^extension.Length];
                var written = named.Select(n => $"{stem}.{n.Name}{extension}{compression}").ToList();
                for (int i = 0; i < named.Count; i++) Write(written[i], named[i].Set, format);
                if (format == DataFormat.JsonLines && data.Train.LabelNames is { } names)
                {
                    // ReadDirectory takes labels.txt as the vocabulary, which keeps the label ids.
                    var labels = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "labels.txt");
                    InputFile.WriteTextAtomic(labels, w => { foreach (var n in names) w.Write(n + "\n"); });
                    written.Add(labels);
                }
                return written;
            }
        }
    }

    private static void WritePair(string path, Dataset data, Action<string, CsrMatrix> write)
    {
        var (features, labels) = MatrixPairs.Resolve(path);
        if (features is null && data.NumFeatures > 0)
            throw new ArgumentException($"{path}: name the file NAME_X_Xf.EXT (or X.SPLIT.npz) so that features and labels go to a pair of files; " +
                "a lone file holds a label or score matrix only");
        if (features is null)
        {
            write(labels, data.Labels.Matrix);
            return;
        }
        if (!string.Equals(Path.GetFullPath(features), Path.GetFullPath(path), StringComparison.Ordinal))
            throw new ArgumentException($"{path} names the labels file of a pair; give the features file {features}");
        write(features, data.Features);
        write(labels, data.Labels.Matrix);
    }

    private static string LabelXmlPath(string arffPath)
    {
        var full = Path.GetFullPath(InputFile.StripCompression(arffPath));
        return Path.Combine(Path.GetDirectoryName(full)!, MulanArffFormat.SharedStem(Path.GetFileNameWithoutExtension(full)) + ".xml");
    }
}
