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
        // Decompression runs ahead on another thread, so that it overlaps with the caller's parsing.
        if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new ReadAheadStream(new GZipStream(raw, CompressionMode.Decompress));
        if (got >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h')
            return new ReadAheadStream(new BZip2InputStream(raw));
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

/// <summary>
/// Reads an inner stream on a background task into a few 1 MiB chunks ahead of the consumer: decompression (bzip2 is
/// slow) then overlaps with parsing. Errors of the inner stream surface on the consumer's next read; disposing stops
/// the reader and closes the inner stream before returning.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private const int ChunkSize = 1 << 20;
    private readonly System.Threading.Channels.Channel<(byte[] Buffer, int Count)> _chunks =
        System.Threading.Channels.Channel.CreateBounded<(byte[], int)>(new System.Threading.Channels.BoundedChannelOptions(3) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[] _current = [];
    private int _offset, _count;
    private bool _done;

    public ReadAheadStream(Stream inner)
    {
        _producer = Task.Run(async () =>
        {
            try
            {
                using (inner)
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var buffer = new byte[ChunkSize];
                        int filled = 0, n;
                        while (filled < ChunkSize && (n = inner.Read(buffer, filled, ChunkSize - filled)) > 0) filled += n;
                        if (filled > 0) await _chunks.Writer.WriteAsync((buffer, filled), _stop.Token).ConfigureAwait(false);
                        if (filled < ChunkSize) break;
                    }
                }
                _chunks.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                _chunks.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _chunks.Writer.TryComplete(e);
            }
        });
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (_offset == _count)
        {
            if (_done) return 0;
            if (!_chunks.Reader.TryRead(out var chunk))
            {
                bool more;
                try
                {
                    more = _chunks.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
                }
                catch (System.Threading.Channels.ChannelClosedException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
                if (!more) { _done = true; return 0; }
                continue;
            }
            (_current, _count, _offset) = (chunk.Buffer, chunk.Count, 0);
        }
        int n = Math.Min(buffer.Length, _count - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            while (_chunks.Reader.TryRead(out _)) { } // frees a producer blocked on a full channel
            try { _producer.Wait(); } catch (AggregateException) { }
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
