using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// A trained W-LTLS model in its final (merged) form: the trellis graph, the decoding loss, the codeword-to-class
/// assignment and the D x E weight matrix whose column e is edge e's linear learner, so that the responses of a point
/// are x^T W. Prediction decodes the heaviest path and maps its codeword to a class.
/// </summary>
public sealed class WltlsModel : IXcModel, IReportDetails
{
    /// <summary>Format version of saved W-LTLS models.</summary>
    public const int FormatVersion = 1;

    private readonly int[] _codewordOfClass;
    private readonly int[] _classOfCodeword;

    /// <summary>
    /// Wraps a trained model. <paramref name="codewordOfClass"/> must be a permutation of 0..K-1 and
    /// <paramref name="weights"/> must have one column per edge of <paramref name="graph"/>.
    /// </summary>
    public WltlsModel(TrellisGraph graph, DecodingLoss loss, IReadOnlyList<int> codewordOfClass, RowMajorMatrix weights, WltlsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Cols != graph.NumEdges)
            throw new ArgumentException($"weights have {weights.Cols} columns, the trellis graph has {graph.NumEdges} edges");
        if (codewordOfClass.Count != graph.NumClasses)
            throw new ArgumentException($"assignment covers {codewordOfClass.Count} classes, the graph has {graph.NumClasses}");
        var assignment = PathAssignment.Fixed(codewordOfClass);
        Graph = graph;
        Options = options ?? new WltlsOptions { SliceWidth = graph.SliceWidth, DecodingLoss = loss };
        Decoder = new LossBasedDecoder(graph, loss, Options.DecodingScale);
        _codewordOfClass = assignment.CodewordOfClass;
        _classOfCodeword = assignment.ClassOfCodeword;
        Weights = weights;
    }

    /// <inheritdoc/>
    public string Method => Wltls.MethodName;

    /// <summary>The coding DAG.</summary>
    public TrellisGraph Graph { get; }

    /// <summary>The loss-based decoder on <see cref="Graph"/>.</summary>
    public LossBasedDecoder Decoder { get; }

    /// <summary>The decoding loss.</summary>
    public DecodingLoss Loss => Decoder.Loss;

    /// <summary>The options the model was trained with.</summary>
    public WltlsOptions Options { get; }

    /// <summary>The D x E weight matrix (column e: edge e's learner).</summary>
    public RowMajorMatrix Weights { get; }

    /// <summary>Codeword of each class.</summary>
    public IReadOnlyList<int> CodewordOfClass => _codewordOfClass;

    /// <summary>Class of each codeword.</summary>
    public IReadOnlyList<int> ClassOfCodeword => _classOfCodeword;

    /// <summary>Number of classes K.</summary>
    public int NumClasses => Graph.NumClasses;

    /// <summary>Feature dimension D.</summary>
    public int NumFeatures => Weights.Rows;

    /// <summary>Size of the weights (E x D float32), as the original reports it.</summary>
    public long ModelBytes => 4L * Weights.Rows * Weights.Cols;

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>The training that produced this (best-validated) model; null for a loaded model.</summary>
    public WltlsTraining? Training { get; internal set; }

    /// <summary>
    /// The original's test log (accuracy, average binary loss, assignment score, the last epoch's model) and the
    /// report details of <see cref="WltlsRun.Details"/>; a loaded model reports its graph only.
    /// </summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor)
    {
        if (Training is null)
            return new RunDetails { Details = new Dictionary<string, object?> { ["edges"] = Graph.NumEdges, ["sliceWidth"] = Graph.SliceWidth } };
        var test = WltlsRun.TestAsOriginal(Training, data.Test, testPredictions, predictSeconds, monitor);
        return new RunDetails { Details = WltlsRun.Details(Training, test.FinalModelAccuracy, test.FinalModelSeconds, null) };
    }

    /// <summary>The binary responses x^T W of every point (N x E), parallel over points.</summary>
    public RowMajorMatrix Responses(CsrMatrix features) => ModelInputs.InFeatureSpace(features, NumFeatures).Multiply(Weights);

    /// <summary>
    /// The k best codewords of every point with their path weights, decoded on <see cref="WltlsOptions.Backend"/>
    /// (an ILGPU device is opened for the call and closed after it, so the model holds no device).
    /// </summary>
    public DecodedBatch Decode(CsrMatrix features, int k = 1)
    {
        if (ComputeBackends.Resolve(Options.Backend) == BackendKind.Cpu)
            return Decoder.DecodeBatch(ModelInputs.InFeatureSpace(features, NumFeatures), Weights, k);
        using var device = IlgpuDevice.Create();
        return Decode(features, device, k);
    }

    /// <summary>The k best codewords of every point, decoded on <paramref name="device"/> (responses on the CPU).</summary>
    public DecodedBatch Decode(CsrMatrix features, IlgpuDevice device, int k = 1) => TrellisDecodeKernel.Decode(device, Decoder, Responses(features), k);

    /// <summary>The same model decoding on <paramref name="backend"/> (e.g. a model trained on one machine, applied on another).</summary>
    public WltlsModel OnBackend(BackendKind backend) =>
        new(Graph, Loss, _codewordOfClass, Weights, Options with { Backend = backend });

    /// <summary>The predicted class of every point.</summary>
    public int[] Predict(CsrMatrix features) => ClassesOf(Decode(features).Best());

    /// <summary>The predicted class of every point of <paramref name="data"/>.</summary>
    public int[] Predict(Dataset data) => Predict(data.Features);

    /// <summary>
    /// The predicted class of every point, decoding on an ILGPU device (responses on the CPU, one point per device
    /// thread for the heaviest path).
    /// </summary>
    public int[] Predict(CsrMatrix features, IlgpuDevice device) => ClassesOf(Decode(features, device).Best());

    /// <summary>Share of points (percent) whose predicted class is one of their labels.</summary>
    public double Accuracy(Dataset data) => AccuracyOf(Predict(data), data.Labels);

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k)
    {
        var decoded = Decode(data.Features, k);
        var labels = new int[decoded.Codewords.Length];
        var scores = new float[labels.Length];
        for (int j = 0; j < labels.Length; j++)
        {
            int cw = decoded.Codewords[j];
            labels[j] = cw < 0 ? -1 : _classOfCodeword[cw];
            scores[j] = cw < 0 ? float.NegativeInfinity : (float)decoded.Scores[j];
        }
        return new TopKPredictions(decoded.Rows, k, labels, scores);
    }

    /// <summary>The edges of the decoded (heaviest) path of point <paramref name="row"/>.</summary>
    public IReadOnlyList<int> DecodedPath(CsrMatrix features, int row)
    {
        var responses = new float[Graph.NumEdges];
        ModelInputs.InFeatureSpace(features, NumFeatures).MultiplyRowInto(row, Weights, responses);
        return Graph.PathEdges(Decoder.Decode(responses).Codeword);
    }

    /// <summary>The same model with other weights (e.g. pruned).</summary>
    public WltlsModel WithWeights(RowMajorMatrix weights) => new(Graph, Loss, _codewordOfClass, weights, Options);

    /// <summary>Share (percent) of points whose predicted class is one of their labels.</summary>
    public static double AccuracyOf(IReadOnlyList<int> predicted, LabelMatrix truth)
    {
        if (predicted.Count != truth.Rows) throw new ArgumentException($"{predicted.Count} predictions for {truth.Rows} points");
        if (truth.Rows == 0) return 0;
        int correct = 0;
        for (int i = 0; i < truth.Rows; i++)
            if (predicted[i] >= 0 && truth.Has(i, predicted[i])) correct++;
        return 100.0 * correct / truth.Rows;
    }

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, Wltls.MethodName, FormatVersion, w =>
        {
            w.Write(Graph.NumClasses);
            w.Write(Graph.SliceWidth);
            w.Write((int)Loss);
            w.WriteArray(_codewordOfClass);
            w.WriteMatrix(Weights);
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
        });

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged or foreign file gives a DataFormatException naming it.</summary>
    /// <remarks><paramref name="backend"/> chooses where the model decodes (null: where it was trained to decode).</remarks>
    public static WltlsModel Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, Wltls.MethodName, FormatVersion, r =>
        {
            int classes = r.ReadInt32(), sliceWidth = r.ReadInt32(), loss = r.ReadInt32();
            if (classes < 2 || sliceWidth < 2 || sliceWidth > classes)
                throw new DataFormatException(path, 0, $"invalid trellis shape K={classes}, b={sliceWidth}");
            if (!Enum.IsDefined((DecodingLoss)loss)) throw new DataFormatException(path, 0, $"unknown decoding loss id {loss}");
            var assignment = r.ReadIntArray();
            var weights = r.ReadMatrix();
            var options = JsonSerializer.Deserialize<WltlsOptions>(r.ReadString(), RunReport.JsonOptions);
            var graph = TrellisGraph.Create(classes, sliceWidth);
            if (weights.Cols != graph.NumEdges)
                throw new DataFormatException(path, 0, $"weight matrix has {weights.Cols} columns, the trellis K={classes}, b={sliceWidth} has {graph.NumEdges} edges");
            try
            {
                var model = new WltlsModel(graph, (DecodingLoss)loss, assignment, weights, options);
                return backend is { } kind ? model.OnBackend(kind) : model;
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(path, 0, e.Message, e);
            }
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"W-LTLS K={NumClasses} b={Graph.SliceWidth}: {Graph.NumEdges} edges, D={NumFeatures:N0}, {ModelBytes / 1048576.0:F1} MiB, {DecodingLosses.Name(Loss)} loss";

    private int[] ClassesOf(int[] codewords)
    {
        var classes = new int[codewords.Length];
        for (int i = 0; i < codewords.Length; i++) classes[i] = codewords[i] < 0 ? -1 : _classOfCodeword[codewords[i]];
        return classes;
    }
}
