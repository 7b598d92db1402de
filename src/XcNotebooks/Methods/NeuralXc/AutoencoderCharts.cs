using XcNotebooks.Plotting;
using XcNotebooks.Metrics;

namespace XcNotebooks.Methods.NeuralXc;

/// <summary>Training curves of the autoencoder methods (NeuralXC, HierarchicalXC's input autoencoder) (line charts).</summary>
public static class AutoencoderCharts
{
    /// <summary>
    /// The three NeuralXC loss terms per epoch (input reconstruction MSE, label reconstruction MSE, classification BCE)
    /// and the minimised total, on a log scale (the terms differ by orders of magnitude).
    /// </summary>
    public static XcChart NeuralXcLosses(IReadOnlyList<NeuralXcEpoch> history, string title = "NeuralXC training losses", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0) throw new ArgumentException("the history has no epochs");
        return Charts.OverEpochs(new Dictionary<string, IReadOnlyList<double>>
        {
            ["input reconstruction (MSE)"] = history.Select(e => e.InputReconstructionLoss).ToArray(),
            ["label reconstruction (MSE)"] = history.Select(e => e.OutputReconstructionLoss).ToArray(),
            ["classification (BCE)"] = history.Select(e => e.ClassificationLoss).ToArray(),
            ["total (α, β weighted)"] = history.Select(e => e.TotalLoss).ToArray(),
        }, title, "loss", logY: true, style);
    }

    /// <summary>
    /// P@k per epoch (percent) on the training set and, when present, the validation split, for each k of
    /// <paramref name="ks"/> (default 1, 3, 5).
    /// </summary>
    public static XcChart NeuralXcPrecision(IReadOnlyList<NeuralXcEpoch> history, IReadOnlyList<int>? ks = null,
        string title = "NeuralXC P@k per epoch", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ks ??= [1, 3, 5];
        var series = new Dictionary<string, IReadOnlyList<double>>();
        void Add(string split, Func<NeuralXcEpoch, MetricReport?> pick)
        {
            if (history.Count == 0 || history.Any(e => pick(e) is null)) return;
            foreach (var k in ks.Where(k => k <= pick(history[0])!.K))
                series[$"{split} P@{k}"] = history.Select(e => pick(e)!.P(k) * 100).ToArray();
        }
        Add("train", e => e.Train);
        Add("validation", e => e.Validation);
        if (series.Count == 0) throw new ArgumentException("the history has no per-epoch metrics (train evaluation off and no validation split)");
        return Charts.OverEpochs(series, title, "P@k (%)", style: style);
    }

    /// <summary>The reconstruction MSE of HierarchicalXC's input autoencoder per epoch.</summary>
    public static XcChart AutoencoderLoss(IReadOnlyList<double> lossPerEpoch, string title = "Input autoencoder training loss", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(lossPerEpoch);
        if (lossPerEpoch.Count == 0) throw new ArgumentException("the autoencoder was not trained (no epochs)");
        return Charts.OverEpochs(new Dictionary<string, IReadOnlyList<double>> { ["reconstruction (MSE)"] = lossPerEpoch }, title, "loss", logY: true, style);
    }
}
