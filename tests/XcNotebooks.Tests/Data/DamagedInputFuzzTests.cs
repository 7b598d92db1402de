using System.IO.Compression;
using System.Text;
using CsCheck;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

/// <summary>
/// Property tests over damaged copies of small valid files, for every reader (plain, .gz and .bz2 where it accepts
/// them) and for model files: random truncations, byte flips and byte insertions. Each case must end in a read equal
/// to the original where the damage cannot have changed the meaning (any change to compressed data or a model is
/// caught by a checksum), or in a <see cref="DataFormatException"/> naming a file of the case; never another exception
/// type, a hang, or fewer rows from a truncation of a compressed or row-counted file. Model files of two methods
/// (plain and gzip-compressed) are targets too.
/// </summary>
public sealed class DamagedInputFuzzTests(ITestOutputHelper output)
{
    /// <summary>Damaged cases per target: about 8,000 in all over the targets below, in well under a minute on 2 cores.</summary>
    private const int CasesPerTarget = 300;

    /// <summary>A case that runs longer than this has hung.</summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How a damaged file's read is compared with the original's.</summary>
    private enum Check
    {
        /// <summary>Plain text without a row count: a cut may legitimately leave fewer rows, never more.</summary>
        PlainRows,

        /// <summary>A format that knows its row count (header, zip directory, checksum): a cut read must give every row.</summary>
        CountedRows,

        /// <summary>Compressed or checksummed: any read that succeeds must equal the original.</summary>
        Exact,
    }

    /// <summary>
    /// A fuzz target: the files of one small valid data set or model, which of them is damaged, how to read the case
    /// folder, and what a successful read must satisfy.
    /// </summary>
    private sealed record Target(string Name, IReadOnlyDictionary<string, byte[]> Files, string Damaged, Func<string, Reading> Read, Check Check);

    /// <summary>What a read gave: its rows, and a fingerprint of everything read.</summary>
    private sealed record Reading(int Rows, string Fingerprint);

    private enum Damage
    {
        Truncate,
        Flip,
        Insert,
    }

    /// <summary>The targets' files are written once per test run.</summary>
    private static readonly Lazy<IReadOnlyList<Target>> AllTargets = new(() => Targets().ToList());

    public static TheoryData<string> TargetNames() => [.. AllTargets.Value.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void DamagedCopiesReadCorrectlyOrFailWithAFormatErrorNamingTheFile(string name)
    {
        var target = AllTargets.Value.Single(t => t.Name == name);
        var original = target.Read(WriteCase(target, target.Files[target.Damaged]));
        Assert.True(original.Rows > 0, $"{name}: the undamaged files read {original.Rows} rows");
        int length = target.Files[target.Damaged].Length;
        var damage = Gen.Select(Gen.Enum<Damage>(), Gen.Int[0, length - 1], Gen.Byte);
        long cases = 0, errors = 0;
        damage.Sample((kind, at, value) =>
        {
            Interlocked.Increment(ref cases);
            var bytes = Damaged(target.Files[target.Damaged], kind, at, value);
            var dir = WriteCase(target, bytes);
            try
            {
                var reading = WithinTimeout(() => target.Read(dir), $"{name}: {kind} at {at}");
                switch (target.Check)
                {
                    case Check.Exact:
                        Assert.Equal(original, reading);
                        break;
                    case Check.CountedRows when kind == Damage.Truncate:
                        Assert.Equal(original.Rows, reading.Rows);
                        break;
                    case Check.PlainRows when kind == Damage.Truncate:
                        Assert.InRange(reading.Rows, 0, original.Rows);
                        break;
                }
            }
            catch (DataFormatException format)
            {
                Interlocked.Increment(ref errors);
                Assert.StartsWith(dir, format.File, StringComparison.Ordinal); // names a file of this case
                Assert.DoesNotContain('\n', format.Message);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }, seed: new PCG(15, (ulong)name.Length * 7919).ToString(), iter: CasesPerTarget, threads: 1,
            print: t => $"{t.Item1} at {t.Item2} with 0x{t.Item3:x2}");
        output.WriteLine($"{name}: {cases} damaged cases, {errors} format errors, {cases - errors} reads checked against the original");
        Assert.True(errors > 0, $"{name}: no case was rejected");
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a thread of its own (not the pool: the readers' read-ahead tasks need the pool's
    /// few threads) and fails when it has not finished within <see cref="CaseTimeout"/>; rethrows what it threw.
    /// </summary>
    private static Reading WithinTimeout(Func<Reading> read, string what)
    {
        Reading? result = null;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = read(); }
            catch (Exception e) { error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }) { IsBackground = true };
        thread.Start();
        if (!thread.Join(CaseTimeout)) throw new TimeoutException($"{what} did not finish in {CaseTimeout}");
        error?.Throw();
        return result!;
    }

    private static byte[] Damaged(byte[] bytes, Damage kind, int at, byte value) => kind switch
    {
        Damage.Truncate => bytes[..at],
        Damage.Flip => Flipped(bytes, at, value),
        _ => [.. bytes[..at], value, .. bytes[at..]],
    };

    private static byte[] Flipped(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= (byte)(value | 1); // never zero: the byte changes
        return copy;
    }

    private static string WriteCase(Target target, byte[] damaged)
    {
        var dir = TestData.TempDir();
        foreach (var (name, bytes) in target.Files)
        {
            var path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, name == target.Damaged ? damaged : bytes);
        }
        return dir;
    }

    private static IEnumerable<Target> Targets()
    {
        var data = SmallData();
        // Each format written by the kit's own writers, then read back by its reader.
        string Written(string fileName, Action<string> write)
        {
            var dir = TestData.TempDir();
            write(Path.Combine(dir, fileName));
            return dir;
        }
        IReadOnlyDictionary<string, byte[]> FilesOf(string dir) =>
            Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

        foreach (var suffix in new[] { "", ".gz", ".bz2" })
        {
            var check = suffix.Length == 0 ? Check.PlainRows : Check.Exact;
            var svm = FilesOf(Written("a.svm" + suffix, p => LibSvmFormat.Write(p, data.Train)));
            yield return new Target("libsvm" + suffix, svm, "a.svm" + suffix, d => Of(LibSvmFormat.Read(Path.Combine(d, "a.svm" + suffix))), check);
            var xml = FilesOf(Written("a.txt" + suffix, p => XmlRepositoryFormat.Write(p, data.Train)));
            yield return new Target("xmlrepository" + suffix, xml, "a.txt" + suffix, d => Of(XmlRepositoryFormat.Read(Path.Combine(d, "a.txt" + suffix))),
                suffix.Length == 0 ? Check.CountedRows : Check.Exact);
            var jsonl = FilesOf(Written("a.jsonl" + suffix, p => JsonLinesFormat.Write(p, data.Train)));
            yield return new Target("jsonl" + suffix, jsonl, "a.jsonl" + suffix, d => Of(JsonLinesFormat.Read(Path.Combine(d, "a.jsonl" + suffix))), check);
            var sparse = FilesOf(Written("X.txt" + suffix, p => SparseTextFormat.WriteMatrix(p, data.Train.Features)));
            yield return new Target("sparsetext" + suffix, sparse, "X.txt" + suffix, d => Of(SparseTextFormat.ReadMatrix(Path.Combine(d, "X.txt" + suffix))),
                suffix.Length == 0 ? Check.CountedRows : Check.Exact);
        }
        foreach (var suffix in new[] { "", ".bz2" })
        {
            var pd = FilesOf(Written("s.train" + suffix, p =>
            {
                LibSvmFormat.Write(p, data.Train);
                LibSvmFormat.Write(Path.Combine(Path.GetDirectoryName(p)!, "s.test"), data.Test);
            }));
            yield return new Target("pdsparse" + suffix, pd, "s.train" + suffix, d => Of(LibSvmFormat.ReadPdSparse(Path.Combine(d, "s"))),
                suffix.Length == 0 ? Check.PlainRows : Check.Exact);
        }
        foreach (var suffix in new[] { "", ".gz" })
        {
            var arff = FilesOf(Written("m.arff" + suffix, p => MulanArffFormat.Write(p, Path.Combine(Path.GetDirectoryName(p)!, "m.xml"), data.Train)));
            yield return new Target("mulanarff" + suffix, arff, "m.arff" + suffix, d => Of(MulanArffFormat.Read(Path.Combine(d, "m.arff" + suffix), Path.Combine(d, "m.xml"))),
                suffix.Length == 0 ? Check.PlainRows : Check.Exact);
        }
        yield return new Target("mulanarff-labelxml", FilesOf(Written("m.arff", p => MulanArffFormat.Write(p, Path.Combine(Path.GetDirectoryName(p)!, "m.xml"), data.Train))),
            "m.xml", d => Of(MulanArffFormat.Read(Path.Combine(d, "m.arff"), Path.Combine(d, "m.xml"))), Check.CountedRows);
        yield return new Target("npz", FilesOf(Written("X.npz", p => NpzFormat.WriteMatrix(p, data.Train.Features))), "X.npz",
            d => Of(NpzFormat.ReadMatrix(Path.Combine(d, "X.npz"))), Check.CountedRows);
        yield return new Target("npz-stored", FilesOf(Written("X.npz", p => NpzFormat.WriteMatrix(p, data.Train.Features, compressed: false))), "X.npz",
            d => Of(NpzFormat.ReadMatrix(Path.Combine(d, "X.npz"))), Check.CountedRows);
        var lf = FilesOf(Written("lf", p => DatasetWriter.WriteSplits(p, data, DataFormat.LfText)));
        yield return new Target("lf-json.gz", lf, lf.Keys.Single(k => k.EndsWith("trn.json.gz", StringComparison.Ordinal)),
            d => Of(LfTextFormat.Read(Path.Combine(d, "lf"))), Check.Exact);
        foreach (var suffix in new[] { "", ".gz" })
        {
            var hmc = new Dictionary<string, byte[]> { ["h.arff" + suffix] = Compressed(ClusHmcFile, suffix) };
            yield return new Target("clushmc" + suffix, hmc, "h.arff" + suffix, d => Of(ClusHmcFormat.Read(Path.Combine(d, "h.arff" + suffix))),
                suffix.Length == 0 ? Check.PlainRows : Check.Exact);
        }
        foreach (var suffix in new[] { "", ".gz" })
        {
            var popularity = FilesOf(Written("model.popularity" + suffix, p => LabelPopularity.Train(data.Train).Save(p)));
            yield return new Target("model.popularity" + suffix, popularity, "model.popularity" + suffix,
                d => new Reading(1, string.Join(',', LabelPopularity.Load(Path.Combine(d, "model.popularity" + suffix)).Ranking)), Check.Exact);
            var knn = FilesOf(Written("model.knn" + suffix, p => KNearestNeighbours.Train(data.Train, new KNearestNeighboursOptions { Neighbours = 3 }).Save(p)));
            yield return new Target("model.knn" + suffix, knn, "model.knn" + suffix,
                d => new Reading(1, string.Join(',', KNearestNeighbours.Load(Path.Combine(d, "model.knn" + suffix)).TopK(data.Test, 3).Labels)), Check.Exact);
        }
    }

    /// <summary>A Clus HMC file with a tree hierarchy, numeric, nominal and missing values (from ClusHmcFormatTests).</summary>
    private const string ClusHmcFile = """
        @RELATION toy
        @ATTRIBUTE a1 numeric
        @ATTRIBUTE colour {red,green}
        @ATTRIBUTE a2 NUMERIC
        @ATTRIBUTE class hierarchical 2/1/3,1,2,2/0,1/a
        @DATA
        0.5,green,3,2/1/3
        ?,red,-1,1/a@2/0
        1,red,0,1
        0.25,green,2,2/0

        """;

    private static byte[] Compressed(string text, string suffix)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (suffix.Length == 0) return bytes;
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(bytes);
        return buffer.ToArray();
    }

    /// <summary>Twelve training and four test points over 12 features and 6 labels, values with several digits.</summary>
    private static DataSplits SmallData()
    {
        var splits = XcNotebooks.Synthetic.SyntheticXc.Generate(new XcNotebooks.Synthetic.SyntheticXcOptions
        {
            NumLabels = 6, NumFeatures = 12, NumTrain = 12, NumHeldout = 0, NumTest = 4, Seed = 15, Texts = false, MultiLabel = true,
        });
        return splits with { Heldout = null };
    }

    private static Reading Of(Dataset d) =>
        new(d.NumPoints, $"{d.NumFeatures}|{d.NumLabels}|{Of(d.Features).Fingerprint}|{Of(d.Labels.Matrix).Fingerprint}");

    private static Reading Of(DataSplits s) =>
        new(s.Train.NumPoints, string.Join('/', s.All.Select(d => Of(d).Fingerprint)));

    private static Reading Of(CsrMatrix m) =>
        new(m.Rows, $"{m.Rows}x{m.Cols}|{string.Join(',', m.RowPointers)}|{string.Join(',', m.ColumnIndices)}|{string.Join(',', m.Values)}");
}
