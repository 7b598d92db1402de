using XcNotebooks.Core;

namespace XcNotebooks.Metrics;

/// <summary>
/// The metrics every ranking method of the kit reports on a test split: P@k, nDCG@k and PSP@k (inverse propensities
/// from the training labels, pyxclib's A = 0.55, B = 1.5 unless given), for k = 1..K.
/// </summary>
public static class RankingMetrics
{
    /// <summary>The full metric report of <paramref name="predictions"/> on <paramref name="test"/>.</summary>
    public static MetricReport Evaluate(Dataset train, Dataset test, TopKPredictions predictions, int k = 5, double a = 0.55, double b = 1.5)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(predictions);
        if (train.NumLabels != test.NumLabels)
            throw new ArgumentException($"{train.Name} has {train.NumLabels} labels, {test.Name} has {test.NumLabels}");
        return XcMetrics.Evaluate(test.Labels, predictions, k, Propensity.Inverse(train.Labels, a, b));
    }

    /// <summary>
    /// P@k, nDCG@k and PSP@k for k in 1, 3, 5 (those up to <paramref name="k"/>), in percent, keyed "P@1", "nDCG@3",
    /// "PSP@5": what the method commands print and write in their reports.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Standard(Dataset train, Dataset test, TopKPredictions predictions, int k = 5)
    {
        var report = Evaluate(train, test, predictions, k);
        var result = new Dictionary<string, double>();
        foreach (var prefix in new[] { "P", "nDCG", "PSP" })
            foreach (var at in new[] { 1, 3, 5 }.Where(at => at <= k))
                result[$"{prefix}@{at}"] = report.ToDictionary(ks: [at])[$"{prefix}@{at}"];
        return result;
    }
}
