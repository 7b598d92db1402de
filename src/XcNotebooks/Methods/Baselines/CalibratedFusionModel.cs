using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Learners;

namespace XcNotebooks.Methods.Baselines;

/// <summary>
/// A trained calibrated fusion (<see cref="CalibratedFusion"/>): column weights, one-vs-rest learners on the weighted
/// features, a Platt scaling per label, and k nearest neighbours on the same features. A label's score is
/// σ(A_l·m_l + B_l) + w·v_l, with m_l the one-vs-rest margin and v_l the neighbours' similarity-weighted vote share.
/// </summary>
public sealed class CalibratedFusionModel : IXcModel, IReportDetails
{
    /// <summary>Format version of saved models.</summary>
    public const int FormatVersion = 1;

    /// <summary>Points scored at once by <see cref="TopK(CsrMatrix, int)"/> (bounds the N x L score blocks held).</summary>
    private const int Block = 2048;

    private readonly float[] _columnWeights;
    private readonly PlattScaling[] _calibration;

    /// <summary>
    /// Wraps trained parts: <paramref name="columnWeights"/> (empty: none) apply to the features before both
    /// <paramref name="oneVsRest"/> and <paramref name="neighbours"/>, which were trained on weighted features.
    /// </summary>
    public CalibratedFusionModel(IReadOnlyList<float> columnWeights, OneVsRestLinear oneVsRest, IReadOnlyList<PlattScaling> calibration,
        KNearestNeighbours neighbours, CalibratedFusionChoice choice, CalibratedFusionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(columnWeights);
        ArgumentNullException.ThrowIfNull(oneVsRest);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(neighbours);
        ArgumentNullException.ThrowIfNull(choice);
        if (calibration.Count != oneVsRest.NumLabels) throw new ArgumentException($"{calibration.Count} calibrations for {oneVsRest.NumLabels} labels");
        if (neighbours.NumLabels != oneVsRest.NumLabels) throw new ArgumentException($"the neighbours know {neighbours.NumLabels} labels, one-vs-rest {oneVsRest.NumLabels}");
        if (columnWeights.Count != 0 && columnWeights.Count != oneVsRest.NumFeatures)
            throw new ArgumentException($"{columnWeights.Count} column weights for {oneVsRest.NumFeatures} features");
        if (!(choice.NeighbourWeight >= 0)) throw new ArgumentException($"the neighbour weight must be 0 or positive, got {choice.NeighbourWeight}");
        _columnWeights = columnWeights.ToArray();
        _calibration = calibration.ToArray();
        OneVsRest = oneVsRest;
        Neighbours = neighbours;
        Choice = choice;
        Options = options ?? new CalibratedFusionOptions();
    }

    /// <inheritdoc/>
    public string Method => CalibratedFusion.MethodName;

    /// <summary>The column weights (empty: the features as they are).</summary>
    public IReadOnlyList<float> ColumnWeights => _columnWeights;

    /// <summary>The one-vs-rest learners (on weighted features).</summary>
    public OneVsRestLinear OneVsRest { get; }

    /// <summary>Each label's Platt scaling of its one-vs-rest margin.</summary>
    public IReadOnlyList<PlattScaling> Calibration => _calibration;

    /// <summary>The nearest-neighbour part (on weighted features).</summary>
    public KNearestNeighbours Neighbours { get; }

    /// <summary>The settings chosen on held-out data.</summary>
    public CalibratedFusionChoice Choice { get; }

    /// <summary>The options the model was trained with.</summary>
    public CalibratedFusionOptions Options { get; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => OneVsRest.NumLabels;

    /// <summary>Feature dimension.</summary>
    public int NumFeatures => OneVsRest.NumFeatures;

    /// <summary>Bytes held: the one-vs-rest weights, the neighbours' training set, the column weights and calibrations.</summary>
    public long ModelBytes => OneVsRest.ModelBytes + Neighbours.ModelBytes + 4L * _columnWeights.Length + 16L * _calibration.Length;

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>Holds managed arrays only: nothing to release.</summary>
    void IDisposable.Dispose() { }

    /// <summary>The chosen settings and their held-out precision.</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) =>
        new()
        {
            Details = new Dictionary<string, object?>
            {
                ["weighting"] = Choice.Weighting.ToString(),
                ["cost"] = Choice.Cost,
                ["neighbours"] = Choice.Neighbours,
                ["neighbourWeight"] = Choice.NeighbourWeight,
                [$"heldoutP@{Choice.SelectAt}"] = Choice.HeldoutPrecision,
                [$"heldoutP@{Choice.SelectAt}OfMargins"] = Choice.HeldoutPrecisionOfMargins,
                ["heldoutPoints"] = Choice.HeldoutPoints,
            },
        };

    /// <summary>The fused scores of every label (N x L).</summary>
    public RowMajorMatrix Scores(CsrMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var weighted = CalibratedFusion.Weigh(ModelInputs.InFeatureSpace(features, NumFeatures), _columnWeights);
        var margins = OneVsRest.Scores(weighted);
        var fused = new RowMajorMatrix(margins.Rows, margins.Cols);
        CalibratedFusion.CalibrateInto(margins, _calibration, fused);
        if (Choice.NeighbourWeight > 0)
            CalibratedFusion.Fuse(fused, CalibratedFusion.VoteShares(Neighbours, weighted), Choice.NeighbourWeight, fused);
        return fused;
    }

    /// <summary>The k best labels of each point by fused score, scored in blocks of points.</summary>
    public TopKPredictions TopK(CsrMatrix features, int k)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var result = TopKPredictions.Empty(features.Rows, k);
        for (int start = 0; start < features.Rows; start += Block)
        {
            var rows = Enumerable.Range(start, Math.Min(Block, features.Rows - start)).ToArray();
            var block = TopKPredictions.FromScores(Scores(rows.Length == features.Rows ? features : features.SelectRows(rows)), k);
            block.Labels.CopyTo(result.Labels, (long)start * k);
            block.Scores.CopyTo(result.Scores, (long)start * k);
        }
        return result;
    }

    /// <inheritdoc/>
    public TopKPredictions TopK(Dataset data, int k) => TopK((data ?? throw new ArgumentNullException(nameof(data))).Features, k);

    /// <inheritdoc/>
    public void Save(string path) =>
        ModelFile.Save(path, CalibratedFusion.MethodName, FormatVersion, w =>
        {
            w.Write(JsonSerializer.Serialize(Options, RunReport.JsonOptions));
            w.Write(JsonSerializer.Serialize(Choice, RunReport.JsonOptions));
            w.WriteArray(_columnWeights);
            w.WriteMatrix(OneVsRest.Weights);
            w.WriteArray(OneVsRest.BiasWeights.ToArray());
            w.Write(JsonSerializer.Serialize(OneVsRest.Options, RunReport.JsonOptions));
            w.Write(_calibration.Length);
            foreach (var c in _calibration)
            {
                w.Write(c.A);
                w.Write(c.B);
            }
            w.WriteMatrix(Neighbours.TrainFeatures);
            w.WriteMatrix(Neighbours.TrainLabels.Matrix);
        });

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>The model predicts on the CPU: <paramref name="backend"/> is accepted for the common shape and not used.</remarks>
    public static CalibratedFusionModel Load(string path, BackendKind? backend = null) =>
        ModelFile.Load(path, CalibratedFusion.MethodName, FormatVersion, r =>
        {
            var options = JsonSerializer.Deserialize<CalibratedFusionOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing options");
            var choice = JsonSerializer.Deserialize<CalibratedFusionChoice>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing chosen settings");
            var columnWeights = r.ReadFloatArray();
            var weights = r.ReadMatrix();
            var bias = r.ReadFloatArray();
            var ovrOptions = JsonSerializer.Deserialize<OneVsRestOptions>(r.ReadString(), RunReport.JsonOptions)
                ?? throw new DataFormatException(path, 0, "missing one-vs-rest options");
            if (bias.Length != weights.Cols) throw new DataFormatException(path, 0, $"{bias.Length} bias weights for {weights.Cols} labels");
            int labels = r.ReadInt32();
            if (labels != weights.Cols) throw new DataFormatException(path, 0, $"{labels} calibrations for {weights.Cols} labels");
            var calibration = new PlattScaling[labels];
            for (int l = 0; l < labels; l++) calibration[l] = new PlattScaling(r.ReadDouble(), r.ReadDouble());
            var features = r.ReadCsrMatrix();
            var truth = r.ReadCsrMatrix();
            if (features.Rows != truth.Rows) throw new DataFormatException(path, 0, $"{features.Rows} neighbour feature rows but {truth.Rows} label rows");
            if (truth.Cols != weights.Cols) throw new DataFormatException(path, 0, $"the neighbours know {truth.Cols} labels, one-vs-rest {weights.Cols}");
            if (columnWeights.Length != 0 && columnWeights.Length != weights.Rows)
                throw new DataFormatException(path, 0, $"{columnWeights.Length} column weights for {weights.Rows} features");
            var neighbours = new KNearestNeighbours(features, new LabelMatrix(truth), new KNearestNeighboursOptions { Neighbours = choice.Neighbours });
            return new CalibratedFusionModel(columnWeights, new OneVsRestLinear(weights, bias, ovrOptions), calibration, neighbours, choice, options);
        });

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"CalibratedFusionModel {NumLabels:N0} labels x {NumFeatures:N0} features ({Choice.Weighting}, C = {Choice.Cost}, k = {Choice.Neighbours}, w = {Choice.NeighbourWeight})";
}
