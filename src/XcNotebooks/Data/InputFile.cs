using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;

namespace XcNotebooks.Data;

/// <summary>
/// Opens data files for streaming reads, decompressing .gz and .bz2 transparently (by extension, or by magic bytes
/// when the extension says nothing), and writes files atomically so a crash never leaves a half-written output.
/// </summary>
public static class InputFile
{
    /// <summary>Opens <paramref name="path"/> for reading, decompressing gzip or bzip2 content.</summary>
    public static Stream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
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
    public static StreamReader OpenText(string path) => new(OpenRead(path), Encoding.UTF8, true, 1 << 16);

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
