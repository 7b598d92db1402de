using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Text;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.Dexml;

/// <summary>
/// A trained DEXML model: tokenizer, the shared encoder and the embeddings of every label. Predicts from texts:
/// encode, exact nearest labels by cosine (<see cref="ExactLabelIndex"/>), filter, keep the top k. Holds tensors on its
/// compute backend: dispose it when done.
/// </summary>
public sealed class DexmlModel : IXcModel, IFilteredTopK, IReportDetails
{
    private const int FormatVersion = 1;
    private readonly DexmlEpoch[] _history;
    private ExactLabelIndex? _index;

    internal DexmlModel(DexmlOptions options, ITextTokenizer tokenizer, SequenceOptions sequence, IComputeBackend backend, ITextEncoder encoder,
        RowMajorMatrix labelEmbeddings, IReadOnlyList<DexmlEpoch> history)
    {
        Options = options;
        Tokenizer = tokenizer;
        Sequence = sequence;
        Backend = backend;
        Encoder = encoder;
        LabelEmbeddings = labelEmbeddings;
        _history = [.. history];
    }

    /// <inheritdoc />
    public string Method => "dexml";

    /// <summary>The options the model was trained with.</summary>
    public DexmlOptions Options { get; }

    /// <summary>The tokenizer of queries and label texts.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>Sequence length and special tokens.</summary>
    public SequenceOptions Sequence { get; }

    /// <summary>The backend holding the encoder and the index.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>The shared query and label encoder.</summary>
    public ITextEncoder Encoder { get; }

    /// <summary>E(text_l) of every label, unit norm (L x d).</summary>
    public RowMajorMatrix LabelEmbeddings { get; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => LabelEmbeddings.Rows;

    /// <summary>Per-epoch loss (and heldout P@1 where measured) of the training run.</summary>
    public IReadOnlyList<DexmlEpoch> History => _history;

    /// <summary>Unit-norm embeddings of <paramref name="texts"/> (tokenized with the model's tokenizer).</summary>
    public RowMajorMatrix Encode(IReadOnlyList<string> texts, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Encoder.EncodeAll(TokenizedCorpus.Build(texts, Tokenizer, Sequence, monitor), Options.EncodeChunk, monitor);
    }

    /// <inheritdoc />
    public TopKPredictions TopK(Dataset data, int k) => TopK(data, k, null);

    /// <summary>The k nearest labels of each point of <paramref name="data"/> (its texts), without the pairs of <paramref name="filter"/>.</summary>
    public TopKPredictions TopK(Dataset data, int k, LabelFilter? filter)
    {
        ArgumentNullException.ThrowIfNull(data);
        var texts = data.Texts ?? throw new ArgumentException($"{data.Name} has no texts: DEXML predicts from text");
        return Predict(texts, k, filter);
    }

    /// <summary>
    /// The k nearest labels of each text. With a filter, the top <see cref="DexmlOptions.RetrieveBeforeFilter"/> (at
    /// least k) are retrieved, the filtered pairs removed, and the first k kept (DEXML's evaluation: top 100, then filter).
    /// </summary>
    public TopKPredictions Predict(IReadOnlyList<string> texts, int k, LabelFilter? filter = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (k < 1) throw new ArgumentException($"k must be positive, got {k}");
        int depth = Math.Min(NumLabels, filter is null ? k : Math.Max(k, Options.RetrieveBeforeFilter));
        _index ??= new ExactLabelIndex(Backend, LabelEmbeddings);
        var found = _index.Search(Encode(texts, monitor), depth, monitor);
        if (filter is not null) found = filter.Apply(found);
        var result = TopKPredictions.Empty(found.Rows, k);
        int kept = Math.Min(k, found.K);
        for (int i = 0; i < found.Rows; i++)
        {
            found.LabelsOf(i)[..kept].CopyTo(result.Labels.AsSpan(i * k, kept));
            found.ScoresOf(i)[..kept].CopyTo(result.Scores.AsSpan(i * k, kept));
        }
        return result;
    }

    /// <inheritdoc />
    public void Save(string path) => ModelFile.Save(path, Method, FormatVersion, w =>
    {
        TextModelFiles.WriteHeader(w, Options, Sequence, Tokenizer, Encoder);
        w.WriteMatrix(LabelEmbeddings);
        // Wall-clock times differ run to run: they go to the report, so that one seed writes one file.
        w.Write(JsonSerializer.Serialize(_history.Select(e => e with { Seconds = 0 })));
    });

    /// <summary>Loads a model saved by <see cref="Save"/> onto a new backend of <paramref name="backend"/> kind.</summary>
    public static DexmlModel Load(string path, BackendKind? backend = null) =>
        TextModelFiles.Load(path, "dexml", FormatVersion, backend ?? BackendKind.Auto, (r, compute) => Read(r, compute, path));

    private static DexmlModel Read(BinaryReader r, IComputeBackend backend, string path)
    {
        var header = TextModelFiles.ReadHeader<DexmlOptions>(r, backend, path, "DEXML");
        try
        {
            var labels = r.ReadMatrix();
            if (labels.Cols != header.Encoder.Dimension)
                throw new DataFormatException(path, 0, $"label embeddings have {labels.Cols} columns, the encoder {header.Encoder.Dimension}");
            var history = JsonSerializer.Deserialize<DexmlEpoch[]>(r.ReadString()) ?? [];
            return new DexmlModel(header.Options, header.Tokenizer, header.Sequence, backend, header.Encoder, labels, history);
        }
        catch
        {
            header.Encoder.Dispose();
            throw;
        }
    }

    /// <summary>Bytes of the parameters (float32): encoder and label embeddings.</summary>
    public long ModelBytes => 4L * (Encoder.Parameters.Sum(p => (long)p.Rows * p.Cols) + LabelEmbeddings.Data.LongLength);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>"encoder", "loss", and the per-epoch "epochLoss" and "epochSeconds" (wall-clock times live here, not in the model file).</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) => new()
    {
        Details = new Dictionary<string, object?>
        {
            ["encoder"] = Encoder.ToString(),
            ["loss"] = Options.Loss.ToString(),
            ["epochLoss"] = _history.Select(e => e.Loss).ToArray(),
            ["epochSeconds"] = _history.Select(e => e.Seconds).ToArray(),
        },
    };

    /// <summary>Frees the encoder, the index and the backend.</summary>
    public void Dispose()
    {
        _index?.Dispose();
        Encoder.Dispose();
        Backend.Dispose();
    }

    /// <summary>Labels, encoder and loss.</summary>
    public override string ToString() => $"DexmlModel: {NumLabels:N0} labels, {Encoder}, trained with {Options.Loss} ({_history.Length} epochs)";
}
