using XcNotebooks.Text;
using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Encoders;

/// <summary>Saving, loading and chunked encoding shared by every <see cref="ITextEncoder"/>.</summary>
public static class TextEncoders
{
    private const string FileKind = "text-encoder";
    private const int FormatVersion = 1;

    /// <summary>Writes <paramref name="encoder"/> as a model file of its own (atomic, versioned).</summary>
    public static void Save(string path, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ModelFile.Save(path, FileKind, FormatVersion, w => Write(w, encoder));
    }

    /// <summary>Reads an encoder saved by <see cref="Save"/> onto <paramref name="backend"/>.</summary>
    public static ITextEncoder Load(string path, IComputeBackend backend) =>
        ModelFile.Load(path, FileKind, FormatVersion, r => Read(r, backend, path));

    /// <summary>Writes the encoder's kind, then its own payload (inside a method's model file).</summary>
    public static void Write(BinaryWriter writer, ITextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(encoder);
        writer.Write(encoder.Kind);
        encoder.Write(writer);
    }

    /// <summary>Reads an encoder written by <see cref="Write"/>; <paramref name="source"/> (the file) is named in errors.</summary>
    public static ITextEncoder Read(BinaryReader reader, IComputeBackend backend, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(backend);
        var kind = reader.ReadString();
        return kind switch
        {
            BagOfEmbeddingsEncoder.KindName => BagOfEmbeddingsEncoder.ReadPayload(reader, backend, source),
            TransformerEncoder.KindName => TransformerEncoder.ReadPayload(reader, backend, source),
            OnnxEncoder.KindName => OnnxEncoder.ReadPayload(reader, backend, source),
            _ => throw new DataFormatException(source, 0, $"unknown text encoder '{kind}'"),
        };
    }

    /// <summary>
    /// Embeddings of every row of <paramref name="corpus"/> through <see cref="ITextEncoder.Forward"/> in evaluation
    /// mode, one chunk at a time (each pass disposed before the next): the shared body of
    /// <see cref="ITextEncoder.EncodeAll"/>.
    /// </summary>
    public static RowMajorMatrix EncodeInChunks(ITextEncoder encoder, TokenizedCorpus corpus, int chunkSize, TrainingMonitor? monitor)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return EncodeRows(encoder, corpus, Enumerable.Range(0, corpus.Count).ToArray(), chunkSize, monitor);
    }

    /// <summary>
    /// Embeddings of the rows <paramref name="rows"/> of <paramref name="corpus"/> (in that order), in evaluation mode,
    /// <paramref name="chunkSize"/> rows per pass, each pass disposed before the next: memory stays bounded by one chunk.
    /// </summary>
    public static RowMajorMatrix EncodeRows(ITextEncoder encoder, TokenizedCorpus corpus, IReadOnlyList<int> rows, int chunkSize, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(rows);
        if (chunkSize < 1) throw new ArgumentException($"chunk size must be positive, got {chunkSize}");
        var result = new RowMajorMatrix(rows.Count, encoder.Dimension);
        for (int start = 0; start < rows.Count; start += chunkSize)
        {
            int count = Math.Min(chunkSize, rows.Count - start);
            var chunk = new int[count];
            for (int i = 0; i < count; i++) chunk[i] = rows[start + i];
            using var pass = encoder.Forward(corpus.Batch(chunk), training: false);
            pass.Embeddings.CopyTo(result.Data.AsSpan(start * encoder.Dimension, count * encoder.Dimension));
            monitor?.Report("encode", start + count, rows.Count);
        }
        return result;
    }

    /// <summary>Checks that a batch's present tokens are inside the vocabulary (a clear message instead of a kernel fault).</summary>
    internal static void CheckTokens(ITextEncoder encoder, TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rows == 0) throw new ArgumentException($"{encoder.Kind}: empty batch");
        for (int i = 0; i < batch.Rows; i++)
            foreach (int id in batch.Row(i)[..batch.Lengths[i]])
                if ((uint)id >= (uint)encoder.VocabularySize)
                    throw new ArgumentException($"{encoder.Kind}: token {id} in row {i} is outside the vocabulary of {encoder.VocabularySize}");
    }
}
