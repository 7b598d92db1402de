using System.IO.Compression;
using System.Text;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class InputFileTests
{
    private static string Lines(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"line {i} {i * 7919 % 1000}\n"));

    [Theory]
    [InlineData("big.txt.gz", 150_000)] // about 2.4 MB: several 1 MiB chunks
    [InlineData("big.txt.bz2", 20_000)]
    public void CompressedFilesReadBackWholeThroughTheReadAheadThread(string name, int lines)
    {
        var text = Lines(lines);
        var path = Path.Combine(TestData.TempDir(), name);
        InputFile.WriteTextAtomic(path, w => w.Write(text));
        using (var reader = InputFile.OpenText(path)) Assert.Equal(text, reader.ReadToEnd());
        // Stopping early closes the file before Dispose returns.
        using (var reader = InputFile.OpenText(path)) Assert.Equal("line 0 0", reader.ReadLine());
        File.Delete(path);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void CorruptCompressedDataSurfacesOnTheReader()
    {
        var path = Path.Combine(TestData.TempDir(), "bad.gz");
        var good = new MemoryStream();
        using (var gz = new GZipStream(good, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.ASCII.GetBytes(Lines(50_000)));
        var bytes = good.ToArray();
        for (int i = 200; i < 260; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        using var reader = InputFile.OpenText(path);
        var e = Assert.Throws<DataFormatException>(() => reader.ReadToEnd());
        Assert.Equal(path, e.File);
        Assert.StartsWith("damaged gzip data", e.Problem);
    }

    [Fact]
    public void ProgressReportsReachTheFileLength()
    {
        var path = Path.Combine(TestData.TempDir(), "p.txt");
        File.WriteAllText(path, Lines(100_000));
        var updates = new List<ProgressUpdate>();
        var monitor = new TrainingMonitor { Progress = new SyncProgress(updates.Add) };
        using (var reader = InputFile.OpenText(path, monitor)) reader.ReadToEnd();
        long length = new FileInfo(path).Length;
        Assert.True(updates.Count >= 2);
        Assert.All(updates, u => Assert.Equal(length, u.Total));
        Assert.Equal(length, updates[^1].Done);
        Assert.Equal(updates.Select(u => u.Done).Order(), updates.Select(u => u.Done));
    }

    private sealed class SyncProgress(Action<ProgressUpdate> report) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value) => report(value);
    }
}
