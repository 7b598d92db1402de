using XcNotebooks.Core;

namespace XcNotebooks.Metrics;

/// <summary>
/// Every metric as an array over k = 1..K (index k-1), as pyxclib's Metrics.eval computes them: means over all
/// test points (points without labels add 0), PSP and PSnDCG as ratios of means.
/// </summary>
public sealed record MetricReport(
    int K,
    IReadOnlyList<double> Precision,
    IReadOnlyList<double> Ndcg,
    IReadOnlyList<double> Recall,
    IReadOnlyList<double>? PropensityPrecision,
    IReadOnlyList<double>? PropensityNdcg)
{
    /// <summary>P@k.</summary>
    public double P(int k) => Precision[k - 1];

    /// <summary>nDCG@k.</summary>
    public double NdcgAt(int k) => Ndcg[k - 1];

    /// <summary>PSP@k (NaN without propensities).</summary>
    public double Psp(int k) => PropensityPrecision?[k - 1] ?? double.NaN;

    /// <summary>
    /// The metrics as a flat name -> value map ("P@1", "nDCG@3", "PSP@5", "PSnDCG@5", "R@5"), in percent when
    /// <paramref name="percent"/> (the papers' unit).
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary(bool percent = true, IEnumerable<int>? ks = null)
    {
        double scale = percent ? 100 : 1;
        var result = new Dictionary<string, double>();
        foreach (var k in ks ?? Enumerable.Range(1, K).Where(k => k is 1 or 3 or 5 || k == K).Distinct())
        {
            if (k > K) continue;
            result[$"P@{k}"] = Precision[k - 1] * scale;
            result[$"nDCG@{k}"] = Ndcg[k - 1] * scale;
            result[$"R@{k}"] = Recall[k - 1] * scale;
            if (PropensityPrecision is not null) result[$"PSP@{k}"] = PropensityPrecision[k - 1] * scale;
            if (PropensityNdcg is not null) result[$"PSnDCG@{k}"] = PropensityNdcg[k - 1] * scale;
        }
        return result;
    }

    /// <summary>One line per metric, k = 1..K, in percent with two decimals (pyxclib's format()).</summary>
    public override string ToString()
    {
        static string Row(string name, IReadOnlyList<double> v) => $"{name,-7}" + string.Join(", ", v.Select(x => (x * 100).ToString("F2")));
        var lines = new List<string> { Row("P", Precision), Row("nDCG", Ndcg), Row("R", Recall) };
        if (PropensityPrecision is not null) lines.Add(Row("PSP", PropensityPrecision));
        if (PropensityNdcg is not null) lines.Add(Row("PSnDCG", PropensityNdcg));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>The XC evaluation standard (pyxclib): P@k, nDCG@k, PSP@k, PSnDCG@k, recall@k, accuracy.</summary>
public static class XcMetrics
{
    /// <summary>
    /// All metrics for k = 1..<paramref name="k"/>. Pass inverse propensities (<see cref="Propensity.Inverse"/>)
    /// to get PSP and PSnDCG. Predictions beyond their own K count as padding.
    /// </summary>
    public static MetricReport Evaluate(LabelMatrix truth, TopKPredictions predictions, int k = 5, IReadOnlyList<double>? inversePropensity = null)
    {
        if (truth.Rows != predictions.Rows)
            throw new ArgumentException($"{truth.Rows} ground-truth rows but {predictions.Rows} prediction rows");
        if (inversePropensity is not null && inversePropensity.Count != truth.NumLabels)
            throw new ArgumentException($"{inversePropensity.Count} propensities for {truth.NumLabels} labels");
        int n = truth.Rows;
        var discount = Enumerable.Range(1, k).Select(r => 1.0 / Math.Log2(r + 1)).ToArray();
        var cumDiscount = new double[k];
        for (int r = 0; r < k; r++) cumDiscount[r] = discount[r] + (r > 0 ? cumDiscount[r - 1] : 0);

        var p = new double[k]; var ndcg = new double[k]; var recall = new double[k];
        var psp = new double[k]; var psnum = new double[k]; var pspIdeal = new double[k]; var psnIdeal = new double[k];
        var gain = new double[k]; var ideal = new double[k];
        for (int i = 0; i < n; i++)
        {
            var labels = predictions.LabelsOf(i);
            int numTrue = truth.LabelsOf(i).Length;
            // pyxclib quirk kept: a point without labels uses IDCG = c_k (it adds 0 anyway).
            double hits = 0, dcg = 0, wsum = 0, wdcg = 0;
            for (int r = 0; r < k; r++)
            {
                int label = r < labels.Length ? labels[r] : -1;
                double y = label >= 0 && label < truth.NumLabels ? Relevance(truth, i, label) : 0;
                hits += y;
                dcg += y * discount[r];
                double idcg = numTrue == 0 ? cumDiscount[r] : cumDiscount[Math.Min(numTrue, r + 1) - 1];
                p[r] += hits / (r + 1);
                ndcg[r] += dcg / idcg;
                recall[r] += hits / Math.Max(numTrue, 1);
                if (inversePropensity is not null)
                {
                    double wy = y > 0 ? y * inversePropensity[label] : 0;
                    wsum += wy;
                    wdcg += wy * discount[r];
                    psp[r] += wsum / (r + 1);
                    psnum[r] += wdcg / idcg;
                }
            }
            if (inversePropensity is not null)
            {
                // The best achievable ordering: true labels by w*y, descending.
                var trueIdx = truth.LabelsOf(i);
                var trueVal = truth.Matrix.RowValues(i);
                var weights = new double[trueIdx.Length];
                for (int j = 0; j < weights.Length; j++) weights[j] = trueVal[j] * inversePropensity[trueIdx[j]];
                Array.Sort(weights, (x, y) => y.CompareTo(x));
                double isum = 0, idcgSum = 0;
                for (int r = 0; r < k; r++)
                {
                    double wy = r < weights.Length ? weights[r] : 0;
                    isum += wy;
                    idcgSum += wy * discount[r];
                    double idcg = numTrue == 0 ? cumDiscount[r] : cumDiscount[Math.Min(numTrue, r + 1) - 1];
                    pspIdeal[r] += isum / (r + 1);
                    psnIdeal[r] += idcgSum / idcg;
                }
            }
        }
        double[] Mean(double[] v) => v.Select(x => n == 0 ? 0 : x / n).ToArray();
        double[] Ratio(double[] a, double[] b) => a.Select((x, r) => b[r] == 0 ? 0 : x / b[r]).ToArray();
        return new MetricReport(k, Mean(p), Mean(ndcg), Mean(recall),
            inversePropensity is null ? null : Ratio(psp, pspIdeal),
            inversePropensity is null ? null : Ratio(psnum, psnIdeal));
    }

    /// <summary>Share of points whose top prediction is one of their labels (multi-class accuracy = P@1).</summary>
    public static double Accuracy(LabelMatrix truth, IReadOnlyList<int> predicted)
    {
        if (truth.Rows != predicted.Count) throw new ArgumentException($"{truth.Rows} ground-truth rows but {predicted.Count} predictions");
        int correct = 0;
        for (int i = 0; i < predicted.Count; i++)
            if (predicted[i] >= 0 && predicted[i] < truth.NumLabels && truth.Has(i, predicted[i])) correct++;
        return truth.Rows == 0 ? 0 : (double)correct / truth.Rows;
    }

    /// <summary>Share of points (with at least one label) whose top-k holds at least one true label.</summary>
    public static double HitsAt(LabelMatrix truth, TopKPredictions predictions, int k)
    {
        int hits = 0;
        for (int i = 0; i < truth.Rows; i++)
        {
            var labels = predictions.LabelsOf(i);
            for (int r = 0; r < Math.Min(k, labels.Length); r++)
                if (labels[r] >= 0 && truth.Has(i, labels[r])) { hits++; break; }
        }
        return truth.Rows == 0 ? 0 : (double)hits / truth.Rows;
    }

    private static double Relevance(LabelMatrix truth, int row, int label)
    {
        int at = truth.LabelsOf(row).BinarySearch(label);
        return at >= 0 ? truth.Matrix.RowValues(row)[at] : 0;
    }
}
