using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>One training epoch of DSNC.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy of the decoder on the sampled codes.</param>
/// <param name="TrainAccuracy">Accuracy (percent) of the decoder on the sampled codes, as training saw them.</param>
/// <param name="ValidationAccuracy">Heldout accuracy (percent) of the learned decoder on deterministic codes; null without a heldout split.</param>
/// <param name="Seconds">Time of the epoch (training and validation).</param>
/// <param name="IsBest">True for the epoch the model keeps.</param>
public sealed record DsncEpoch(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy, double Seconds, bool IsBest);

/// <summary>A DSNC training run: the model and the per-epoch history.</summary>
/// <param name="Model">The trained model (dispose it).</param>
/// <param name="Epochs">Per-epoch figures.</param>
/// <param name="BestEpoch">1-based epoch whose weights the model holds.</param>
/// <param name="TrainSeconds">Total training time, code table included.</param>
public sealed record DsncTraining(DsncModel Model, IReadOnlyList<DsncEpoch> Epochs, int BestEpoch, double TrainSeconds)
{
    /// <summary>Train accuracy (percent) per epoch, the curve a chart over epochs takes.</summary>
    public double[] TrainAccuracies => Epochs.Select(e => e.TrainAccuracy).ToArray();

    /// <summary>Validation accuracy (percent) per epoch; empty without a heldout split.</summary>
    public double[] ValidationAccuracies => Epochs.Where(e => e.ValidationAccuracy.HasValue).Select(e => e.ValidationAccuracy!.Value).ToArray();
}

/// <summary>
/// DSNC, Deep Stochastic Neural Codes (Gerald, Baskiotis, Denoyer, Léon 2019): multi-class classification through
/// learned binary codes. An encoder maps sparse features to m bit probabilities p = σ(f(x)); training samples a code
/// b ~ Bernoulli(p), a decoder d(b) scores the classes, and the cross-entropy is back-propagated across the samples by
/// the straight-through estimator (or REINFORCE). The classes' codes are not fixed in advance: after training each
/// class takes the code most often produced for its training points (<see cref="BinaryCodeTable"/>). The same code
/// runs on the CPU backend and on ILGPU.
/// </summary>
public static class Dsnc
{
    /// <summary>The CLI and model-file name of the method.</summary>
    public const string MethodName = "dsnc";

    /// <summary>Trains a model (see <see cref="TrainDetailed"/>).</summary>
    public static DsncModel Train(Dataset train, Dataset? heldout, DsncOptions? options = null, TrainingMonitor? monitor = null,
        IComputeBackend? backend = null) =>
        TrainDetailed(train, heldout, options, monitor, backend).Model;

    /// <summary>
    /// Trains a model on <paramref name="backend"/> (default: a new backend of <see cref="DsncOptions.Backend"/>'s
    /// kind, owned and disposed by the model), logging one line per epoch and reporting a progress bar per epoch. The
    /// settings left to the profile are resolved on the training features first (<see cref="DsncOptions.Resolve"/>).
    /// With a heldout split and <see cref="DsncOptions.KeepBestEpoch"/>, the model keeps the weights of the epoch with
    /// the best validation accuracy.
    /// </summary>
    public static DsncTraining TrainDetailed(Dataset train, Dataset? heldout, DsncOptions? options = null, TrainingMonitor? monitor = null,
        IComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new DsncOptions()).Validate().Resolve(train.Features);
        monitor ??= TrainingMonitor.Silent;
        var classes = MultiClassLabels(train);
        int numClasses = train.NumLabels;
        if (numClasses < 2) throw new ArgumentException($"{train.Name} has {numClasses} classes; classification needs at least 2");
        if (heldout is not null && heldout.NumLabels != numClasses)
            throw new ArgumentException($"{heldout.Name} has {heldout.NumLabels} labels, {train.Name} has {numClasses}");

        bool ownsBackend = backend is null;
        backend ??= ComputeBackends.Create(options.Backend);
        var clock = Stopwatch.StartNew();
        var network = new DsncNetwork(backend, train.NumFeatures, numClasses, options);
        try
        {
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"DSNC: {train.NumPoints:N0} points, D={train.NumFeatures:N0}, K={numClasses:N0}, m={options.CodeBits} bits, encoder [{string.Join(", ", options.EncoderHidden!)}], decoder [{string.Join(", ", options.DecoderHidden)}], {options.Estimator}, {options.Profile.ToString().ToLowerInvariant()} profile (lr {options.LearningRate}, batches of {options.BatchSize}, {options.Epochs} epochs), on {backend.Name}"));
            var (epochs, bestEpoch) = RunEpochs(network, train, classes, heldout, options, monitor);
            var table = BuildCodeTable(network, train.Features, classes);
            var s = table.Statistics;
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Code table: {table.Count} of {numClasses} classes coded, {s.DistinctTrainingCodes} distinct training codes, {s.CollidingClasses} colliding classes, {s.ReassignedClasses} reassigned, {s.ClassesWithoutCode} without a code, purity {100 * s.Purity:F1}%"));
            var model = new DsncModel(network, table, ownsBackend);
            var training = new DsncTraining(model, epochs, bestEpoch, clock.Elapsed.TotalSeconds);
            model.Training = training;
            return training;
        }
        catch
        {
            network.Dispose();
            if (ownsBackend) backend.Dispose();
            throw;
        }
    }

    /// <summary>The class of each point; DSNC is multi-class, so a point with no or several labels is an error naming it.</summary>
    public static int[] MultiClassLabels(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        for (int i = 0; i < data.NumPoints; i++)
            if (data.Labels.Matrix.RowLength(i) != 1)
                throw new DataFormatException(data.Name, 0,
                    $"point {i + 1} has {data.Labels.Matrix.RowLength(i)} labels; DSNC is multi-class and needs exactly one label per point");
        return data.Labels.Classes();
    }

    private static (IReadOnlyList<DsncEpoch> Epochs, int BestEpoch) RunEpochs(DsncNetwork network, Dataset train, int[] classes, Dataset? heldout,
        DsncOptions options, TrainingMonitor monitor)
    {
        var backend = network.Backend;
        using var optimizer = new Adam(network.Parameters, options.WeightDecay > 0
            ? AdamOptions.AdamW(options.LearningRate, options.WeightDecay)
            : new AdamOptions { LearningRate = options.LearningRate });
        using var loss = new SoftmaxCrossEntropyLoss(backend);
        var batchOptions = new MiniBatchOptions { BatchSize = options.BatchSize, Seed = SeedStreams.Dsnc.Batches.Of(options.Seed) };
        bool reinforce = options.Estimator == BinaryGradientEstimator.Reinforce;
        double? baseline = null;
        var sampled = network.Sampled;
        sampled?.SetProposal(classes, options.BatchSize);
        var negatives = sampled is null ? null : new Random(SeedStreams.Dsnc.Negatives.Of(options.Seed));
        // With the sampled decoder, validation scores every class of at most ValidationPoints heldout points.
        bool subsample = sampled is not null && heldout is not null && heldout.NumPoints > ValidationPoints;
        var validationFeatures = subsample ? heldout!.Features.SelectRows(Enumerable.Range(0, ValidationPoints).ToArray()) : heldout?.Features;
        var validationClasses = subsample ? MultiClassLabels(heldout!)[..ValidationPoints] : null;
        var epochs = new List<DsncEpoch>();
        float[][]? best = null;
        double bestValidation = double.NegativeInfinity;
        int bestEpoch = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var plan = MiniBatches.Plan(train.NumPoints, batchOptions, epoch);
            string epochOf = $"epoch {epoch + 1}/{options.Epochs}";
            double lossSum = 0;
            int correct = 0;
            for (int b = 0; b < plan.Count; b++)
            {
                var rows = plan[b];
                using var x = backend.Upload(train.Features.SelectRows(rows));
                var targets = rows.Select(r => classes[r]).ToArray();
                optimizer.ZeroGradients();
                Tensor scores;
                int[] scoredTargets = targets;
                if (sampled is not null)
                {
                    // Sampled softmax: the scores of the candidate classes only, each point's target its index there.
                    var (candidates, targetIndex, corrections) = sampled.Candidates(targets, negatives!);
                    scores = sampled.Forward(network.Codes(x, training: true), candidates, corrections);
                    scoredTargets = targetIndex;
                }
                else scores = network.Forward(x, training: true);
                using var y = backend.UploadInt(scoredTargets, rows.Length, 1);
                double value = loss.Compute(scores, y);
                correct += CountCorrect(backend, scores, scoredTargets);
                Tensor? advantages = null;
                if (reinforce)
                {
                    // The baseline is the moving average of earlier batches' mean loss (this batch's own at the start).
                    baseline ??= value;
                    advantages = Advantages(backend, scores, y, (float)baseline.Value, 1f / rows.Length);
                    baseline = options.ReinforceBaselineDecay * baseline.Value + (1 - options.ReinforceBaselineDecay) * value;
                }
                using (advantages)
                {
                    if (sampled is not null) network.BackwardCodes(sampled.Backward(loss.Gradient), advantages);
                    else network.Backward(loss.Gradient, advantages);
                }
                optimizer.Step();
                lossSum += value * rows.Length;
                monitor.Report("DSNC training", b + 1, plan.Count, epochOf);
            }
            double? validation = validationFeatures is null ? null
                : validationClasses is not null ? 100 * Accuracy(validationClasses, network.TopK(ModelInputs.InFeatureSpace(validationFeatures, network.NumFeatures), 1).Top1())
                : 100 * XcMetrics.Accuracy(heldout!.Labels, network.TopK(ModelInputs.InFeatureSpace(validationFeatures, network.NumFeatures), 1).Top1());
            // On ties the later epoch wins, as in W-LTLS.
            if (validation is not null && validation >= bestValidation)
            {
                bestValidation = validation.Value;
                bestEpoch = epoch + 1;
                best = options.KeepBestEpoch ? network.Snapshot() : null;
            }
            int n = Math.Max(1, train.NumPoints);
            var record = new DsncEpoch(epoch + 1, lossSum / n, 100.0 * correct / n, validation, clock.Elapsed.TotalSeconds, IsBest: false);
            epochs.Add(record);
            string validated = validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $", validation accuracy {validation:F1}%");
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Epoch {record.Epoch}/{options.Epochs}: loss {record.TrainLoss:F4}, train accuracy (sampled codes) {record.TrainAccuracy:F1}%{validated} ({record.Seconds:F1}s)"));
        }
        if (best is not null && bestEpoch < options.Epochs)
        {
            network.Restore(best);
            monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Keeping epoch {bestEpoch} (best validation accuracy {bestValidation:F1}%)."));
        }
        else bestEpoch = options.Epochs;
        return (epochs.Select(e => e with { IsBest = e.Epoch == bestEpoch }).ToArray(), bestEpoch);
    }

    /// <summary>Per-point (loss − baseline) · scale, rows x 1, from the decoder's scores (REINFORCE's advantages).</summary>
    private static Tensor Advantages(IComputeBackend backend, Tensor scores, IntTensor classes, float baseline, float scale)
    {
        using var logProbabilities = backend.Allocate(scores.Rows, scores.Cols);
        using var baselines = backend.Allocate(scores.Rows, 1);
        backend.LogSoftmax(scores, logProbabilities);
        var advantages = backend.Allocate(scores.Rows, 1);
        backend.NegativeLogLikelihood(logProbabilities, classes, advantages);
        backend.Fill(baselines, baseline);
        backend.Axpby(-scale, baselines, scale, advantages);
        return advantages;
    }

    private static int CountCorrect(IComputeBackend backend, Tensor scores, int[] targets)
    {
        using var values = backend.Allocate(scores.Rows, 1);
        using var indices = backend.AllocateInt(scores.Rows, 1);
        backend.TopK(scores, values, indices);
        var predicted = indices.ToArray();
        int correct = 0;
        for (int i = 0; i < targets.Length; i++)
            if (predicted[i] == targets[i]) correct++;
        return correct;
    }

    private static double Accuracy(int[] classes, int[] predicted)
    {
        int correct = 0;
        for (int i = 0; i < classes.Length; i++)
            if (predicted[i] == classes[i]) correct++;
        return classes.Length == 0 ? 0 : (double)correct / classes.Length;
    }

    /// <summary>Most heldout points the per-epoch validation scores when the decoder is the sampled softmax (it ranks every class).</summary>
    internal const int ValidationPoints = 2000;

    /// <summary>The classes' codes from the deterministic codes of the training points.</summary>
    private static BinaryCodeTable BuildCodeTable(DsncNetwork network, CsrMatrix features, int[] classes)
    {
        var logits = network.CodeLogits(features);
        var codes = new ulong[logits.Rows];
        for (int i = 0; i < codes.Length; i++) codes[i] = BinaryCodeTable.CodeOf(logits.Row(i));
        return BinaryCodeTable.FromTrainingCodes(codes, classes, network.NumClasses, network.Options.CodeBits);
    }
}
