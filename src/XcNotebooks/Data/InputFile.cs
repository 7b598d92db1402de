using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using XcNotebooks.Training;

namespace XcNotebooks.Data;

/// <summary>
/// Opens data files for streaming reads, decompressing .gz and .bz2 transparently (by extension, or by magic bytes
/// when the extension says nothing), and writes files atomically so a crash never leaves a half-written output.
/// </summary>
public static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading, decompressing gzip or bzip2 content.</summary>
    public static Stream OpenRead(string path) => OpenRead(path, null);

    /// <summary>
    /// Opens <paramref name="path"/> for reading, decompressing gzip or bzip2 content, and reports how much of the
    /// file (compressed bytes) has been read to <paramref name="monitor"/> under the stage "reading NAME".
    /// </summary>
    public static Stream OpenRead(string path, TrainingMonitor? monitor)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        Stream raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (monitor?.Progress is not null) raw = new ProgressStream(raw, monitor, $"reading {Path.GetFileName(path)}");
        Span<byte> magic = stackalloc byte[3];
        int got = raw.Read(magic);
        raw.Position = 0;
        if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new BufferedStream(new GZipStream(raw, CompressionMode.Decompress), 1 << 16);
        if (got >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h')
            return new BufferedStream(new BZip2InputStream(raw), 1 << 16);
        return raw;
    }

    /// <summary>Opens a text reader over a possibly compressed file (UTF-8).</summary>
    public static StreamReader OpenText(string path) => OpenText(path, null);

    /// <summary>Opens a text reader over a possibly compressed file (UTF-8), reporting progress to <paramref name="monitor"/>.</summary>
    public static StreamReader OpenText(string path, TrainingMonitor? monitor) =>
        new(OpenRead(path, monitor), Encoding.UTF8, true, 1 << 16);

    /// <summary>The file name without compression suffixes (.gz, .bz2): "a.train.bz2" gives "a.train".</summary>
    public static string StripCompression(string path)
    {
        foreach (var ext in new[] { ".gz", ".bz2" })
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return path[..^ext.Length];
        return path;
    }

    /// <summary>
    /// Writes a file atomically: content goes to a temporary sibling that replaces <paramref name="path"/> only
    /// once complete. Compresses when the name ends in .gz or .bz2.
    /// </summary>
    public static void WriteAtomic(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    using var gz = new GZipStream(fs, CompressionLevel.Optimal, leaveOpen: true);
                    write(gz);
                }
                else if (full.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase))
                {
                    using var bz = new BZip2OutputStream(fs) { IsStreamOwner = false };
                    write(bz);
                }
                else write(fs);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8, no BOM), compressing by extension.</summary>
    public static void WriteTextAtomic(string path, Action<TextWriter> write) =>
        WriteAtomic(path, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(w);
        });
}

/// <summary>
/// A read-only pass-through over a file stream that reports the position as progress (every 256 KiB and at the
/// end), so long reads of large or compressed files can show a bar.
/// </summary>
internal sealed class ProgressStream(Stream inner, TrainingMonitor monitor, string stage) : Stream
{
    private const long ReportEvery = 1 << 18;
    private readonly long _length = inner.CanSeek ? inner.Length : 0;
    private long _lastReported;

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Reported(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Reported(inner.Read(buffer));

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private int Reported(int read)
    {
        long position = inner.Position;
        if (position - _lastReported >= ReportEvery || (read == 0 && position != _lastReported))
        {
            _lastReported = position;
            monitor.Report(stage, position, _length);
        }
        return read;
    }
}
