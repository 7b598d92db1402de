using XcNotebooks.Core;
using XcNotebooks.Learners;
using XcNotebooks.Metrics;

namespace XcNotebooks.Methods.Baselines;

/// <summary>
/// The settings a calibrated fusion chose on held-out data, and the held-out precision they gave (percent): of the
/// fusion, and of the same one-vs-rest models ranked by their raw margins.
/// </summary>
public sealed record CalibratedFusionChoice
{
    /// <summary>The column weighting kept.</summary>
    public FeatureWeighting Weighting { get; init; }

    /// <summary>The cost C of the one-vs-rest learners.</summary>
    public double Cost { get; init; }

    /// <summary>The number of neighbours.</summary>
    public int Neighbours { get; init; }

    /// <summary>The weight of the neighbours' vote share.</summary>
    public double NeighbourWeight { get; init; }

    /// <summary>The k of the held-out P@k that chose them.</summary>
    public int SelectAt { get; init; }

    /// <summary>Held-out P@k (percent) of the fusion with these settings.</summary>
    public double HeldoutPrecision { get; init; }

    /// <summary>Held-out P@k (percent) of the same one-vs-rest models by raw margins (no calibration, no neighbours).</summary>
    public double HeldoutPrecisionOfMargins { get; init; }

    /// <summary>Held-out points the choice was made on.</summary>
    public int HeldoutPoints { get; init; }
}

/// <summary>
/// Calibrated fusion of one-vs-rest and k-nearest neighbours. Each label's one-vs-rest margin m is turned into a
/// probability σ(A_l·m + B_l) by Platt scaling fit on held-out margins (margins of unlike labels are not comparable:
/// ranking labels by raw margins favours the labels whose learners happen to give large ones), and the k nearest
/// training points' similarity-weighted vote share v_l is added: score_l = σ(A_l·m_l + B_l) + w·v_l. The column
/// weighting (none, idf, max-abs), the cost C, k and w are chosen on held-out data: the caller's held-out split, or
/// cross-validation folds carved from the training set (seeded), so the test split chooses nothing. The final models
/// are then trained on the whole training set with the chosen settings and the held-out calibration.
/// </summary>
public static class CalibratedFusion
{
    /// <summary>Model-file, CLI and report name.</summary>
    public const string MethodName = "fusion";

    /// <summary>The weightings <see cref="FeatureWeighting.Auto"/> chooses among, in order (ties keep the first).</summary>
    public static IReadOnlyList<FeatureWeighting> AutoWeightings { get; } = [FeatureWeighting.None, FeatureWeighting.Idf, FeatureWeighting.MaxAbs];

    /// <summary>The common training shape: <paramref name="heldout"/>, when given, chooses the settings instead of folds.</summary>
    public static CalibratedFusionModel Train(Dataset train, Dataset? heldout, CalibratedFusionOptions options, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new CalibratedFusionOptions()).Validate();
        monitor ??= TrainingMonitor.Silent;
        if (heldout is not null && heldout.NumLabels != train.NumLabels)
            throw new ArgumentException($"the held-out split has {heldout.NumLabels} labels, the training split {train.NumLabels}");
        if (heldout is null && train.NumPoints < options.Folds)
            throw new ArgumentException($"{train.NumPoints} training points cannot make {options.Folds} folds");
        List<Part> parts = heldout is not null ? [new Part(train, heldout)] : Folds(train, options.Folds, SeedStreams.CalibratedFusion.Folds.Of(options.Seed));
        var truth = heldout?.Labels ?? Stack(parts.Select(p => p.Heldout.Labels.Matrix).ToList());
        IReadOnlyList<FeatureWeighting> candidates = options.Weighting == FeatureWeighting.Auto ? AutoWeightings : [options.Weighting];
        var best = new Candidate(double.NegativeInfinity, null!, null!);
        int step = 0, steps = candidates.Count * options.Costs.Count;
        foreach (var weighting in candidates)
        {
            // Per part: the weighting fit on its training points, the neighbours' vote shares for every k.
            var partWeights = parts.Select(p => ColumnWeights(p.Train.Features, weighting)).ToList();
            if (weighting != FeatureWeighting.None && candidates.Contains(FeatureWeighting.None) && partWeights.All(w => w.All(v => v == 1)))
            {
                // Max-abs scaling of binary features changes nothing: the None candidate already scored these settings.
                step += options.Costs.Count;
                monitor.Write($"fusion: {weighting} weights are all 1 here, the same as None: skipped");
                continue;
            }
            var weighted = parts.Select((p, i) => new Part(p.Train with { Features = Weigh(p.Train.Features, partWeights[i]) },
                p.Heldout with { Features = Weigh(p.Heldout.Features, partWeights[i]) })).ToList();
            var shares = options.Neighbours.Distinct().ToDictionary(k => k, k => Stack(weighted.Select(p =>
                VoteShares(new KNearestNeighbours(p.Train.Features, p.Train.Labels, new KNearestNeighboursOptions { Neighbours = k }), p.Heldout.Features)).ToList()));
            foreach (double cost in options.Costs)
            {
                monitor.Report("Fusion settings", step++, steps, $"{weighting}, C = {cost}");
                var ovr = OneVsRestOptions(options, cost);
                var margins = Stack(weighted.Select(p => OneVsRestLinear.Train(p.Train, ovr).Scores(p.Heldout.Features)).ToList());
                var calibration = FitCalibration(margins, truth);
                var calibrated = Calibrate(margins, calibration);
                double ofMargins = Precision(truth, margins, options.SelectAt);
                var fused = new RowMajorMatrix(margins.Rows, margins.Cols);
                foreach (int k in options.Neighbours)
                    foreach (double w in options.NeighbourWeights)
                    {
                        Fuse(calibrated, shares[k], w, fused);
                        double precision = Precision(truth, fused, options.SelectAt);
                        if (precision > best.Precision)
                            best = new Candidate(precision, new CalibratedFusionChoice
                            {
                                Weighting = weighting, Cost = cost, Neighbours = k, NeighbourWeight = w, SelectAt = options.SelectAt,
                                HeldoutPrecision = precision * 100, HeldoutPrecisionOfMargins = ofMargins * 100, HeldoutPoints = truth.Rows,
                            }, calibration);
                    }
                monitor.Write($"fusion: {weighting}, C = {cost}: held-out P@{options.SelectAt} by margins {ofMargins * 100:F2}, best fusion so far {best.Precision * 100:F2}");
            }
        }
        monitor.Report("Fusion settings", steps, steps);
        var choice = best.Choice;
        monitor.Write($"fusion: chose {choice.Weighting}, C = {choice.Cost}, k = {choice.Neighbours}, w = {choice.NeighbourWeight} " +
            $"(held-out P@{choice.SelectAt} {choice.HeldoutPrecision:F2}, by margins {choice.HeldoutPrecisionOfMargins:F2}); training on all {train.NumPoints:N0} points");
        var columnWeights = ColumnWeights(train.Features, choice.Weighting);
        var full = train with { Features = Weigh(train.Features, columnWeights) };
        var oneVsRest = OneVsRestLinear.Train(full, OneVsRestOptions(options, choice.Cost), monitor);
        var neighbours = new KNearestNeighbours(full.Features, full.Labels, new KNearestNeighboursOptions { Neighbours = choice.Neighbours });
        return new CalibratedFusionModel(columnWeights, oneVsRest, best.Calibration, neighbours, choice, options);
    }

    /// <summary>The one-vs-rest options of a candidate cost (the learners' seed is the fusion's one-vs-rest stream).</summary>
    private static OneVsRestOptions OneVsRestOptions(CalibratedFusionOptions options, double cost) => options.OneVsRest with
    {
        Learner = options.OneVsRest.Learner with { Cost = cost },
        Seed = SeedStreams.CalibratedFusion.OneVsRest.Of(options.Seed),
    };

    /// <summary>
    /// The column weights of <paramref name="weighting"/> fit on <paramref name="features"/> (the training points);
    /// empty for <see cref="FeatureWeighting.None"/>.
    /// </summary>
    public static float[] ColumnWeights(CsrMatrix features, FeatureWeighting weighting)
    {
        ArgumentNullException.ThrowIfNull(features);
        switch (weighting)
        {
            case FeatureWeighting.None:
                return [];
            case FeatureWeighting.Idf:
            {
                var count = new int[features.Cols];
                for (long p = 0; p < features.NonZeros; p++)
                    if (features.Values[p] != 0) count[features.ColumnIndices[p]]++;
                return count.Select(n => (float)(Math.Log((1.0 + features.Rows) / (1.0 + n)) + 1)).ToArray();
            }
            case FeatureWeighting.MaxAbs:
            {
                var max = new float[features.Cols];
                for (long p = 0; p < features.NonZeros; p++)
                    max[features.ColumnIndices[p]] = Math.Max(max[features.ColumnIndices[p]], Math.Abs(features.Values[p]));
                return max.Select(m => m > 0 ? 1 / m : 1f).ToArray();
            }
            default:
                throw new ArgumentException($"no column weights for {weighting}: choose None, Idf or MaxAbs");
        }
    }

    /// <summary>Each value times its column's weight (columns beyond the weights, or no weights: unchanged).</summary>
    public static CsrMatrix Weigh(CsrMatrix features, IReadOnlyList<float> weights)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) return features;
        var values = (float[])features.Values.Clone();
        for (long p = 0; p < values.LongLength; p++)
        {
            int j = features.ColumnIndices[p];
            if (j < weights.Count) values[p] *= weights[j];
        }
        return new CsrMatrix(features.Rows, features.Cols, features.RowPointers, features.ColumnIndices, values, validate: false);
    }

    /// <summary>
    /// The neighbours' vote share of every label (N x L): the similarity of the neighbours carrying it over the
    /// similarity of all of them (negative similarities count as 0; no similar neighbour: all 0).
    /// </summary>
    public static RowMajorMatrix VoteShares(KNearestNeighbours neighbours, CsrMatrix features)
    {
        ArgumentNullException.ThrowIfNull(neighbours);
        var found = neighbours.Neighbours(features);
        var shares = new RowMajorMatrix(found.Rows, neighbours.NumLabels);
        Parallel.For(0, found.Rows, i =>
        {
            var ids = found.LabelsOf(i);
            var similarities = found.ScoresOf(i);
            double total = 0;
            for (int n = 0; n < ids.Length; n++)
                if (ids[n] >= 0) total += Math.Max(0, similarities[n]);
            if (total <= 0) return;
            var row = shares.Row(i);
            for (int n = 0; n < ids.Length; n++)
            {
                if (ids[n] < 0) continue;
                float share = (float)(Math.Max(0, similarities[n]) / total);
                foreach (int label in neighbours.TrainLabels.LabelsOf(ids[n])) row[label] += share;
            }
        });
        return shares;
    }

    /// <summary>Platt scaling of every label, fit on its column of <paramref name="margins"/> against <paramref name="truth"/>.</summary>
    public static PlattScaling[] FitCalibration(RowMajorMatrix margins, LabelMatrix truth)
    {
        ArgumentNullException.ThrowIfNull(margins);
        ArgumentNullException.ThrowIfNull(truth);
        if (margins.Rows != truth.Rows || margins.Cols != truth.NumLabels)
            throw new ArgumentException($"margins are {margins.Rows} x {margins.Cols}, the labels {truth.Rows} x {truth.NumLabels}");
        var positive = new bool[margins.Cols][];
        for (int l = 0; l < margins.Cols; l++) positive[l] = new bool[margins.Rows];
        for (int i = 0; i < truth.Rows; i++)
            foreach (int l in truth.LabelsOf(i)) positive[l][i] = true;
        var calibration = new PlattScaling[margins.Cols];
        Parallel.For(0, margins.Cols, l =>
        {
            var column = new float[margins.Rows];
            for (int i = 0; i < margins.Rows; i++) column[i] = margins.Data[(long)i * margins.Cols + l];
            calibration[l] = PlattScaling.Fit(column, positive[l]);
        });
        return calibration;
    }

    /// <summary>σ(A_l·m + B_l) of every margin (a new matrix).</summary>
    public static RowMajorMatrix Calibrate(RowMajorMatrix margins, IReadOnlyList<PlattScaling> calibration)
    {
        ArgumentNullException.ThrowIfNull(margins);
        var result = new RowMajorMatrix(margins.Rows, margins.Cols);
        CalibrateInto(margins, calibration, result);
        return result;
    }

    internal static void CalibrateInto(RowMajorMatrix margins, IReadOnlyList<PlattScaling> calibration, RowMajorMatrix result)
    {
        if (calibration.Count != margins.Cols) throw new ArgumentException($"{calibration.Count} calibrations for {margins.Cols} labels");
        Parallel.For(0, margins.Rows, i =>
        {
            var from = margins.Row(i);
            var to = result.Row(i);
            for (int l = 0; l < from.Length; l++) to[l] = (float)calibration[l].Probability(from[l]);
        });
    }

    /// <summary>into = calibrated + w · shares.</summary>
    internal static void Fuse(RowMajorMatrix calibrated, RowMajorMatrix shares, double weight, RowMajorMatrix into)
    {
        float w = (float)weight;
        for (long p = 0; p < into.Data.LongLength; p++) into.Data[p] = calibrated.Data[p] + w * shares.Data[p];
    }

    private static double Precision(LabelMatrix truth, RowMajorMatrix scores, int k) =>
        XcMetrics.Evaluate(truth, TopKPredictions.FromScores(scores, k), k).P(k);

    /// <summary>Folds of the training points from a seeded permutation: point perm[i] is held out in fold i mod folds.</summary>
    private static List<Part> Folds(Dataset train, int folds, int seed)
    {
        var permutation = Seeds.Permutation(train.NumPoints, seed);
        var parts = new List<Part>();
        for (int f = 0; f < folds; f++)
        {
            var held = new List<int>();
            var kept = new List<int>();
            for (int i = 0; i < permutation.Length; i++) (i % folds == f ? held : kept).Add(permutation[i]);
            held.Sort();
            kept.Sort();
            parts.Add(new Part(train.SelectRows(kept), train.SelectRows(held)));
        }
        return parts;
    }

    /// <summary>Rows of the matrices one under another.</summary>
    private static RowMajorMatrix Stack(IReadOnlyList<RowMajorMatrix> blocks)
    {
        if (blocks.Count == 1) return blocks[0];
        var result = new RowMajorMatrix(blocks.Sum(b => b.Rows), blocks[0].Cols);
        long at = 0;
        foreach (var block in blocks)
        {
            block.Data.CopyTo(result.Data, at);
            at += block.Data.LongLength;
        }
        return result;
    }

    private static LabelMatrix Stack(IReadOnlyList<CsrMatrix> blocks)
    {
        var sets = blocks.SelectMany(b => Enumerable.Range(0, b.Rows).Select(i => b.RowIndices(i).ToArray())).ToList();
        return LabelMatrix.FromLabelSets(sets, blocks[0].Cols);
    }

    private sealed record Part(Dataset Train, Dataset Heldout);

    private sealed record Candidate(double Precision, CalibratedFusionChoice Choice, PlattScaling[] Calibration);
}
