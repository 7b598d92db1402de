using System.Text;

namespace XcNotebooks.Core;

/// <summary>
/// The container of every saved model: magic "XCN2", method name, the method's format version, the library version,
/// the method's own binary payload, then an XxHash64 of everything before it and the magic again. Written atomically
/// (plain, or compressed when the name ends in .gz/.bz2); loading verifies the checksum before parsing anything, then
/// checks method and version, and every problem of a damaged file is one <see cref="DataFormatException"/> naming it.
/// </summary>
public static class ModelFile
{
    private const string Magic = "XCN2";

    /// <summary>The magic of the first container (no checksum), still recognised to say what it is.</summary>
    private const string FirstMagic = "XCNM";

    /// <summary>Bytes after the payload: the 8-byte checksum and the 4-byte magic.</summary>
    private const int TrailerBytes = 12;

    /// <summary>Writes a model of <paramref name="method"/> (format <paramref name="formatVersion"/>) atomically.</summary>
    public static void Save(string path, string method, int formatVersion, Action<BinaryWriter> writePayload)
    {
        ArgumentNullException.ThrowIfNull(writePayload);
        InputFile.WriteAtomic(path, stream =>
        {
            var hashed = new HashingWriteStream(stream);
            using (var w = new BinaryWriter(hashed, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Encoding.ASCII.GetBytes(Magic));
                w.Write(method);
                w.Write(formatVersion);
                w.Write(Kit.Version);
                writePayload(w);
            }
            Span<byte> trailer = stackalloc byte[TrailerBytes];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(trailer, hashed.Hash.GetCurrentHashAsUInt64());
            Encoding.ASCII.GetBytes(Magic, trailer[8..]);
            stream.Write(trailer);
        });
    }

    /// <summary>
    /// Reads a model saved by <see cref="Save"/>: verifies the checksum, checks the method name and format version,
    /// then parses the payload with <paramref name="readPayload"/>. Any error of a damaged file (also one raised
    /// inside <paramref name="readPayload"/>) becomes a <see cref="DataFormatException"/> naming the file.
    /// </summary>
    public static T Load<T>(string path, string method, int formatVersion, Func<BinaryReader, T> readPayload)
    {
        ArgumentNullException.ThrowIfNull(readPayload);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file", path);
        long contentBytes = VerifyChecksum(path);
        using var stream = new ModelPayloadStream(InputFile.OpenRead(path), contentBytes);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            r.ReadBytes(Magic.Length);
            var savedMethod = r.ReadString();
            if (savedMethod != method)
                throw new DataFormatException(path, 0, $"this is a {Shown(savedMethod)} model, not a {method} model");
            int savedFormat = r.ReadInt32();
            var savedBy = r.ReadString();
            if (savedFormat != formatVersion)
                throw new DataFormatException(path, 0,
                    $"{method} model format version {savedFormat} (written by XcNotebooks {Shown(savedBy)}); this kit ({Kit.Version}) reads format {formatVersion}");
            var model = readPayload(r);
            if (stream.Remaining != 0)
            {
                (model as IDisposable)?.Dispose();
                throw new DataFormatException(path, 0, $"damaged model file: {stream.Remaining:N0} bytes of the payload were not read (payload size mismatch)");
            }
            return model;
        }
        catch (Exception e) when (e is not DataFormatException && IsPayloadError(e))
        {
            throw new DataFormatException(path, 0, $"damaged model file: {e.Message}", e);
        }
    }

    /// <summary>
    /// The method name in a model file's header ("wltls", "dsnc", ...), read without loading the model (the checksum
    /// is verified when the method's own Load reads it).
    /// </summary>
    public static string ReadMethod(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file", path);
        using var stream = InputFile.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        var magic = r.ReadBytes(Magic.Length);
        if (magic.Length < Magic.Length) throw new DataFormatException(path, 0, $"not an XcNotebooks model file (only {magic.Length} bytes)");
        CheckMagic(path, magic);
        try
        {
            return r.ReadString();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            throw new DataFormatException(path, 0, "damaged model file: it ends inside the header (truncated)", e);
        }
    }

    /// <summary>What a payload reader raises on contents that do not make a model (kept apart from disk errors).</summary>
    private static bool IsPayloadError(Exception e) =>
        e is EndOfStreamException or InvalidDataException or ArgumentException or OutOfMemoryException or FormatException
            or System.Text.Json.JsonException or IndexOutOfRangeException or OverflowException or InvalidOperationException
            or NotSupportedException or KeyNotFoundException or NullReferenceException;

    /// <summary>
    /// Reads the whole (decompressed) file once, checks the magic bytes and compares the XxHash64 of everything
    /// before the trailer with the stored one; returns the number of bytes before the trailer.
    /// </summary>
    private static long VerifyChecksum(string path)
    {
        using var stream = InputFile.OpenRead(path);
        var hash = new System.IO.Hashing.XxHash64();
        var buffer = new byte[1 << 16];
        int held = stream.ReadAtLeast(buffer.AsSpan(0, Magic.Length), Magic.Length, throwOnEndOfStream: false);
        if (held < Magic.Length) throw new DataFormatException(path, 0, $"not an XcNotebooks model file (only {held} bytes)");
        CheckMagic(path, buffer.AsSpan(0, Magic.Length));
        long hashed = 0;
        while (true)
        {
            // The last TrailerBytes bytes read are held back: they may be the trailer.
            int n = stream.Read(buffer, held, buffer.Length - held);
            if (n == 0) break;
            held += n;
            if (held > TrailerBytes)
            {
                int take = held - TrailerBytes;
                hash.Append(buffer.AsSpan(0, take));
                hashed += take;
                buffer.AsSpan(take, TrailerBytes).CopyTo(buffer);
                held = TrailerBytes;
            }
        }
        if (held < TrailerBytes || hashed < Magic.Length)
            throw new DataFormatException(path, 0, $"damaged model file: it ends after {hashed + held:N0} bytes, before its checksum (truncated)");
        var trailer = buffer.AsSpan(0, TrailerBytes);
        if (Encoding.ASCII.GetString(trailer[8..]) != Magic)
            throw new DataFormatException(path, 0, $"damaged model file: no end marker after {hashed + held:N0} bytes (truncated or extended)");
        ulong stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(trailer);
        if (stored != hash.GetCurrentHashAsUInt64())
            throw new DataFormatException(path, 0, $"damaged model file: checksum mismatch over {hashed:N0} bytes (the file was changed after it was written)");
        return hashed;
    }

    private static void CheckMagic(string path, ReadOnlySpan<byte> first)
    {
        var magic = Encoding.ASCII.GetString(first);
        if (magic == Magic) return;
        if (magic == FirstMagic)
            throw new DataFormatException(path, 0, $"model container version 1 (no checksum, written by an older XcNotebooks); this kit ({Kit.Version}) reads version 2: train and save the model again");
        throw new DataFormatException(path, 0, "not an XcNotebooks model file (bad magic bytes)");
    }

    /// <summary>A stored string as shown in a message: a damaged one may be long.</summary>
    private static string Shown(string text) => LineParser.Shorten(text);

    /// <summary>Writes a float array with its length.</summary>
    public static void WriteArray(this BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        w.Write(bytes);
    }

    /// <summary>Reads a float array written by <see cref="WriteArray(BinaryWriter, float[])"/>.</summary>
    public static float[] ReadFloatArray(this BinaryReader r)
    {
        int n = ReadLength(r, sizeof(float));
        var values = new float[n];
        ReadExactly(r, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Writes an int array with its length.</summary>
    public static void WriteArray(this BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Reads an int array written by <see cref="WriteArray(BinaryWriter, int[])"/>.</summary>
    public static int[] ReadIntArray(this BinaryReader r)
    {
        int n = ReadLength(r, sizeof(int));
        var values = new int[n];
        ReadExactly(r, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>
    /// Reads an array length and checks it against the bytes left in the model, so a damaged length is an error
    /// instead of a huge allocation.
    /// </summary>
    public static int ReadLength(this BinaryReader r, int elementBytes)
    {
        ArgumentNullException.ThrowIfNull(r);
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException($"negative array length {n}");
        if (r.BaseStream is ModelPayloadStream payload && (long)n * elementBytes > payload.Remaining)
            throw new InvalidDataException($"array length {n:N0} needs more bytes than the {payload.Remaining:N0} left");
        return n;
    }

    /// <summary>Fills <paramref name="bytes"/>; compressed streams may return fewer bytes per read than asked.</summary>
    private static void ReadExactly(BinaryReader r, Span<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int got = r.Read(bytes);
            if (got <= 0) throw new EndOfStreamException();
            bytes = bytes[got..];
        }
    }

    /// <summary>Writes a dense matrix.</summary>
    public static void WriteMatrix(this BinaryWriter w, RowMajorMatrix m)
    {
        w.Write(m.Rows);
        w.Write(m.Cols);
        w.WriteArray(m.Data);
    }

    /// <summary>Reads a dense matrix.</summary>
    public static RowMajorMatrix ReadMatrix(this BinaryReader r)
    {
        int rows = r.ReadInt32(), cols = r.ReadInt32();
        return new RowMajorMatrix(rows, cols, r.ReadFloatArray());
    }

    /// <summary>Writes a CSR matrix.</summary>
    public static void WriteMatrix(this BinaryWriter w, CsrMatrix m)
    {
        w.Write(m.Rows);
        w.Write(m.Cols);
        w.Write(m.RowPointers.Length);
        foreach (var p in m.RowPointers) w.Write(p);
        w.WriteArray(m.ColumnIndices);
        w.WriteArray(m.Values);
    }

    /// <summary>Reads a CSR matrix (validated).</summary>
    public static CsrMatrix ReadCsrMatrix(this BinaryReader r)
    {
        int rows = r.ReadInt32(), cols = r.ReadInt32();
        int np = ReadLength(r, sizeof(long));
        var ptr = new long[np];
        for (int i = 0; i < np; i++) ptr[i] = r.ReadInt64();
        return new CsrMatrix(rows, cols, ptr, r.ReadIntArray(), r.ReadFloatArray());
    }
}

/// <summary>Passes writes through while hashing them (XxHash64), for the model file's checksum.</summary>
internal sealed class HashingWriteStream(Stream inner) : Stream
{
    public System.IO.Hashing.XxHash64 Hash { get; } = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Hash.Append(buffer);
        inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// The verified part of a model file (header and payload, the trailer excluded), read forward only; knows how many
/// bytes are left so that array lengths can be checked before allocating.
/// </summary>
internal sealed class ModelPayloadStream(Stream inner, long contentBytes) : ForwardReadStream
{
    private long _position;

    /// <summary>Bytes of header and payload not read yet.</summary>
    public long Remaining => contentBytes - _position;

    public override long Length => contentBytes;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length > Remaining) buffer = buffer[..(int)Remaining];
        int n = inner.Read(buffer);
        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
