using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;

namespace XcNotebooks.Core;

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
        // Decompressor errors become DataFormatException naming the file, and a gzip stream's end is checked against
        // its trailer, before the read-ahead thread hands them on.
        bool gzip = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        bool bzip2 = got >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h';
        if (gzip) return new ReadAheadStream(new CheckedDecompressionStream(() => new GZipStream(raw, CompressionMode.Decompress), raw, path, CompressionKind.Gzip));
        // BZip2InputStream reads the stream header in its constructor: created on the first read, inside the checks.
        if (bzip2) return new ReadAheadStream(new CheckedDecompressionStream(() => new BZip2InputStream(raw), raw, path, CompressionKind.Bzip2));
        // A name that promises compression with content that is not (an empty or cut file) would read as no rows.
        var named = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "gzip" : path.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) ? "bzip2" : null;
        if (named is not null)
        {
            raw.Dispose();
            throw new DataFormatException(path, 0, $"the name says {named} but the file ({new FileInfo(path).Length:N0} bytes) does not start with {named} magic bytes (empty, cut or not compressed)");
        }
        return raw;
    }

    /// <summary>The default longest line a text reader accepts, in bytes (64 MiB).</summary>
    public const int DefaultMaxLineBytes = 64 << 20;

    /// <summary>
    /// The longest line a text reader accepts, in bytes: <see cref="DefaultMaxLineBytes"/>, or the environment
    /// variable XCN_MAX_LINE_MB (in MiB) read once at start-up. A longer line is a <see cref="DataFormatException"/>
    /// raised while streaming, so a file without line breaks never fills memory.
    /// </summary>
    public static int MaxLineBytes { get; } = MaxLineBytesFrom(Environment.GetEnvironmentVariable("XCN_MAX_LINE_MB"));

    /// <summary>The line limit in bytes that the value of XCN_MAX_LINE_MB gives (the default when unset or not a positive number).</summary>
    public static int MaxLineBytesFrom(string? megabytes) =>
        int.TryParse(megabytes, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int mb) && mb > 0
            ? (int)Math.Min(Array.MaxLength, (long)mb << 20)
            : DefaultMaxLineBytes;

    /// <summary>Opens a text reader over a possibly compressed file (UTF-8).</summary>
    public static StreamReader OpenText(string path) => OpenText(path, null);

    /// <summary>Opens a text reader over a possibly compressed file (UTF-8), reporting progress to <paramref name="monitor"/>.</summary>
    public static StreamReader OpenText(string path, TrainingMonitor? monitor) => OpenText(path, monitor, MaxLineBytes);

    /// <summary>
    /// Opens a text reader over a possibly compressed file (UTF-8) whose lines may be at most
    /// <paramref name="maxLineBytes"/> bytes long; a longer line is a <see cref="DataFormatException"/> naming it.
    /// </summary>
    public static StreamReader OpenText(string path, TrainingMonitor? monitor, int maxLineBytes) =>
        new(new LineLengthGuardStream(OpenRead(path, monitor), path, maxLineBytes), Encoding.UTF8, true, 1 << 16);

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
        RemoveStaleTemporaries(full);
        var tmp = Path.Combine(dir, $"{TemporaryPrefix(full)}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
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

    /// <summary>The name every temporary of <paramref name="fullPath"/> starts with: ".NAME." (then the writer's process id).</summary>
    private static string TemporaryPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    /// <summary>
    /// Deletes temporaries of <paramref name="fullPath"/> left by writers that were killed mid-write: those whose
    /// process id is no longer running (a temporary of a live process may be a concurrent save in progress).
    /// </summary>
    private static void RemoveStaleTemporaries(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(dir)) return;
        var prefix = TemporaryPrefix(fullPath);
        foreach (var tmp in Directory.EnumerateFiles(dir, prefix + "*.tmp"))
        {
            var rest = Path.GetFileName(tmp)[prefix.Length..];
            int dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Checks, before any work, that a file can be written at <paramref name="path"/>: it is not a directory, no
    /// ancestor is a file, and its folder exists (created here when missing) and accepts a new file. Throws an
    /// <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>) whose message names the path.
    /// </summary>
    public static void CheckWritableFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{path}: is a directory, not a file");
        CheckWritableDirectory(Path.GetDirectoryName(full)!, path);
    }

    /// <summary>
    /// Checks, before any work, that files can be written in the directory <paramref name="path"/> (created here when
    /// missing): it is not a file, no ancestor is a file, and it accepts a new file.
    /// </summary>
    public static void CheckWritableDirectory(string path) => CheckWritableDirectory(Path.GetFullPath(path), path);

    private static void CheckWritableDirectory(string fullDir, string shown)
    {
        if (File.Exists(fullDir)) throw new IOException($"{shown}: {fullDir} is a file, not a directory");
        for (var up = Path.GetDirectoryName(fullDir); up is not null; up = Path.GetDirectoryName(up))
            if (File.Exists(up)) throw new IOException($"{shown}: {up} is a file, not a directory");
        try
        {
            Directory.CreateDirectory(fullDir);
            var probe = Path.Combine(fullDir, $".xcn-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{shown}: cannot write in {fullDir} ({e.Message})", e);
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
internal sealed class ReadAheadStream : ForwardReadStream
{
    private const int ChunkSize = 1 << 20;
    private readonly System.Threading.Channels.Channel<(byte[] Buffer, int Count)> _chunks =
        System.Threading.Channels.Channel.CreateBounded<(byte[], int)>(new System.Threading.Channels.BoundedChannelOptions(3) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[] _current = [];
    private int _offset, _count;
    private bool _done, _disposed;

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

    protected override void Dispose(bool disposing)
    {
        // Readers that own this stream (BinaryReader, StreamReader) dispose it too: the second call does nothing.
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            while (_chunks.Reader.TryRead(out _)) { } // frees a producer blocked on a full channel
            try { _producer.Wait(); } catch (AggregateException) { }
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>The compression of a stream that <see cref="CheckedDecompressionStream"/> checks.</summary>
internal enum CompressionKind
{
    Gzip,
    Bzip2,
}

/// <summary>
/// Wraps a decompressor so that every error of the compressed data (a flipped byte, a cut) surfaces as a
/// <see cref="DataFormatException"/> naming the file and about where, and so that a gzip stream that ends early is an
/// error rather than fewer bytes: GZipStream stops silently at a cut, so at the end the CRC32 and length of what was
/// decompressed are checked against the gzip trailer (a concatenated multi-member file, whose trailer only covers its
/// last member, is then checked member by member).
/// </summary>
internal sealed class CheckedDecompressionStream(Func<Stream> openDecompressor, Stream compressed, string path, CompressionKind kind) : ForwardReadStream
{
    private Stream? _decompressor;
    private readonly System.IO.Hashing.Crc32 _crc = new();
    private long _length;
    private bool _ended;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _ended) return 0;
        int read;
        try
        {
            _decompressor ??= openDecompressor();
            read = _decompressor.Read(buffer);
        }
        catch (Exception e) when (IsDataError(e))
        {
            throw Damaged(e.Message, e);
        }
        if (read > 0)
        {
            if (kind == CompressionKind.Gzip) _crc.Append(buffer[..read]);
            _length += read;
            return read;
        }
        _ended = true;
        if (kind == CompressionKind.Gzip) CheckGzipEnd();
        return 0;
    }

    /// <summary>Errors that mean the compressed bytes are wrong, as opposed to the disk or the caller failing.</summary>
    private static bool IsDataError(Exception e) =>
        e is InvalidDataException or EndOfStreamException or ICSharpCode.SharpZipLib.SharpZipBaseException
            or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException;

    private DataFormatException Damaged(string problem, Exception? inner = null)
    {
        var name = kind == CompressionKind.Gzip ? "gzip" : "bzip2";
        var where = compressed.CanSeek ? $" near byte {compressed.Position:N0} of {compressed.Length:N0}" : "";
        return new DataFormatException(path, 0, $"damaged {name} data{where}: {problem}", inner);
    }

    private void CheckGzipEnd()
    {
        Span<byte> trailer = stackalloc byte[8];
        long fileLength;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
        {
            fileLength = file.Length;
            if (fileLength < 18) throw Damaged($"the file ends after {fileLength} bytes, before a complete gzip member (gzip -t rejects it)");
            file.Seek(-8, SeekOrigin.End);
            file.ReadExactly(trailer);
        }
        uint crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (crc == _crc.GetCurrentHashAsUInt32() && size == unchecked((uint)_length)) return;
        CheckGzipMembers();
    }

    /// <summary>Decompresses the file again member by member (SharpZipLib checks each member's trailer).</summary>
    private void CheckGzipMembers()
    {
        long total = 0;
        try
        {
            using var members = new ICSharpCode.SharpZipLib.GZip.GZipInputStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16));
            var buffer = new byte[1 << 16];
            int n;
            while ((n = members.Read(buffer, 0, buffer.Length)) > 0) total += n;
        }
        catch (Exception e) when (IsDataError(e))
        {
            throw new DataFormatException(path, 0,
                $"damaged gzip data: the stream ends early or does not match its CRC32/length trailer after {_length:N0} bytes ({e.Message}; gzip -t rejects it)", e);
        }
        if (total != _length)
            throw new DataFormatException(path, 0, $"damaged gzip data: {_length:N0} bytes decompressed, {total:N0} expected");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) (_decompressor ?? compressed).Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Passes a text stream through and fails as soon as a line grows longer than a limit (counted in bytes between
/// '\n' bytes, which never occur inside a UTF-8 sequence), so a hostile file without line breaks is an error found
/// while streaming instead of a multi-gigabyte string.
/// </summary>
internal sealed class LineLengthGuardStream(Stream inner, string path, int maxLineBytes) : ForwardReadStream
{
    private long _completeLines, _currentLineBytes;

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        var rest = buffer[..read];
        while (!rest.IsEmpty)
        {
            int newline = rest.IndexOf((byte)'\n');
            long lineBytes = _currentLineBytes + (newline < 0 ? rest.Length : newline);
            if (lineBytes > maxLineBytes)
                throw new DataFormatException(path, _completeLines + 1,
                    $"line is longer than {maxLineBytes:N0} bytes (the limit; set XCN_MAX_LINE_MB to raise it)");
            if (newline < 0)
            {
                _currentLineBytes = lineBytes;
                break;
            }
            _completeLines++;
            _currentLineBytes = 0;
            rest = rest[(newline + 1)..];
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
