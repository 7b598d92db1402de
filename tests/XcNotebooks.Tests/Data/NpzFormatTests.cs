using System.IO.Compression;
using System.Text;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class NpzFormatTests
{
    private static readonly float[,] FixtureDense = { { 1.5f, 0, 0, 2, 0, 0 }, { 0, 0, 0, 0, 0, 0 }, { 0, -1, 0, 0, 0.25f, 0 }, { 0, 0, 1e-3f, 0, 0, 7 } };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", name);

    [Theory]
    [InlineData("scipy-csr-float64.npz")] // save_npz: int32 indices, float64 values, deflated, '|S3' format
    [InlineData("scipy-csr-int64-unsorted.npz")] // int64 indices, an unsorted row, float32, stored, '<U3' format
    public void ReadsWhatScipyWrote(string name)
    {
        var m = NpzFormat.ReadMatrix(Fixture(name));
        Assert.Equal(FixtureDense, m.ToDense());
        Assert.Equal([0L, 2, 2, 4, 6], m.RowPointers);
        Assert.Equal([0, 3, 1, 4, 2, 5], m.ColumnIndices); // rows sorted by column
    }

    [Fact]
    public void RefusesOtherSparseFormatsClearly()
    {
        var e = Assert.Throws<DataFormatException>(() => NpzFormat.ReadMatrix(Fixture("scipy-csc.npz")));
        Assert.Contains("'csc' is not supported", e.Message);
        Assert.Contains("scipy-csc.npz", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriterRoundTripsAndUsesScipyLayout(bool compressed)
    {
        var m = RandomData.Matrix(40, 23, 0.15, seed: 7);
        var path = Path.Combine(TestData.TempDir(), "m.npz");
        NpzFormat.WriteMatrix(path, m, compressed);
        RandomData.AssertSame(m, NpzFormat.ReadMatrix(path));
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["data.npy", "format.npy", "indices.npy", "indptr.npy", "shape.npy"], zip.Entries.Select(e => e.FullName).Order());
        using var shape = new BinaryReader(zip.GetEntry("shape.npy")!.Open());
        var bytes = shape.ReadBytes(200);
        var header = Encoding.Latin1.GetString(bytes, 10, bytes[8]);
        Assert.StartsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", header);
        Assert.Equal(0, (10 + bytes[8]) % 64); // numpy aligns the data to 64 bytes
        Assert.Equal(40L, BitConverter.ToInt64(bytes, 10 + bytes[8]));
        Assert.Equal(23L, BitConverter.ToInt64(bytes, 18 + bytes[8]));
    }

    [Fact]
    public void DatasetPairsRoundTrip()
    {
        var data = RandomData.Dataset(15, 8, 6, seed: 2);
        var dir = TestData.TempDir();
        DatasetWriter.Write(Path.Combine(dir, "X.trn.npz"), data);
        var back = DatasetReader.Read(Path.Combine(dir, "X.trn.npz"));
        RandomData.AssertSame(data.Features, back.Features);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
        var labelsOnly = Path.Combine(dir, "scores.npz");
        var e = Assert.Throws<ArgumentException>(() => DatasetWriter.Write(labelsOnly, data));
        Assert.Contains("X_Xf", e.Message);
    }

    /// <summary>A .npy v1 array written byte by byte, independent of the code under test.</summary>
    private static byte[] Npy(string descr, string shape, byte[] data)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n";
        var header = Encoding.ASCII.GetBytes(dict);
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. header, .. data];
    }

    private static byte[] Ints(params int[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Floats(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static string Npz(params (string Name, byte[] Bytes)[] entries)
    {
        var path = Path.Combine(TestData.TempDir(), "hand.npz");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(bytes);
        }
        return path;
    }

    private static (string, byte[])[] Valid(byte[]? indices = null, byte[]? data = null, byte[]? indptr = null, string format = "csr") =>
    [
        ("format.npy", Npy($"|S{format.Length}", "()", Encoding.ASCII.GetBytes(format))),
        ("shape.npy", Npy("<i8", "(2,)", [.. BitConverter.GetBytes(2L), .. BitConverter.GetBytes(3L)])),
        ("indptr.npy", indptr ?? Npy("<i4", "(3,)", Ints(0, 1, 2))),
        ("indices.npy", indices ?? Npy("<i4", "(2,)", Ints(0, 2))),
        ("data.npy", data ?? Npy("<f4", "(2,)", Floats(1, 2))),
    ];

    [Fact]
    public void HandWrittenArchiveReads()
    {
        var m = NpzFormat.ReadMatrix(Npz(Valid()));
        Assert.Equal(new float[,] { { 1, 0, 0 }, { 0, 0, 2 } }, m.ToDense());
    }

    public static TheoryData<string, string> BadArchives() => new()
    {
        { "index", "column 3 outside 0..2" },
        { "nan", "not finite" },
        { "bigendian", "big-endian" },
        { "truncated", "truncated" },
        { "indptr", "indptr.npy has 2 entries" },
        { "missing", "no data.npy" },
        { "dtype", "unsupported dtype '<c8'" },
        { "notzip", "not a .npz file" },
    };

    [Theory]
    [MemberData(nameof(BadArchives))]
    public void BadArchivesNameFileAndProblem(string kind, string problem)
    {
        var valid = Valid();
        string path = kind switch
        {
            "index" => Npz(Valid(indices: Npy("<i4", "(2,)", Ints(0, 3)))),
            "nan" => Npz(Valid(data: Npy("<f4", "(2,)", Floats(1, float.NaN)))),
            "bigendian" => Npz(Valid(data: Npy(">f4", "(2,)", Floats(1, 2)))),
            "truncated" => Npz(Valid(data: Npy("<f4", "(2,)", Floats(1)))),
            "indptr" => Npz(Valid(indptr: Npy("<i4", "(2,)", Ints(0, 1)))),
            "missing" => Npz(valid[..4]),
            "dtype" => Npz(Valid(data: Npy("<c8", "(2,)", new byte[16]))),
            _ => TestData.TempFile("plain.npz", "not a zip"),
        };
        var e = Assert.Throws<DataFormatException>(() => NpzFormat.ReadMatrix(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
