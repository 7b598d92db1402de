using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.NeuralXc;

/// <summary>
/// A trained NeuralXC network with its options and training history. Owns its compute backend and network: dispose
/// it when done. Label scores are σ(ψ_o(f(φ_i(x)))).
/// </summary>
public sealed class NeuralXcModel : IXcModel, IReportDetails
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 1;

    /// <summary>Wraps a trained network (taking ownership of it and of its backend).</summary>
    public NeuralXcModel(NeuralXcNetwork network, NeuralXcOptions options, IReadOnlyList<NeuralXcEpoch> history)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        History = history ?? throw new ArgumentNullException(nameof(history));
    }

    /// <inheritdoc/>
    public string Method => NeuralXc.MethodName;

    /// <summary>The network.</summary>
    public NeuralXcNetwork Network { get; }

    /// <summary>The options it was trained with.</summary>
    public NeuralXcOptions Options { get; }

    /// <summary>Per-epoch losses and metrics.</summary>
    public IReadOnlyList<NeuralXcEpoch> History { get; }

    /// <summary>The layer sizes.</summary>
    public NeuralXcArchitecture Architecture => Network.Architecture;

    /// <summary>Feature dimension D.</summary>
    public int NumFeatures => Architecture.InputEncoder[0];

    /// <summary>Number of labels L.</summary>
    public int NumLabels => Architecture.LabelEncoder[0];

    /// <summary>Bytes of the parameters (float32).</summary>
    public long ModelBytes => 4 * Architecture.ParameterCount;

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>The architecture, its parameter count and the per-epoch history.</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) => new()
    {
        Details = new Dictionary<string, object?>
        {
            ["architecture"] = Architecture,
            ["parameters"] = Architecture.ParameterCount,
            ["epochs"] = History,
        },
    };

    /// <summary>The k best labels of each row of <paramref name="features"/>, scores σ(logit) in (0, 1).</summary>
    public TopKPredictions TopK(CsrMatrix features, int k) =>
        NeuralXc.Predict(Network, ModelInputs.InFeatureSpace(features, NumFeatures), k, Options.PredictionBatchSize);

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK(data.Features, k);

    /// <summary>Every label's score σ(ψ_o(f(φ_i(x)))) for every row (N x L; for small sets, plots and checks).</summary>
    public RowMajorMatrix Scores(CsrMatrix features)
    {
        features = ModelInputs.InFeatureSpace(features, NumFeatures);
        var scores = new RowMajorMatrix(features.Rows, NumLabels);
        var backend = Network.Backend;
        for (int start = 0; start < features.Rows; start += Options.PredictionBatchSize)
        {
            int rows = Math.Min(Options.PredictionBatchSize, features.Rows - start);
            using var x = backend.Upload(features.SelectRows(Enumerable.Range(start, rows).ToArray()));
            var logits = Network.LabelLogits(x);
            backend.Activate(Activation.Sigmoid, logits, logits);
            logits.CopyTo(scores.Data.AsSpan(start * NumLabels, rows * NumLabels));
        }
        return scores;
    }

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, NeuralXc.MethodName, FormatVersion, w =>
        {
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
            w.Write(JsonSerializer.Serialize(Architecture, RunReport.JsonOptions));
            // Wall-clock times differ run to run: they go to the report, so that one seed writes one file.
            w.Write(JsonSerializer.Serialize(History.Select(e => e with { Seconds = 0 }), RunReport.JsonOptions));
            ParameterFile.Write(w, Network.Parameters);
        });

    /// <summary>Reads a model written by <see cref="Save"/> onto a backend of <paramref name="backend"/> kind.</summary>
    public static NeuralXcModel Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, NeuralXc.MethodName, FormatVersion, r =>
        {
            var options = Deserialize<NeuralXcOptions>(r.ReadString(), path, "options");
            var architecture = Deserialize<NeuralXcArchitecture>(r.ReadString(), path, "architecture");
            var history = Deserialize<List<NeuralXcEpoch>>(r.ReadString(), path, "history");
            if (architecture.InputEncoder is not { Count: > 0 } || architecture.LabelEncoder is not { Count: > 0 })
                throw new DataFormatException(path, 0, "bad architecture: an encoder has no layer sizes");
            try
            {
                architecture.Validate(architecture.InputEncoder[0], architecture.LabelEncoder[0]);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(path, 0, $"bad architecture: {e.Message}");
            }
            var compute = ComputeBackends.Create(backend ?? BackendKind.Auto);
            var network = new NeuralXcNetwork(compute, architecture, options.Activations, options.Init, options.Seed,
                options.IsSampled(architecture.InputEncoder[0], architecture.LabelEncoder[0]));
            try
            {
                ParameterFile.ReadInto(r, network.Parameters, path);
            }
            catch
            {
                network.Dispose();
                compute.Dispose();
                throw;
            }
            return new NeuralXcModel(network, options, history);
        });

    /// <summary>Frees the network and its backend.</summary>
    public void Dispose()
    {
        var backend = Network.Backend;
        Network.Dispose();
        backend.Dispose();
    }

    /// <summary>A one-line description.</summary>
    public override string ToString() => $"NeuralXcModel {NumFeatures:N0} features → {NumLabels:N0} labels: {Architecture}";

    private static T Deserialize<T>(string json, string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, RunReport.JsonOptions) ?? throw new DataFormatException(path, 0, $"missing {what}");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, 0, $"unreadable {what}: {e.Message}", e);
        }
    }
}
