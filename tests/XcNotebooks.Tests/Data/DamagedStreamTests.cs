using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

/// <summary>Issue 15, cases 1, 2, 5 and 6: damaged and hostile input streams end in one format error naming the file.</summary>
public class DamagedStreamTests
{
    /// <summary>300 LIBSVM rows, as the example ("73 points" of 300 read from a cut .gz).</summary>
    private static string Rows(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{i % 7} {1 + i % 13}:0.{i % 10 + 1} {20 + i % 17}:1.5\n"));

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return buffer.ToArray();
    }

    private static byte[] Bzip2(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var bz = new BZip2OutputStream(buffer) { IsStreamOwner = false }) bz.Write(data);
        return buffer.ToArray();
    }

    [Fact]
    public void EveryCutOfAGzipFileIsAnErrorNeverFewerRows()
    {
        var text = Encoding.ASCII.GetBytes(Rows(300));
        var gz = Gzip(text);
        var dir = TestData.TempDir();
        var path = Path.Combine(dir, "t.train.gz");
        File.WriteAllBytes(path, gz);
        Assert.Equal(300, LibSvmFormat.Read(path).NumPoints);
        // Every cut: inside the header, the deflate data, the CRC32 and the length of the trailer.
        for (int cut = 0; cut < gz.Length; cut++)
        {
            File.WriteAllBytes(path, gz[..cut]);
            var e = Assert.Throws<DataFormatException>(() => LibSvmFormat.Read(path));
            Assert.Equal(path, e.File);
        }
    }

    [Fact]
    public void CutAndFlippedBzip2FilesAreErrorsNamingTheFile()
    {
        var bz = Bzip2(Encoding.ASCII.GetBytes(Rows(300)));
        var path = Path.Combine(TestData.TempDir(), "t.train.bz2");
        foreach (int cut in new[] { 0, 2, 10, bz.Length / 3, bz.Length / 2, bz.Length - 10, bz.Length - 1 })
        {
            File.WriteAllBytes(path, bz[..cut]);
            Assert.Equal(path, Assert.Throws<DataFormatException>(() => LibSvmFormat.Read(path)).File);
        }
        var flipped = (byte[])bz.Clone();
        flipped[bz.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        var error = Assert.Throws<DataFormatException>(() => LibSvmFormat.Read(path));
        Assert.StartsWith($"{path}: damaged bzip2 data near byte ", error.Message);
    }

    [Fact]
    public void ConcatenatedGzipMembersStillReadWhole()
    {
        // gzip -c a >> f; gzip -c b >> f: the trailer at the end covers only the last member.
        var first = Encoding.ASCII.GetBytes(Rows(200));
        var second = Encoding.ASCII.GetBytes(Rows(100));
        var path = Path.Combine(TestData.TempDir(), "two.svm.gz");
        File.WriteAllBytes(path, [.. Gzip(first), .. Gzip(second)]);
        using (var reader = InputFile.OpenText(path)) Assert.Equal(Rows(200) + Rows(100), reader.ReadToEnd());
        var cut = File.ReadAllBytes(path)[..^20];
        File.WriteAllBytes(path, cut);
        Assert.Throws<DataFormatException>(() => LibSvmFormat.Read(path));
    }

    [Fact]
    public void ALineLongerThanTheLimitIsFoundWhileStreaming()
    {
        var path = TestData.TempFile("long.svm", "1 1:1\n2 " + new string('7', 5000) + "\n3 2:1\n");
        using (var reader = InputFile.OpenText(path, null, 1000))
        {
            // Raised as the bytes stream past (here with the reader's first buffer), before the line is assembled.
            var e = Assert.Throws<DataFormatException>(() => reader.ReadToEnd());
            Assert.Equal(2, e.Line);
            Assert.Contains("longer than 1,000 bytes", e.Problem);
        }
        // The same file within the limit reads, and the default limit is 64 MiB unless XCN_MAX_LINE_MB says otherwise.
        using (var reader = InputFile.OpenText(path, null, 6000)) Assert.Equal(3, reader.ReadToEnd().Count(c => c == '\n'));
        Assert.Equal(64 << 20, InputFile.MaxLineBytesFrom(null));
        Assert.Equal(3 << 20, InputFile.MaxLineBytesFrom("3"));
        Assert.Equal(64 << 20, InputFile.MaxLineBytesFrom("zero"));
    }

    [Fact]
    public void AHugeTokenIsCutInTheMessage()
    {
        var token = new string('x', 100_000);
        var path = TestData.TempFile("token.svm", $"1 {token}\n");
        var e = BadInput.Expect(() => LibSvmFormat.Read(path), path, 1, "expected 'feature:value'");
        Assert.Contains(new string('x', LineParser.ShownTokenChars) + "…'", e.Message);
        Assert.True(e.Message.Length < 200, e.Message);
    }

    [Theory]
    [InlineData("1 2147483647:1\n", "feature id 2147483647 is above")]
    [InlineData("1 -3:1\n", "feature id -3 is below 1")]
    [InlineData("Infinity 1:1\n", "label 'Infinity' is not an integer")]
    [InlineData("1e300 1:1\n", "label '1e300' is outside ±2^53")]
    [InlineData("NaN 1:1\n", "label 'NaN' is not an integer")]
    [InlineData("2.5 1:1\n", "label '2.5' is not an integer")]
    [InlineData("1 1:NaN\n", "feature value is NaN, not a finite number")]
    [InlineData("1 1:-Infinity\n", "feature value is -Infinity, not a finite number")]
    [InlineData("1 1:1e39\n", "feature value is 1e39, not a finite number")]
    public void OutOfRangeIdsLabelsAndNonFiniteValuesAreErrorsAtTheirLine(string line, string problem)
    {
        var path = TestData.TempFile("r.svm", "3 1:1\n" + line);
        BadInput.Expect(() => LibSvmFormat.Read(path), path, 2, problem);
    }

    [Fact]
    public void LabelsWrittenAsWholeNumbersStillRead()
    {
        var path = TestData.TempFile("w.svm", "1e3 1:1\n7.0,-2 2:1\n9007199254740992 3:1\n");
        var data = LibSvmFormat.Read(path);
        Assert.Equal(["-2", "7", "1000", "9007199254740992"], data.LabelNames);
    }

    [Fact]
    public void AMatrixWiderThanAnArrayCanIndexIsRefused() =>
        Assert.Throws<ArgumentException>(() => new CsrMatrix(0, int.MaxValue, [0], [], []));
}
