using XcNotebooks.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Encoders;

/// <summary>How an ONNX encoder's token states become one vector per text.</summary>
public enum OnnxPooling
{
    /// <summary>Mean over the real tokens (sentence-transformers; DEXA's DistilBERT).</summary>
    Mean,
    /// <summary>The first token's state ([CLS]; DEXML's checkpoints).</summary>
    Cls,
    /// <summary>The model already outputs one vector per text (batch x d).</summary>
    None,
}

/// <summary>How to feed and read a user-supplied ONNX encoder (defaults: a Hugging Face BERT-style export).</summary>
public sealed record OnnxEncoderOptions
{
    /// <summary>Input receiving the token ids (int64 or int32, batch x length).</summary>
    public string InputIdsName { get; init; } = "input_ids";

    /// <summary>Input receiving the attention mask, used when the model has it.</summary>
    public string AttentionMaskName { get; init; } = "attention_mask";

    /// <summary>Input receiving token type ids (all 0), used when the model has it.</summary>
    public string TokenTypeIdsName { get; init; } = "token_type_ids";

    /// <summary>Output to read (null: the model's first output).</summary>
    public string? OutputName { get; init; }

    /// <summary>Pooling of the output's token states.</summary>
    public OnnxPooling Pooling { get; init; } = OnnxPooling.Mean;

    /// <summary>Threads of ONNX Runtime's intra-op pool (0: its default).</summary>
    public int Threads { get; init; }
}

/// <summary>
/// A frozen encoder from a user-supplied ONNX model (pre-trained weights cannot be downloaded here, but a user can
/// export one, e.g. msmarco-distilbert-base-v4, with its vocabulary): ONNX Runtime computes the token states on the
/// CPU, they are pooled and L2-normalised, and the embeddings are uploaded to the compute backend. It has no
/// trainable parameters; DEXA then trains only the auxiliary vectors and the classifiers on top of it.
/// </summary>
public sealed class OnnxEncoder : ITextEncoder
{
    internal const string KindName = "onnx";

    private readonly InferenceSession _session;
    private readonly string _outputName;
    private readonly bool _hasMask, _hasTokenTypes, _int32Inputs;
    private readonly string _fingerprint;
    private bool _disposed;

    private OnnxEncoder(IComputeBackend backend, string modelPath, int vocabularySize, OnnxEncoderOptions options, string fingerprint)
    {
        Backend = backend;
        ModelPath = Path.GetFullPath(modelPath);
        VocabularySize = vocabularySize;
        Options = options;
        _fingerprint = fingerprint;
        var sessionOptions = new SessionOptions();
        if (options.Threads > 0) sessionOptions.IntraOpNumThreads = options.Threads;
        try
        {
            _session = new InferenceSession(ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new DataFormatException(ModelPath, 0, $"ONNX Runtime cannot load the model: {e.Message}", e);
        }
        try
        {
            var inputs = _session.InputMetadata;
            if (!inputs.TryGetValue(options.InputIdsName, out var ids))
                throw new DataFormatException(ModelPath, 0, $"the model has no input '{options.InputIdsName}' (its inputs: {string.Join(", ", inputs.Keys)})");
            _int32Inputs = ids.ElementType == typeof(int);
            if (!_int32Inputs && ids.ElementType != typeof(long))
                throw new DataFormatException(ModelPath, 0, $"input '{options.InputIdsName}' holds {ids.ElementType.Name}, expected int64 or int32 token ids");
            _hasMask = inputs.ContainsKey(options.AttentionMaskName);
            _hasTokenTypes = inputs.ContainsKey(options.TokenTypeIdsName);
            var unknown = inputs.Keys.Where(k => k != options.InputIdsName && k != options.AttentionMaskName && k != options.TokenTypeIdsName).ToArray();
            if (unknown.Length > 0) throw new DataFormatException(ModelPath, 0, $"the model needs inputs this encoder cannot fill: {string.Join(", ", unknown)}");
            _outputName = options.OutputName ?? _session.OutputNames[0];
            if (!_session.OutputMetadata.TryGetValue(_outputName, out var output))
                throw new DataFormatException(ModelPath, 0, $"the model has no output '{_outputName}' (its outputs: {string.Join(", ", _session.OutputNames)})");
            if (output.ElementType != typeof(float)) throw new DataFormatException(ModelPath, 0, $"output '{_outputName}' holds {output.ElementType.Name}, expected float");
            int rank = options.Pooling == OnnxPooling.None ? 2 : 3;
            if (output.Dimensions.Length != rank)
                throw new DataFormatException(ModelPath, 0, $"output '{_outputName}' has rank {output.Dimensions.Length}; {options.Pooling} pooling needs rank {rank}");
            Dimension = output.Dimensions[^1] > 0 ? output.Dimensions[^1] : Probe();
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads <paramref name="modelPath"/>; <paramref name="vocabularySize"/> is the size of the vocabulary the model was
    /// trained with (the tokenizer's: ids beyond it are refused before they reach the model).
    /// </summary>
    public static OnnxEncoder Load(IComputeBackend backend, string modelPath, int vocabularySize, OnnxEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"{modelPath}: no such ONNX model", modelPath);
        if (vocabularySize < 1) throw new ArgumentException($"vocabulary size must be positive, got {vocabularySize}");
        return new OnnxEncoder(backend, modelPath, vocabularySize, options ?? new OnnxEncoderOptions(), Fingerprint(modelPath));
    }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>How the model is fed and read.</summary>
    public OnnxEncoderOptions Options { get; }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public IComputeBackend Backend { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public bool IsTrainable => false;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public EncoderPass Forward(TokenBatch batch, bool training = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        TextEncoders.CheckTokens(this, batch);
        var pooled = Run(batch);
        var embeddings = Backend.Allocate(batch.Rows, Dimension);
        try
        {
            using var raw = Backend.Upload(pooled, batch.Rows, Dimension);
            using var norms = Backend.Allocate(batch.Rows, 1);
            Backend.L2Normalize(raw, embeddings, norms);
            return new Pass(this, embeddings, training);
        }
        catch
        {
            embeddings.Dispose();
            throw;
        }
    }

    /// <summary>Frozen: always throws.</summary>
    public void Backward(EncoderPass pass, Tensor gradEmbeddings) =>
        throw new InvalidOperationException($"the ONNX encoder {Path.GetFileName(ModelPath)} is frozen: it has no backward pass");

    /// <inheritdoc />
    public RowMajorMatrix EncodeAll(TokenizedCorpus corpus, int chunkSize = 256, TrainingMonitor? monitor = null) =>
        TextEncoders.EncodeInChunks(this, corpus, chunkSize, monitor);

    /// <summary>Writes the model's path and fingerprint (not its weights) with the options.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(ModelPath);
        writer.Write(_fingerprint);
        writer.Write(VocabularySize);
        writer.Write(JsonSerializer.Serialize(Options));
    }

    internal static OnnxEncoder ReadPayload(BinaryReader reader, IComputeBackend backend, string source)
    {
        var path = reader.ReadString();
        var fingerprint = reader.ReadString();
        int vocabulary = reader.ReadInt32();
        var options = JsonSerializer.Deserialize<OnnxEncoderOptions>(reader.ReadString())
            ?? throw new DataFormatException(source, 0, "ONNX encoder options are missing");
        if (!File.Exists(path)) throw new DataFormatException(source, 0, $"the model's ONNX encoder {path} is missing");
        if (Fingerprint(path) != fingerprint) throw new DataFormatException(source, 0, $"the ONNX encoder {path} changed since the model was saved");
        return new OnnxEncoder(backend, path, vocabulary, options, fingerprint);
    }

    /// <summary>Frees the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
    }

    /// <summary>Model file, dimension and pooling.</summary>
    public override string ToString() => $"OnnxEncoder {Path.GetFileName(ModelPath)} -> {Dimension} ({Options.Pooling} pooling, frozen) on {Backend.Name}";

    private static string Fingerprint(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The dimension of a model whose output width is symbolic: one two-token text through it.</summary>
    private int Probe()
    {
        var (_, shape) = RunSession(new TokenBatch(1, 2, [0, 0], [2], [1f, 1f]));
        return (int)shape[^1];
    }

    private float[] Run(TokenBatch batch)
    {
        var (output, shape) = RunSession(batch);
        var values = output.AsSpan();
        int rows = batch.Rows, d = Dimension;
        var pooled = new float[rows * d];
        if (Options.Pooling == OnnxPooling.None)
        {
            if (shape.Length != 2 || shape[0] != rows || shape[1] != d)
                throw new DataFormatException(ModelPath, 0, $"output '{_outputName}' has shape [{string.Join(", ", shape)}], expected [{rows}, {d}]");
            values.CopyTo(pooled);
            return pooled;
        }
        if (shape.Length != 3 || shape[0] != rows || shape[1] != batch.Columns || shape[2] != d)
            throw new DataFormatException(ModelPath, 0, $"output '{_outputName}' has shape [{string.Join(", ", shape)}], expected [{rows}, {batch.Columns}, {d}]");
        for (int i = 0; i < rows; i++)
        {
            var target = pooled.AsSpan(i * d, d);
            int count = Options.Pooling == OnnxPooling.Cls ? Math.Min(1, batch.Lengths[i]) : batch.Lengths[i];
            for (int t = 0; t < count; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(target, values.Slice((i * batch.Columns + t) * d, d), target);
            // sentence-transformers divides by max(Σ mask, 1e-9): an empty text pools to zero.
            if (count > 1) System.Numerics.Tensors.TensorPrimitives.Divide(target, count, target);
        }
        return pooled;
    }

    /// <summary>The output's values and shape for one batch.</summary>
    private (float[] Values, long[] Shape) RunSession(TokenBatch batch)
    {
        long[] shape = [batch.Rows, batch.Columns];
        int n = batch.Rows * batch.Columns;
        var mask = new int[n];
        for (int i = 0; i < batch.Rows; i++) mask.AsSpan(i * batch.Columns, batch.Lengths[i]).Fill(1);
        var names = new List<string> { Options.InputIdsName };
        var values = new List<OrtValue> { Tensor(batch.Ids, shape) };
        try
        {
            if (_hasMask)
            {
                names.Add(Options.AttentionMaskName);
                values.Add(Tensor(mask, shape));
            }
            if (_hasTokenTypes)
            {
                names.Add(Options.TokenTypeIdsName);
                values.Add(Tensor(new int[n], shape));
            }
            using var run = new RunOptions();
            using var outputs = _session.Run(run, names, values, [_outputName]);
            return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        }
        catch (OnnxRuntimeException e)
        {
            throw new DataFormatException(ModelPath, 0, $"ONNX Runtime failed on a batch of {batch.Rows} x {batch.Columns} tokens: {e.Message}", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private OrtValue Tensor(int[] values, long[] shape) => _int32Inputs
        ? OrtValue.CreateTensorValueFromMemory(values, shape)
        : OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(values, v => (long)v), shape);

    private sealed class Pass(OnnxEncoder encoder, Tensor embeddings, bool training) : EncoderPass(encoder, embeddings, training)
    {
        protected override void DisposeActivations() { }
    }
}
