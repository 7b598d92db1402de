using XcNotebooks.Text;
using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Encoders;

/// <summary>
/// What the kit's own trainable encoders share: options serialised as JSON, a vocabulary size, parameters saved
/// through <see cref="ParameterFile"/>, chunked encoding. A subclass builds its parameters and implements the passes.
/// </summary>
/// <typeparam name="TOptions">The encoder's options record.</typeparam>
public abstract class TrainableTextEncoder<TOptions> : ITextEncoder where TOptions : class
{
    private IReadOnlyList<Parameter> _parameters = [];

    /// <summary>Checks and keeps the common settings.</summary>
    private protected TrainableTextEncoder(string kind, IComputeBackend backend, int vocabularySize, TOptions options)
    {
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (vocabularySize < 1) throw new ArgumentException($"vocabulary size must be positive, got {vocabularySize}");
        Kind = kind;
        VocabularySize = vocabularySize;
    }

    /// <summary>The options the encoder was built with.</summary>
    public TOptions Options { get; }

    /// <inheritdoc />
    public string Kind { get; }

    /// <inheritdoc />
    public IComputeBackend Backend { get; }

    /// <inheritdoc />
    public abstract int Dimension { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public bool IsTrainable => true;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters
    {
        get => _parameters;
        private protected set => _parameters = value;
    }

    /// <summary>True once disposed.</summary>
    protected bool IsDisposed { get; private set; }

    /// <inheritdoc />
    public abstract EncoderPass Forward(TokenBatch batch, bool training = true);

    /// <inheritdoc />
    public abstract void Backward(EncoderPass pass, Tensor gradEmbeddings);

    /// <inheritdoc />
    public RowMajorMatrix EncodeAll(TokenizedCorpus corpus, int chunkSize = 256, TrainingMonitor? monitor = null) =>
        TextEncoders.EncodeInChunks(this, corpus, chunkSize, monitor);

    /// <inheritdoc />
    public void Write(BinaryWriter writer)
    {
        writer.Write(JsonSerializer.Serialize(Options));
        writer.Write(VocabularySize);
        ParameterFile.Write(writer, Parameters);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, building the encoder with <paramref name="create"/>.</summary>
    private protected static TEncoder Read<TEncoder>(BinaryReader reader, string source, Func<TOptions, int, TEncoder> create)
        where TEncoder : TrainableTextEncoder<TOptions>
    {
        var options = JsonSerializer.Deserialize<TOptions>(reader.ReadString())
            ?? throw new DataFormatException(source, 0, $"{typeof(TOptions).Name} is missing");
        var encoder = create(options, reader.ReadInt32());
        try
        {
            ParameterFile.ReadInto(reader, encoder.Parameters, source);
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Throws once disposed, and checks a batch's tokens.</summary>
    private protected void CheckUsable(TokenBatch batch)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        TextEncoders.CheckTokens(this, batch);
    }

    /// <summary>Frees the parameters.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        foreach (var p in Parameters) p.Dispose();
        GC.SuppressFinalize(this);
    }
}
