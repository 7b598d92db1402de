using System.Text;
using XcNotebooks.Data;

namespace XcNotebooks.Persistence;

/// <summary>
/// The container of every saved model: a header (magic "XCNM", method name, format version, library version) then
/// the method's own binary payload. Written atomically; reading checks method and version and names the file in
/// every error.
/// </summary>
public static class ModelFile
{
    private const string Magic = "XCNM";

    /// <summary>Writes a model of <paramref name="method"/> (format <paramref name="formatVersion"/>) atomically.</summary>
    public static void Save(string path, string method, int formatVersion, Action<BinaryWriter> writePayload)
    {
        InputFile.WriteAtomic(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(method);
            w.Write(formatVersion);
            w.Write(Kit.Version);
            writePayload(w);
            w.Write(Encoding.ASCII.GetBytes(Magic)); // trailer: detects truncation on load
        });
    }

    /// <summary>Reads a model saved by <see cref="Save"/>, checking the method name and format version.</summary>
    public static T Load<T>(string path, string method, int formatVersion, Func<BinaryReader, T> readPayload)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file", path);
        using var stream = InputFile.OpenRead(path);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var magic = Encoding.ASCII.GetString(r.ReadBytes(4));
            if (magic != Magic) throw new DataFormatException(path, 0, "not an XcNotebooks model file (bad magic bytes)");
            var savedMethod = r.ReadString();
            if (savedMethod != method)
                throw new DataFormatException(path, 0, $"this is a {savedMethod} model, not a {method} model");
            int savedFormat = r.ReadInt32();
            var savedBy = r.ReadString();
            if (savedFormat != formatVersion)
                throw new DataFormatException(path, 0,
                    $"{method} model format version {savedFormat} (saved by XcNotebooks {savedBy}); this version reads format {formatVersion}");
            var model = readPayload(r);
            var trailer = Encoding.ASCII.GetString(r.ReadBytes(4));
            if (trailer != Magic) throw new DataFormatException(path, 0, "model file is corrupt (payload size mismatch)");
            return model;
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, 0, "model file is truncated", e);
        }
    }

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
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException($"negative array length {n}");
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
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException($"negative array length {n}");
        var values = new int[n];
        ReadExactly(r, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
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
        int np = r.ReadInt32();
        var ptr = new long[np];
        for (int i = 0; i < np; i++) ptr[i] = r.ReadInt64();
        return new CsrMatrix(rows, cols, ptr, r.ReadIntArray(), r.ReadFloatArray());
    }
}
