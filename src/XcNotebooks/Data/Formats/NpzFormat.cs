using XcNotebooks.Core;
using System.IO.Compression;

namespace XcNotebooks.Data.Formats;

/// <summary>
/// scipy sparse matrices saved with <c>scipy.sparse.save_npz</c>: a zip of data.npy, indices.npy, indptr.npy,
/// shape.npy and format.npy. Reads CSR matrices (int32/int64 indices, integer, bool or float values; little-endian
/// .npy versions 1 to 3) and writes what <c>scipy.sparse.load_npz</c> reads (int32 indices, float32 values,
/// deflate-compressed like <c>save_npz</c>'s default).
/// </summary>
public static class NpzFormat
{
    /// <summary>Reads a CSR matrix. Other sparse formats (csc, coo, ...) are refused with a clear error.</summary>
    public static CsrMatrix ReadMatrix(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 0, "not a .npz file (not a zip archive, or truncated)", e);
        }
        using (zip)
        {
            try
            {
                var format = Read(zip, path, "format", NpyArray.ReadString);
                if (format != "csr")
                    throw new DataFormatException(path, 0, $"sparse format '{LineParser.Shorten(format)}' is not supported: save a CSR matrix (matrix.tocsr())");
                var shape = Read(zip, path, "shape", NpyArray.ReadInt64);
                if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > int.MaxValue || shape[1] > int.MaxValue)
                    throw new DataFormatException(path, 0, $"shape.npy: bad matrix shape ({string.Join(", ", shape)})");
                var indptr = Read(zip, path, "indptr", NpyArray.ReadInt64);
                var indices = Read(zip, path, "indices", NpyArray.ReadInt32);
                var data = Read(zip, path, "data", NpyArray.ReadFloat32);
                int rows = (int)shape[0], cols = (int)shape[1];
                if (indptr.Length != rows + 1)
                    throw new DataFormatException(path, 0, $"indptr.npy has {indptr.Length} entries, a {rows}-row matrix needs {rows + 1}");
                if (indices.Length != data.Length)
                    throw new DataFormatException(path, 0, $"indices.npy has {indices.Length} entries but data.npy has {data.Length}");
                if (indptr[0] != 0 || indptr[rows] != data.Length)
                    throw new DataFormatException(path, 0, $"indptr.npy must run from 0 to the number of values ({data.Length}), got {indptr[0]}..{indptr[rows]}");
                SortRows(rows, indptr, indices, data);
                return new CsrMatrix(rows, cols, indptr, indices, data);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(path, 0, e.Message, e);
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, 0, $"corrupt zip entry: {e.Message}", e);
            }
        }
    }

    /// <summary>Writes a CSR matrix in the layout of <c>scipy.sparse.save_npz</c> (compressed by default).</summary>
    public static void WriteMatrix(string path, CsrMatrix matrix, bool compressed = true) =>
        InputFile.WriteAtomic(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            var level = compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
            void Entry(string name, Action<Stream> write)
            {
                using var s = zip.CreateEntry(name + ".npy", level).Open();
                write(s);
            }
            Entry("indices", s => NpyArray.Write<int>(s, matrix.ColumnIndices));
            if (matrix.NonZeros <= int.MaxValue)
                Entry("indptr", s => NpyArray.Write<int>(s, Array.ConvertAll(matrix.RowPointers, p => (int)p)));
            else
                Entry("indptr", s => NpyArray.Write<long>(s, matrix.RowPointers));
            Entry("format", s => NpyArray.WriteByteString(s, "csr"));
            Entry("shape", s => NpyArray.Write<long>(s, [matrix.Rows, matrix.Cols]));
            Entry("data", s => NpyArray.Write<float>(s, matrix.Values));
        });

    /// <summary>Reads a data set from a features .npz and a labels .npz.</summary>
    public static Dataset ReadDataset(string featuresPath, string labelsPath) =>
        PairedMatrices.Combine(featuresPath, ReadMatrix(featuresPath), labelsPath, ReadMatrix(labelsPath));

    private static T Read<T>(ZipArchive zip, string path, string name, Func<Stream, NpyArray.Header, string, string, T> read)
    {
        var entry = zip.GetEntry(name + ".npy") ?? zip.GetEntry(name)
            ?? throw new DataFormatException(path, 0, $"no {name}.npy in the archive: not a scipy sparse matrix saved with save_npz");
        using var stream = entry.Open();
        var where = $"{name}.npy";
        var header = NpyArray.ReadHeader(stream, path, where);
        if (header.FortranOrder && header.Shape.Length > 1)
            throw new DataFormatException(path, 0, $"{where}: Fortran-ordered arrays are not supported");
        return read(stream, header, path, where);
    }

    /// <summary>scipy allows unsorted column indices within a row (has_sorted_indices = False); CsrMatrix does not.</summary>
    private static void SortRows(int rows, long[] indptr, int[] indices, float[] data)
    {
        for (int i = 0; i < rows; i++)
        {
            if (indptr[i + 1] < indptr[i] || indptr[i + 1] > indices.Length) return; // CsrMatrix's validation reports it
            var idx = indices.AsSpan((int)indptr[i], (int)(indptr[i + 1] - indptr[i]));
            for (int j = 1; j < idx.Length; j++)
            {
                if (idx[j] > idx[j - 1]) continue;
                idx.Sort(data.AsSpan((int)indptr[i], idx.Length));
                break;
            }
        }
    }
}
