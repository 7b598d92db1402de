using XcNotebooks.Core;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace XcNotebooks.Data.Formats;

/// <summary>
/// numpy's .npy array files (format versions 1, 2 and 3): a magic string, a Python-dict header giving dtype,
/// memory order and shape, then the raw little-endian values. Reads 1-d and 0-d arrays of the integer, float, bool
/// and byte-string types that scipy sparse matrices use, converting to the element type asked for.
/// </summary>
internal static partial class NpyArray
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>A parsed header: element type code (as in '&lt;i4': kind 'i', 4 bytes), order and shape.</summary>
    public sealed record Header(char Kind, int ItemSize, bool FortranOrder, long[] Shape)
    {
        /// <summary>Number of elements (1 for a 0-d array).</summary>
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>Reads the header, leaving the stream at the first value. <paramref name="where"/> names the array in errors.</summary>
    public static Header ReadHeader(Stream stream, string file, string where)
    {
        Span<byte> start = stackalloc byte[8];
        ReadExactly(stream, start, file, where, "header");
        if (!start[..6].SequenceEqual(Magic)) throw new DataFormatException(file, 0, $"{where}: not a numpy .npy array (bad magic bytes)");
        int major = start[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, file, where, "header");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, file, where, "header");
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(len));
        }
        else throw new DataFormatException(file, 0, $"{where}: .npy format version {major}.{start[7]} is not supported (1, 2 and 3 are)");
        var text = new byte[headerLength];
        ReadExactly(stream, text, file, where, "header");
        var dict = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(text);
        return ParseDict(dict, file, where);
    }

    private static Header ParseDict(string dict, string file, string where)
    {
        var descr = DescrPattern().Match(dict);
        var order = OrderPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !order.Success || !shape.Success)
            throw new DataFormatException(file, 0, $"{where}: unreadable .npy header '{dict.Trim()}'");
        var code = descr.Groups[1].Value;
        if (code.Length < 3) throw new DataFormatException(file, 0, $"{where}: unsupported dtype '{LineParser.Shorten(code)}'");
        char endian = code[0], kind = code[1];
        if (endian == '>') throw new DataFormatException(file, 0, $"{where}: big-endian dtype '{LineParser.Shorten(code)}' is not supported (save little-endian arrays)");
        if (endian is not ('<' or '|' or '='))
            throw new DataFormatException(file, 0, $"{where}: unsupported dtype '{LineParser.Shorten(code)}'");
        if (!int.TryParse(code.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size <= 0)
            throw new DataFormatException(file, 0, $"{where}: unsupported dtype '{LineParser.Shorten(code)}'");
        bool supported = kind switch
        {
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'f' => size is 4 or 8,
            'b' => size == 1,
            'S' or 'U' => true,
            _ => false,
        };
        if (!supported) throw new DataFormatException(file, 0, $"{where}: unsupported dtype '{LineParser.Shorten(code)}'");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
                : throw new DataFormatException(file, 0, $"{where}: bad shape '({shape.Groups[1].Value})'"))
            .ToArray();
        return new Header(kind, size, order.Groups[1].Value == "True", dims);
    }

    /// <summary>Reads a 1-d integer array as int64 values.</summary>
    public static long[] ReadInt64(Stream stream, Header header, string file, string where)
    {
        var values = new long[CheckedLength(header, file, where)];
        ReadConverted(stream, header, file, where, values, static (kind, bytes) => kind switch
        {
            'i' => bytes.Length switch
            {
                1 => (sbyte)bytes[0],
                2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            },
            'u' or 'b' => bytes.Length switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                _ => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(bytes)),
            },
            _ => throw new InvalidCastException(),
        });
        return values;
    }

    /// <summary>Reads a 1-d integer array as int32 values (error when a value does not fit).</summary>
    public static int[] ReadInt32(Stream stream, Header header, string file, string where)
    {
        if (header is { Kind: 'i', ItemSize: 4 }) return ReadRaw<int>(stream, header, file, where);
        var wide = ReadInt64(stream, header, file, where);
        var values = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue)
                throw new DataFormatException(file, 0, $"{where}: value {wide[i]} at position {i} does not fit in 32 bits");
            values[i] = (int)wide[i];
        }
        return values;
    }

    /// <summary>Reads a 1-d numeric array as float32 values.</summary>
    public static float[] ReadFloat32(Stream stream, Header header, string file, string where)
    {
        if (header is { Kind: 'f', ItemSize: 4 }) return ReadRaw<float>(stream, header, file, where);
        if (header.Kind == 'f')
        {
            var values = new float[CheckedLength(header, file, where)];
            ReadConverted(stream, header, file, where, values, static (_, bytes) => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes));
            return values;
        }
        var ints = ReadInt64(stream, header, file, where);
        return Array.ConvertAll(ints, v => (float)v);
    }

    /// <summary>Reads a 0-d or 1-element byte or unicode string array ('csr').</summary>
    public static string ReadString(Stream stream, Header header, string file, string where)
    {
        if (header.Kind is not ('S' or 'U') || header.Count != 1)
            throw new DataFormatException(file, 0, $"{where}: expected a single string, got {header.Count} values of kind '{header.Kind}'");
        int bytes = header.Kind == 'U' ? header.ItemSize * 4 : header.ItemSize;
        var raw = new byte[bytes];
        ReadExactly(stream, raw, file, where, "value");
        var text = header.Kind == 'U' ? Encoding.UTF32.GetString(raw) : Encoding.ASCII.GetString(raw);
        return text.TrimEnd('\0');
    }

    /// <summary>Writes a 1-d array of int32, int64 or float32 values (format version 1, header padded to 64 bytes).</summary>
    public static void Write<T>(Stream stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        string descr = typeof(T) == typeof(int) ? "<i4" : typeof(T) == typeof(long) ? "<i8" : typeof(T) == typeof(float) ? "<f4"
            : throw new ArgumentException($"unsupported element type {typeof(T).Name}");
        WriteHeader(stream, descr, $"({values.Length},)");
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a 0-d byte-string array (scipy stores the sparse format name this way).</summary>
    public static void WriteByteString(Stream stream, string value)
    {
        WriteHeader(stream, $"|S{value.Length}", "()");
        stream.Write(Encoding.ASCII.GetBytes(value));
    }

    private static void WriteHeader(Stream stream, string descr, string shape)
    {
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - total % 64) % 64;
        var text = dict + new string(' ', padding) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, checked((ushort)text.Length));
        stream.Write(len);
        stream.Write(Encoding.Latin1.GetBytes(text));
    }

    private static int CheckedLength(Header header, string file, string where)
    {
        if (header.Shape.Length > 1) throw new DataFormatException(file, 0, $"{where}: expected a 1-d array, got shape ({string.Join(", ", header.Shape)})");
        if (header.Kind is 'S' or 'U') throw new DataFormatException(file, 0, $"{where}: expected numbers, got strings");
        if (header.Count > Array.MaxLength) throw new DataFormatException(file, 0, $"{where}: {header.Count} values are too many for one array");
        return (int)header.Count;
    }

    private static T[] ReadRaw<T>(Stream stream, Header header, string file, string where) where T : unmanaged
    {
        var values = new T[CheckedLength(header, file, where)];
        ReadExactly(stream, MemoryMarshal.AsBytes(values.AsSpan()), file, where, "values");
        return values;
    }

    private static void ReadConverted<T>(Stream stream, Header header, string file, string where, T[] values, Func<char, ReadOnlySpan<byte>, T> convert)
    {
        int size = header.ItemSize;
        var buffer = new byte[size * 8192];
        for (int at = 0; at < values.Length;)
        {
            int n = Math.Min(8192, values.Length - at);
            ReadExactly(stream, buffer.AsSpan(0, n * size), file, where, "values");
            for (int j = 0; j < n; j++) values[at + j] = convert(header.Kind, buffer.AsSpan(j * size, size));
            at += n;
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string file, string where, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(file, 0, $"{where}: the array ends inside its {what} (truncated?)", e);
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
