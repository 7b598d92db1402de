using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// A trained DSNC model: the encoder to m-bit codes and the learned decoder (on a compute backend), and the code table
/// of the classes. Two decodings: <see cref="Predict(CsrMatrix)"/> runs the learned decoder on the deterministic code
/// 1[p &gt; 0.5] (linear in the number of classes); <see cref="PredictByLookup(CsrMatrix, NeighbourOrder?, int?)"/>
/// looks the code and its Hamming neighbours up in the code table (sublinear). Dispose it to free backend memory.
/// Prediction calls are serialised (the network's buffers are shared).
/// </summary>
public sealed class DsncModel : IXcModel, IReportDetails
{
    /// <summary>Version of the model file's payload.</summary>
    public const int FormatVersion = 1;

    private readonly DsncNetwork _network;
    private readonly bool _ownsBackend;
    private readonly Lock _lock = new();

    internal DsncModel(DsncNetwork network, BinaryCodeTable table, bool ownsBackend)
    {
        _network = network;
        CodeTable = table;
        _ownsBackend = ownsBackend;
    }

    /// <inheritdoc />
    public string Method => Dsnc.MethodName;

    /// <summary>The options the model was trained with, resolved (<see cref="DsncOptions.Resolve"/>).</summary>
    public DsncOptions Options => _network.Options;

    /// <summary>The backend holding the network.</summary>
    public IComputeBackend Backend => _network.Backend;

    /// <summary>Feature dimension.</summary>
    public int NumFeatures => _network.NumFeatures;

    /// <summary>Number of classes.</summary>
    public int NumClasses => _network.NumClasses;

    /// <summary>Code length m.</summary>
    public int CodeBits => Options.CodeBits;

    /// <summary>The classes' codes (the lookup decoding's hash table).</summary>
    public BinaryCodeTable CodeTable { get; }

    /// <summary>Distinct codes, collisions and classes without a code.</summary>
    public CodeStatistics CodeStatistics => CodeTable.Statistics;

    /// <summary>Size of the parameters (float32).</summary>
    public long ModelBytes => _network.Parameters.Sum(p => 4L * p.Rows * p.Cols);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>The training that produced this model; null for a loaded model.</summary>
    public DsncTraining? Training { get; internal set; }

    /// <summary>
    /// Both decodings on the test split: the learned decoder's (<paramref name="testPredictions"/>) and the code
    /// lookup's accuracy ("lookup accuracy") and speed, the code statistics and the training epochs.
    /// </summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor)
    {
        var test = data.Test;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lookup = PredictByLookup(test);
        double lookupSeconds = clock.Elapsed.TotalSeconds;
        double accuracy = 100 * XcMetrics.Accuracy(test.Labels, testPredictions.Top1());
        double lookupAccuracy = 100 * XcMetrics.Accuracy(test.Labels, lookup.Classes);
        double decoderSpeed = test.NumPoints / Math.Max(predictSeconds, 1e-9), lookupSpeed = test.NumPoints / Math.Max(lookupSeconds, 1e-9);
        monitor.Write(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Test accuracy: learned decoder {accuracy:F2}% ({decoderSpeed:N0} points/s), code lookup {lookupAccuracy:F2}% ({lookupSpeed:N0} points/s, {lookup.AverageNeighboursProbed:F1} neighbours probed, {100 * lookup.FallbackShare:F1}% fallbacks)"));
        return new RunDetails
        {
            Metrics = new Dictionary<string, double> { ["lookup accuracy"] = lookupAccuracy },
            Details = new Dictionary<string, object?>
            {
                ["resolvedOptions"] = Options, // the settings the input profile filled in (the run's options may leave them at 0)
                ["codeBits"] = CodeBits,
                ["codedClasses"] = CodeTable.Count,
                ["codeStatistics"] = CodeStatistics,
                ["decoderPointsPerSecond"] = decoderSpeed,
                ["lookupPointsPerSecond"] = lookupSpeed,
                ["lookupAverageNeighboursProbed"] = lookup.AverageNeighboursProbed,
                ["lookupFallbackShare"] = lookup.FallbackShare,
                ["lookupExactHits"] = lookup.ExactHits,
                ["epochs"] = Training?.Epochs,
                ["bestEpoch"] = Training?.BestEpoch,
                ["backend"] = Backend.Name,
            },
        };
    }

    /// <summary>The code logits z of every point (points x m); p = σ(z), the deterministic code is 1[z &gt; 0].</summary>
    public RowMajorMatrix CodeLogits(CsrMatrix features)
    {
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        lock (_lock) return _network.CodeLogits(features);
    }

    /// <summary>The deterministic code of every point (bit j = 1[z_j &gt; 0]).</summary>
    public ulong[] Codes(CsrMatrix features)
    {
        var logits = CodeLogits(features);
        return Enumerable.Range(0, logits.Rows).Select(i => BinaryCodeTable.CodeOf(logits.Row(i))).ToArray();
    }

    /// <summary>The learned decoder's best class of every point.</summary>
    public int[] Predict(CsrMatrix features) => TopK(features, 1).Top1();

    /// <summary>The learned decoder's best class of every point.</summary>
    public int[] Predict(Dataset data) => Predict(data.Features);

    /// <summary>The learned decoder's k best classes of every point, with their scores.</summary>
    public TopKPredictions TopK(CsrMatrix features, int k)
    {
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        lock (_lock) return _network.TopK(features, k);
    }

    /// <inheritdoc />
    public TopKPredictions TopK(Dataset data, int k) => TopK(data.Features, k);

    /// <summary>
    /// The sublinear decoding: each point's code looked up in the code table, then its neighbours in
    /// <paramref name="order"/> (default: the options') up to <paramref name="maxNeighbours"/> (default: the
    /// options'), then the table scan (see <see cref="BinaryCodeTable"/>).
    /// </summary>
    public CodeLookupBatch PredictByLookup(CsrMatrix features, NeighbourOrder? order = null, int? maxNeighbours = null) =>
        CodeTable.LookupBatch(CodeLogits(features), order ?? Options.LookupOrder, maxNeighbours ?? Options.MaxNeighbours);

    /// <summary>The sublinear decoding of a data set's points.</summary>
    public CodeLookupBatch PredictByLookup(Dataset data, NeighbourOrder? order = null, int? maxNeighbours = null) =>
        PredictByLookup(data.Features, order, maxNeighbours);

    /// <summary>Accuracy (percent) of the learned decoder.</summary>
    public double Accuracy(Dataset data) => 100 * XcMetrics.Accuracy(data.Labels, Predict(data));

    /// <summary>Accuracy (percent) of the code lookup.</summary>
    public double LookupAccuracy(Dataset data) => 100 * XcMetrics.Accuracy(data.Labels, PredictByLookup(data).Classes);

    /// <inheritdoc />
    public void Save(string path) =>
        ModelFile.Save(path, Dsnc.MethodName, FormatVersion, w =>
        {
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
            w.Write(NumFeatures);
            w.Write(NumClasses);
            lock (_lock) ParameterFile.Write(w, _network.Parameters);
            CodeTable.Write(w);
        });

    /// <summary>
    /// Reads a model written by <see cref="Save"/> onto a new backend of <paramref name="backend"/> kind (default:
    /// the saved options' kind), owned by the model. A damaged or foreign file gives a DataFormatException naming it.
    /// </summary>
    public static DsncModel Load(string path, BackendKind? backend = null) => Load(path, backend, null);

    /// <summary>Reads a model onto <paramref name="computeBackend"/>, shared with the caller (not disposed by the model).</summary>
    public static DsncModel Load(string path, IComputeBackend computeBackend) => Load(path, null, computeBackend);

    private static DsncModel Load(string path, BackendKind? kind, IComputeBackend? backend) =>
        ModelFile.Load(path, Dsnc.MethodName, FormatVersion, r =>
        {
            DsncOptions options;
            try
            {
                options = (JsonSerializer.Deserialize<DsncOptions>(r.ReadString(), RunReport.JsonOptions)
                    ?? throw new DataFormatException(path, 0, "missing options")).Validate();
                if (!options.IsResolved) throw new DataFormatException(path, 0, "the options are not resolved (a code length, encoder, epochs, batch size and learning rate)");
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw new DataFormatException(path, 0, "invalid options: " + e.Message, e);
            }
            int features = r.ReadInt32(), classes = r.ReadInt32();
            if (features < 1 || classes < 1) throw new DataFormatException(path, 0, $"invalid shape: {features} features, {classes} classes");
            bool owns = backend is null;
            backend ??= ComputeBackends.Create(kind ?? options.Backend);
            var network = new DsncNetwork(backend, features, classes, options);
            try
            {
                ParameterFile.ReadInto(r, network.Parameters, path);
                var table = BinaryCodeTable.Read(r, path);
                if (table.Bits != options.CodeBits || table.NumClasses != classes)
                    throw new DataFormatException(path, 0, $"the code table has {table.Bits} bits and {table.NumClasses} classes, the model {options.CodeBits} and {classes}");
                return new DsncModel(network, table, owns);
            }
            catch
            {
                network.Dispose();
                if (owns) backend.Dispose();
                throw;
            }
        });

    /// <summary>Frees the network (and the backend when the model created it).</summary>
    public void Dispose()
    {
        _network.Dispose();
        if (_ownsBackend) Backend.Dispose();
    }

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"DSNC m={CodeBits}: D={NumFeatures:N0}, K={NumClasses:N0}, {CodeTable.Count} class codes, {ModelBytes / 1048576.0:F1} MiB on {Backend.Name}";
}
