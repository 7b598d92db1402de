using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Reports;
using XcNotebooks.Text;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.Dexml;

/// <summary>
/// DEXML (Gupta et al., ICLR 2024): a dual encoder with tied weights for queries and labels, trained with
/// DecoupledSoftmax (or the Softmax / SoftTop-k baselines) against every label, the whole pool made affordable by
/// gradient caching (<see cref="GradientCache"/>); prediction is exact nearest-label search. Text handling and
/// encoders are DEXA's (<see cref="Dexa.Dexa"/>).
/// <para>
/// Decisions on the original code's quirks (encoders-detailed.md §2): the label that DEXML's shard test never treats
/// as a positive (L−1) is a positive like any other; the model kept is the last epoch's (DEXML selects on the test
/// set); the heldout split, when given, is only measured; label passes run without dropout (instead of replaying
/// the masks); a hard-negative shortlist is used from the epoch it is built in; every random step is seeded from
/// <see cref="DexmlOptions.Seed"/>.
/// </para>
/// </summary>
public static class Dexml
{
    /// <summary>Trains the encoder on <paramref name="train"/> (texts and label texts, or label names).</summary>
    /// <param name="train">Training texts and labels.</param>
    /// <param name="heldout">Points whose P@1 is logged every <see cref="DexmlOptions.EvaluateEvery"/> epochs (optional).</param>
    /// <param name="options">Settings.</param>
    /// <param name="monitor">Progress and log lines.</param>
    /// <param name="collective">
    /// Data-parallel training over these ranks (null: one process). Every rank calls Train with the same data and
    /// options and draws the same batches and label pools (same seed); each embeds its slice of the batch's queries
    /// and of the pool, the label embeddings and their gradient are exchanged so that every query's loss still sees
    /// the whole pool (normalised over the whole batch), and the parameter gradients are summed with one allreduce per
    /// step (<see cref="GradientAllreduce"/>): every rank takes the same optimiser step and returns the same model,
    /// equal to one process's up to float rounding. Dropout (the transformer's) draws its masks per rank, so with
    /// dropout the runs agree in distribution only.
    /// </param>
    public static DexmlModel Train(Dataset train, Dataset? heldout, DexmlOptions options, TrainingMonitor? monitor = null, ICollective? collective = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        monitor ??= TrainingMonitor.Silent;
        collective ??= SingleProcessCollective.Instance;
        var texts = train.Texts ?? throw new ArgumentException($"{train.Name} has no texts: DEXML trains a text encoder");
        var labelTexts = train.LabelTexts ?? train.LabelNames
            ?? throw new ArgumentException($"{train.Name} has no label texts or names: DEXML encodes labels");
        if (heldout is not null && heldout.NumLabels != train.NumLabels)
            throw new ArgumentException($"{heldout.Name} has {heldout.NumLabels} labels, {train.Name} {train.NumLabels}");
        var tokenizer = TextTowers.CreateTokenizer(options, texts, labelTexts, monitor);
        var sequence = TextTowers.Sequence(options, train.Name);
        var documents = TokenizedCorpus.Build(texts, tokenizer, sequence, monitor);
        var labels = TokenizedCorpus.Build(labelTexts, tokenizer, sequence, monitor);
        var heldoutDocuments = heldout?.Texts is { } ht && heldout.NumPoints > 0 && options.EvaluateEvery > 0
            ? TokenizedCorpus.Build(ht, tokenizer, sequence, monitor) : null;
        monitor.Write($"Documents: {documents}; labels: {labels}; tokenizer: {tokenizer.Name} ({tokenizer.VocabularySize:N0} ids)");

        var backend = ComputeBackends.Create(options.Backend);
        ITextEncoder? encoder = null;
        try
        {
            encoder = TextTowers.CreateEncoder(options, backend, tokenizer, options.Seed);
            monitor.Write($"Encoder: {encoder}; loss {options.Loss}, tau {options.Temperature.ToString(CultureInfo.InvariantCulture)}, " +
                $"negatives {options.NegativesFor(train.NumLabels)}{(options.Negatives == DexmlNegatives.Auto ? " (auto)" : "")}, gradient caching {(options.GradientCaching ? $"on ({options.GradientCacheChunk} labels per chunk)" : "off")}");
            var clock = Stopwatch.StartNew();
            var history = RunTraining(encoder, documents, labels, train.Labels, heldoutDocuments is null ? null : (heldoutDocuments, heldout!.Labels), options, monitor, collective);
            monitor.Write(string.Create(CultureInfo.InvariantCulture, $"DEXML trained in {clock.Elapsed.TotalSeconds:F1} s{(collective.Size > 1 ? $" on {collective.Size} ranks" : "")}"));
            var labelEmbeddings = encoder.EncodeAll(labels, options.EncodeChunk, monitor);
            return new DexmlModel(options, tokenizer, sequence, backend, encoder, labelEmbeddings, history);
        }
        catch
        {
            encoder?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The paper's loss ablation on <paramref name="data"/>: one model per loss (Softmax, DecoupledSoftmax, SoftTop-k
    /// unless <paramref name="losses"/> says otherwise), otherwise the same options; metrics at k = 1..10 on the test
    /// split (filtered by <paramref name="testFilter"/>), training and prediction times, and each run's history.
    /// </summary>
    public static DexmlComparison Compare(DataSplits data, DexmlOptions options, TrainingMonitor? monitor = null, LabelFilter? testFilter = null,
        IReadOnlyList<DexmlLoss>? losses = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        monitor ??= TrainingMonitor.Silent;
        var ips = Propensity.Inverse(data.Train.Labels, options.PropensityA, options.PropensityB);
        var rows = new List<DexmlComparisonRow>();
        foreach (var loss in losses ?? [DexmlLoss.Softmax, DexmlLoss.DecoupledSoftmax, DexmlLoss.SoftTopk])
        {
            var clock = Stopwatch.StartNew();
            using var model = Train(data.Train, data.Heldout, options with { Loss = loss }, monitor);
            double train = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var predictions = model.TopK(data.Test, 10, testFilter);
            var row = new DexmlComparisonRow(loss, XcMetrics.Evaluate(data.Test.Labels, predictions, 10, ips), train, clock.Elapsed.TotalSeconds, model.History);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"{loss}: P@1 {row.Metrics.P(1) * 100:F2}, P@5 {row.Metrics.P(5) * 100:F2}, nDCG@5 {row.Metrics.NdcgAt(5) * 100:F2}, R@10 {row.Metrics.Recall[9] * 100:F2}"));
            rows.Add(row);
        }
        return new DexmlComparison(rows);
    }

    private static IReadOnlyList<DexmlEpoch> RunTraining(ITextEncoder encoder, TokenizedCorpus documents, TokenizedCorpus labelTexts, LabelMatrix labels,
        (TokenizedCorpus Documents, LabelMatrix Labels)? heldout, DexmlOptions options, TrainingMonitor monitor, ICollective collective)
    {
        var history = new List<DexmlEpoch>();
        if (options.Epochs == 0) return history;
        var points = TextTowers.LabelledPoints(labels);
        if (points.Length == 0) throw new ArgumentException("DEXML needs training points with labels");
        int batchSize = Math.Min(options.BatchSize, points.Length);
        int batchesPerEpoch = (points.Length + batchSize - 1) / batchSize;
        double totalSteps = (double)options.Epochs * batchesPerEpoch;
        using var optimizer = new Adam(encoder.Parameters, new AdamOptions
        {
            LearningRate = options.LearningRate, WeightDecay = options.WeightDecay, Decoupled = true, NoDecayNameContains = ["bias", "norm"],
        });
        var schedule = new LinearWarmupSchedule(options.LearningRate, (int)(options.WarmupFraction * totalSteps), totalSteps);
        var objective = options.Objective;
        var pools = new LabelPools(labels, labelTexts.Count, options);
        var timed = new TimedCollective(collective); // the epoch log says how long the ranks spent in collectives
        collective = timed;
        var exchange = new GradientAllreduce(encoder.Parameters, collective);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (pools.Negatives == DexmlNegatives.HardMined && epoch >= options.HardNegativeStart && (epoch - options.HardNegativeStart) % options.HardNegativeRefresh == 0)
            {
                pools.Shortlists = HardNegativeShortlists(encoder, documents, labelTexts, labels, options, monitor);
                monitor.Write($"Hard-negative shortlists refreshed at epoch {epoch} ({options.HardNegativeShortlist} labels per point)");
            }
            var order = Seeds.Permutation(points.Length, SeedStreams.Dexml.EpochOrder.Of(options.Seed, epoch));
            double lossSum = 0;
            var waited = timed.Elapsed;
            long exchanged = 0; // floats each rank sent in this epoch's allreduces
            for (int bi = 0; bi < batchesPerEpoch; bi++)
            {
                int start = bi * batchSize, count = Math.Min(batchSize, points.Length - start);
                var rows = new int[count];
                for (int i = 0; i < count; i++) rows[i] = points[order[start + i]];
                var rng = new Random(SeedStreams.Dexml.BatchDraws.Of(options.Seed, epoch, bi));
                var step = pools.Step(rows, rng); // the whole batch's pool and targets, the same on every rank
                var own = RankSlice.Of(count, collective);
                optimizer.ZeroGradients();
                double loss = GradientCache.Accumulate(encoder, own.Count == 0 ? null : documents.Batch(own.Count == count ? rows : own.Take(rows)), labelTexts,
                    step.Pool, own.Take(step.Positives), own.Take(step.Targets), objective, options.GradientCaching ? options.GradientCacheChunk : null,
                    trainingQueries: true, collective, count);
                lossSum += exchange.Sum(loss)[0];
                if (collective.Size > 1) exchanged += (step.Pool.Length >= collective.Size ? 2L * step.Pool.Length * encoder.Dimension : 0) + exchange.LastFloats; // Y and ∂loss/∂Y of a split pool, gradients
                optimizer.Step(schedule.At(optimizer.Steps));
                monitor.Report("DEXML batches", bi + 1, batchesPerEpoch);
            }
            double? p1 = null;
            if (heldout is { } h && options.EvaluateEvery > 0 && ((epoch + 1) % options.EvaluateEvery == 0 || epoch + 1 == options.Epochs))
                p1 = HeldoutPrecisionAtOne(encoder, h.Documents, labelTexts, h.Labels, options.EncodeChunk, collective);
            var record = new DexmlEpoch(epoch, lossSum / batchesPerEpoch, p1, clock.Elapsed.TotalSeconds);
            history.Add(record);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Epoch: {epoch}, loss: {record.Loss:F6}{(p1 is { } v ? $", heldout P@1: {v * 100:F2}" : "")}, time: {record.Seconds:F2} sec" +
                $"{(collective.Size > 1 ? $", allreduce {4.0 * exchanged / batchesPerEpoch / (1 << 20):F2} MB per step, {(timed.Elapsed - waited).TotalSeconds:F2} sec in collectives" : "")}"));
            monitor.Report("DEXML epochs", epoch + 1, options.Epochs);
        }
        return history;
    }

    /// <summary>For every training point, its nearest wrong labels by the current encoder (the options' label index), best first.</summary>
    private static int[][] HardNegativeShortlists(ITextEncoder encoder, TokenizedCorpus documents, TokenizedCorpus labelTexts, LabelMatrix labels,
        DexmlOptions options, TrainingMonitor monitor)
    {
        var docs = encoder.EncodeAll(documents, options.EncodeChunk, monitor);
        using var index = LabelIndexes.Build(encoder.Backend, encoder.EncodeAll(labelTexts, options.EncodeChunk, monitor), options.LabelIndex, monitor);
        int maxPositives = Enumerable.Range(0, labels.Rows).Select(i => labels.LabelsOf(i).Length).DefaultIfEmpty(0).Max();
        int k = Math.Min(index.Count, options.HardNegativeShortlist + maxPositives);
        var found = index.Search(docs, k, monitor);
        var result = new int[documents.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            var row = new List<int>(options.HardNegativeShortlist);
            foreach (int l in found.LabelsOf(i))
                if (l >= 0 && !labels.Has(i, l) && row.Count < options.HardNegativeShortlist) row.Add(l);
            result[i] = [.. row];
        }
        return result;
    }

    /// <summary>P@1 of the heldout points; ranks measure their slices of the points and add up their hits.</summary>
    private static double HeldoutPrecisionAtOne(ITextEncoder encoder, TokenizedCorpus documents, TokenizedCorpus labelTexts, LabelMatrix labels, int chunk,
        ICollective collective)
    {
        using var index = new ExactLabelIndex(encoder.Backend, encoder.EncodeAll(labelTexts, chunk));
        if (collective.Size == 1) return XcMetrics.Evaluate(labels, index.Search(encoder.EncodeAll(documents, chunk), 1), 1).P(1);
        var own = RankSlice.Of(documents.Count, collective);
        var hits = new double[1];
        if (own.Count > 0)
        {
            var rows = Enumerable.Range(own.Start, own.Count).ToArray();
            var found = index.Search(TextEncoders.EncodeRows(encoder, documents, rows, chunk), 1);
            hits[0] = XcMetrics.Evaluate(labels.SelectRows(rows), found, 1).P(1) * own.Count;
        }
        collective.AllreduceSum(hits);
        return documents.Count == 0 ? 0 : hits[0] / documents.Count;
    }
}

/// <summary>One training epoch: mean loss over its steps, the heldout P@1 when measured, and its time.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Loss">Mean of the steps' losses.</param>
/// <param name="HeldoutP1">P@1 on the heldout split after the epoch (null when not measured).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record DexmlEpoch(int Epoch, double Loss, double? HeldoutP1, double Seconds);

/// <summary>One loss of the comparison: test metrics at k = 1..10, times and the training history.</summary>
/// <param name="Loss">The loss trained with.</param>
/// <param name="Metrics">P, nDCG, recall, PSP at k = 1..10.</param>
/// <param name="TrainSeconds">Training time (tokenization included).</param>
/// <param name="PredictSeconds">Time to predict the test split.</param>
/// <param name="History">Per-epoch losses.</param>
public sealed record DexmlComparisonRow(DexmlLoss Loss, MetricReport Metrics, double TrainSeconds, double PredictSeconds, IReadOnlyList<DexmlEpoch> History);

/// <summary>The loss comparison (the paper's ablation: Softmax vs DecoupledSoftmax vs SoftTop-k).</summary>
/// <param name="Rows">One row per loss.</param>
public sealed record DexmlComparison(IReadOnlyList<DexmlComparisonRow> Rows)
{
    /// <summary>The rows as a table (percent, two decimals): loss, P@1/3/5, nDCG@5, R@10, PSP@5, training seconds.</summary>
    public HtmlTable ToTable() => new(["loss", "P@1", "P@3", "P@5", "nDCG@5", "R@10", "PSP@5", "train s"],
        Rows.Select(r => (IReadOnlyList<object?>)[r.Loss.ToString(), Percent(r.Metrics.P(1)), Percent(r.Metrics.P(3)), Percent(r.Metrics.P(5)),
            Percent(r.Metrics.NdcgAt(5)), Percent(r.Metrics.Recall[9]), Percent(r.Metrics.Psp(5)), Math.Round(r.TrainSeconds, 1)]).ToArray());

    /// <summary>Each loss's mean training loss per epoch (for <c>Charts.OverEpochs</c>).</summary>
    public IReadOnlyDictionary<string, double[]> LossCurves() => Rows.ToDictionary(r => r.Loss.ToString(), r => r.History.Select(e => e.Loss).ToArray());

    /// <summary>Each loss's test metrics (for <c>Charts.MetricsByK</c>).</summary>
    public IReadOnlyDictionary<string, MetricReport> MetricsByLoss() => Rows.ToDictionary(r => r.Loss.ToString(), r => r.Metrics);

    private static double Percent(double value) => Math.Round(value * 100, 2);

    /// <summary>The table as text: loss, P@1/3/5, nDCG@5, R@10, PSP@5 (percent), training seconds.</summary>
    public override string ToString()
    {
        var lines = new List<string> { $"{"loss",-18} {"P@1",6} {"P@3",6} {"P@5",6} {"nDCG@5",7} {"R@10",6} {"PSP@5",6} {"train s",8}" };
        foreach (var r in Rows)
        {
            var m = r.Metrics;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.Loss,-18} {m.P(1) * 100,6:F2} {m.P(3) * 100,6:F2} {m.P(5) * 100,6:F2} {m.NdcgAt(5) * 100,7:F2} {m.Recall[9] * 100,6:F2} {m.Psp(5) * 100,6:F2} {r.TrainSeconds,8:F1}"));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
