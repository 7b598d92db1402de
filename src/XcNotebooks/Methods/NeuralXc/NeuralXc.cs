using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.NeuralXc;

/// <summary>
/// One training epoch of NeuralXC: the three loss terms (unweighted means over the epoch's points), the minimised
/// total α·input + β·labels + classification, P@k / nDCG@k over the training set (null when not evaluated) and
/// over the validation split (null without one), and the seconds the epoch's updates took.
/// </summary>
public sealed record NeuralXcEpoch(
    int Epoch,
    double InputReconstructionLoss,
    double OutputReconstructionLoss,
    double ClassificationLoss,
    double TotalLoss,
    MetricReport? Train,
    MetricReport? Validation,
    double Seconds);

/// <summary>
/// NeuralXC (Srinivasan, Rao, Agarwal, "Extreme Classification using Autoencoders", 2018): multi-label
/// classification by regression between an input autoencoder's code and a label autoencoder's code, all parts trained
/// jointly on α·MSE(input) + β·MSE(labels) + BCE(labels | input) with Adam. Predicts σ(ψ_o(f(φ_i(x)))) and ranks it.
/// </summary>
public static class NeuralXc
{
    /// <summary>The CLI and model-file name of the method.</summary>
    public const string MethodName = "neuralxc";

    /// <summary>
    /// Trains on <paramref name="train"/> for <see cref="NeuralXcOptions.Epochs"/> epochs and returns the last epoch's
    /// model (as the original script), whose <see cref="NeuralXcModel.History"/> holds the per-epoch losses and P@k /
    /// nDCG@k on the training set and on <paramref name="heldout"/> when given.
    /// </summary>
    public static NeuralXcModel Train(Dataset train, Dataset? heldout, NeuralXcOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new NeuralXcOptions()).Validate();
        monitor ??= TrainingMonitor.Silent;
        int features = train.NumFeatures, labels = train.NumLabels;
        if (train.NumPoints == 0) throw new ArgumentException($"{train.Name} has no points to train on");
        if (heldout is not null)
        {
            if (heldout.NumLabels != labels) throw new ArgumentException($"{heldout.Name} has {heldout.NumLabels} labels, {train.Name} has {labels}");
            heldout = heldout with { Features = ModelInputs.InFeatureSpace(heldout.Features, features) };
        }
        var architecture = options.ArchitectureFor(features, labels);
        var backend = ComputeBackends.Create(options.Backend);
        NeuralXcNetwork? network = null;
        try
        {
            bool sampled = options.IsSampled(features, labels);
            network = new NeuralXcNetwork(backend, architecture, options.Activations, options.Init, options.Seed, sampled);
            monitor.Write($"NeuralXC on {backend.Name}: {architecture} ({architecture.ParameterCount:N0} parameters)");
            if (sampled)
                monitor.Write($"Sampled outputs (D = {features:N0} or L = {labels:N0} above {options.SampledAbove:N0}): per batch its non-zero features and labels plus {options.SampledFeatures:N0} / {options.SampledLabels:N0} sampled others");
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"alpha = {options.Alpha}, beta = {options.Beta}, Adam lr = {options.LearningRate}, weight decay = {options.WeightDecay}, batch = {options.BatchSize}, epochs = {options.Epochs}"));
            var history = new List<NeuralXcEpoch>();
            // The per-epoch training figures: every training point, or evenly spaced ones when there are more than
            // MaxTrainEvaluationPoints (ranking all 17k labels for 57k points each epoch would cost more than the epoch).
            var trainEvaluation = !options.EvaluateTrainEachEpoch ? null
                : train.NumPoints <= options.MaxTrainEvaluationPoints ? train
                : train.SelectRows(Enumerable.Range(0, options.MaxTrainEvaluationPoints).Select(i => (int)((long)i * train.NumPoints / options.MaxTrainEvaluationPoints)).ToArray());
            using var optimizer = new Adam(network.Parameters,
                new AdamOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay, Decoupled = false });
            var batches = new MiniBatchOptions { BatchSize = options.BatchSize, Shuffle = true, Seed = SeedStreams.NeuralXc.Batches.Of(options.Seed) };
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                string epochOf = $"epoch {epoch + 1}/{options.Epochs}";
                double inputSum = 0, labelSum = 0, classificationSum = 0;
                long done = 0;
                monitor.Report("NeuralXC training", 0, train.NumPoints, epochOf);
                var columnSampler = new Random(SeedStreams.NeuralXc.SampledColumns.Of(options.Seed, epoch));
                foreach (var batch in MiniBatches.Epoch(train, batches, epoch))
                {
                    optimizer.ZeroGradients();
                    var losses = sampled
                        ? network.AccumulateSampled(batch.Features, batch.Labels.Matrix,
                            NeuralXcColumns.Sample(batch.Features, batch.Labels.Matrix, options.SampledFeatures, options.SampledLabels, columnSampler),
                            options.Alpha, options.Beta)
                        : AccumulateDense(network, batch, options);
                    optimizer.Step();
                    int n = batch.Features.Rows;
                    inputSum += losses.InputReconstruction * n;
                    labelSum += losses.OutputReconstruction * n;
                    classificationSum += losses.Classification * n;
                    done += n;
                    monitor.Report("NeuralXC training", done, train.NumPoints, epochOf);
                }
                double seconds = clock.Elapsed.TotalSeconds;
                var mean = new NeuralXcLosses(inputSum / done, labelSum / done, classificationSum / done);
                var trainMetrics = options.EvaluateTrainEachEpoch ? Evaluate(network, trainEvaluation!, options) : null;
                var validationMetrics = heldout is null ? null : Evaluate(network, heldout, options);
                var record = new NeuralXcEpoch(epoch + 1, mean.InputReconstruction, mean.OutputReconstruction, mean.Classification,
                    mean.Total(options.Alpha, options.Beta), trainMetrics, validationMetrics, seconds);
                history.Add(record);
                monitor.Write(EpochLine(record, options.Epochs));
            }
            return new NeuralXcModel(network, options, history);
        }
        catch
        {
            network?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>The dense network's pass on a batch: sparse rows, the same rows dense (reconstruction target), multi-hot labels.</summary>
    private static NeuralXcLosses AccumulateDense(NeuralXcNetwork network, MiniBatch batch, NeuralXcOptions options)
    {
        var backend = network.Backend;
        using var x = backend.Upload(batch.Features);
        using var dense = backend.Allocate(x.Rows, x.Cols);
        backend.ToDense(x, dense);
        using var y = backend.UploadDense(batch.Labels.Matrix);
        return network.Accumulate(x, dense, y, options.Alpha, options.Beta);
    }

    /// <summary>The log line of an epoch: losses, then train and validation P@k / nDCG@k.</summary>
    public static string EpochLine(NeuralXcEpoch epoch, int epochs)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"Epoch {epoch.Epoch}/{epochs}: loss {epoch.TotalLoss:F5} (input MSE {epoch.InputReconstructionLoss:F5}, label MSE {epoch.OutputReconstructionLoss:F5}, BCE {epoch.ClassificationLoss:F5}) in {epoch.Seconds:F1}s");
        static string Metrics(string name, MetricReport report) => string.Create(CultureInfo.InvariantCulture,
            $"; {name} P@1/3/5 {Percent(report.Precision, 1)}/{Percent(report.Precision, 3)}/{Percent(report.Precision, 5)}, nDCG@1/3/5 {Percent(report.Ndcg, 1)}/{Percent(report.Ndcg, 3)}/{Percent(report.Ndcg, 5)}");
        if (epoch.Train is { } train) line += Metrics("train", train);
        if (epoch.Validation is { } validation) line += Metrics("validation", validation);
        return line;
    }

    private static string Percent(IReadOnlyList<double> values, int k) =>
        k <= values.Count ? (values[k - 1] * 100).ToString("F2", CultureInfo.InvariantCulture) : "-";

    /// <summary>P@k and nDCG@k of the network's ranking on <paramref name="data"/>, k = 1..EvaluationK.</summary>
    private static MetricReport Evaluate(NeuralXcNetwork network, Dataset data, NeuralXcOptions options) =>
        XcMetrics.Evaluate(data.Labels, Predict(network, data.Features, options.EvaluationK, options.PredictionBatchSize), options.EvaluationK);

    /// <summary>
    /// The k best labels of every row of <paramref name="features"/> by σ(ψ_o(f(φ_i(x)))), in batches of
    /// <paramref name="batchSize"/> rows; the selection runs on the backend (ranking logits ranks their sigmoids).
    /// </summary>
    internal static TopKPredictions Predict(NeuralXcNetwork network, CsrMatrix features, int k, int batchSize)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        var backend = network.Backend;
        var result = TopKPredictions.Empty(features.Rows, k);
        for (int start = 0; start < features.Rows; start += batchSize)
        {
            int rows = Math.Min(batchSize, features.Rows - start);
            using var x = backend.Upload(features.SelectRows(Enumerable.Range(start, rows).ToArray()));
            var logits = network.LabelLogits(x);
            using var values = backend.Allocate(rows, k);
            using var indices = backend.AllocateInt(rows, k);
            backend.TopK(logits, values, indices);
            indices.CopyTo(result.Labels.AsSpan(start * k, rows * k));
            var scores = result.Scores.AsSpan(start * k, rows * k);
            values.CopyTo(scores);
            for (int j = 0; j < scores.Length; j++)
                if (float.IsFinite(scores[j])) scores[j] = 1f / (1f + MathF.Exp(-scores[j]));
        }
        return result;
    }
}
