using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.HierarchicalXc;

/// <summary>
/// An affine map x ↦ x W + b from sparse features to dense codes: the encoder half of a linear autoencoder, whose
/// stacked linear layers collapse into one product.
/// </summary>
/// <param name="Weights">W, features x code width.</param>
/// <param name="Bias">b, one value per code dimension.</param>
public sealed record AffineEncoder(RowMajorMatrix Weights, IReadOnlyList<float> Bias)
{
    /// <summary>Input width D.</summary>
    public int InputWidth => Weights.Rows;

    /// <summary>Code width e.</summary>
    public int CodeWidth => Weights.Cols;

    /// <summary>The codes of every row (N x e), parallel over rows.</summary>
    public RowMajorMatrix Encode(CsrMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (Bias.Count != CodeWidth) throw new InvalidOperationException($"{Bias.Count} biases for a code of width {CodeWidth}");
        features = ModelInputs.InFeatureSpace(features, InputWidth);
        var codes = features.Multiply(Weights);
        var bias = Bias.ToArray();
        Parallel.For(0, codes.Rows, i => TensorPrimitives.Add(codes.Row(i), bias, codes.Row(i)));
        return codes;
    }

    /// <summary>The codes as a CSR matrix storing every entry (the input of the sparse linear learners).</summary>
    public CsrMatrix EncodeAsCsr(CsrMatrix features)
    {
        var codes = Encode(features);
        int rows = codes.Rows, cols = codes.Cols;
        var pointers = new long[rows + 1];
        for (int i = 0; i < rows; i++) pointers[i + 1] = pointers[i] + cols;
        var columns = new int[(long)rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) columns[(long)i * cols + j] = j;
        return new CsrMatrix(rows, cols, pointers, columns, codes.Data);
    }
}

/// <summary>A trained linear autoencoder: its collapsed encoder and the reconstruction loss of each epoch.</summary>
public sealed record LinearAutoencoderTraining(AffineEncoder Encoder, IReadOnlyList<int> LayerSizes, IReadOnlyList<double> LossPerEpoch);

/// <summary>
/// HierarchicalXC's input autoencoder (the original's GenericAutoencoder with factor 0.5 and no non-linearity): the
/// encoder halves the width layer by layer while half stays above the code width, then maps to the code; the decoder
/// mirrors it; trained on the mean squared reconstruction error with Adam. Being linear, the encoder collapses into
/// one affine map after training. Codes are computed in the data's own order (the original encoded a shuffled
/// loader, so its codes did not line up with the labels).
/// </summary>
public static class LinearAutoencoder
{
    /// <summary>
    /// The encoder's widths from <paramref name="features"/> to <paramref name="code"/>: d ← D; while ⌊d/2⌋ &gt; e, add
    /// ⌊d/2⌋; then e (e.g. 1836, 918, 459, 229, 114, 100).
    /// </summary>
    public static IReadOnlyList<int> LayerSizes(int features, int code)
    {
        if (features < 1 || code < 1) throw new ArgumentException($"widths must be positive, got D = {features}, code = {code}");
        var sizes = new List<int> { features };
        for (int d = features; d / 2 > code; d /= 2) sizes.Add(d / 2);
        sizes.Add(code);
        return sizes;
    }

    /// <summary>Trains on the features of <paramref name="train"/> and returns the collapsed encoder.</summary>
    public static LinearAutoencoderTraining Train(Dataset train, int code, int epochs, float learningRate, int batchSize, int seed,
        BackendKind backendKind = BackendKind.Auto, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {epochs}");
        if (train.NumPoints == 0) throw new ArgumentException($"{train.Name} has no points to train the autoencoder on");
        monitor ??= TrainingMonitor.Silent;
        var sizes = LayerSizes(train.NumFeatures, code);
        var linear = new MlpOptions { Hidden = Activation.Identity, Output = Activation.Identity, Seed = SeedStreams.LinearAutoencoder.Encoder.Of(seed), Name = "encoder" };
        using var backend = ComputeBackends.Create(backendKind);
        using var encoder = new SparseInputMlp(backend, sizes, linear, lazyRows: false);
        using var decoder = Mlp.Create(backend, sizes.Reverse().ToArray(), linear with { Seed = SeedStreams.LinearAutoencoder.Decoder.Of(seed), Name = "decoder" });
        using var optimizer = new Adam([.. encoder.Parameters, .. decoder.Parameters], new AdamOptions { LearningRate = learningRate });
        using var loss = new MeanSquaredErrorLoss(backend);
        monitor.Write($"Input autoencoder {string.Join("-", sizes)} (linear) on {backend.Name}");
        var batches = new MiniBatchOptions { BatchSize = batchSize, Seed = SeedStreams.LinearAutoencoder.Batches.Of(seed) };
        var losses = new List<double>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            string epochOf = $"epoch {epoch + 1}/{epochs}";
            double sum = 0;
            long done = 0;
            foreach (var batch in MiniBatches.Epoch(train, batches, epoch))
            {
                using var x = backend.Upload(batch.Features);
                using var dense = backend.Allocate(x.Rows, x.Cols);
                backend.ToDense(x, dense);
                optimizer.ZeroGradients();
                sum += loss.Compute(decoder.Forward(encoder.Forward(x)), dense) * x.Rows;
                encoder.Backward(decoder.Backward(loss.Gradient));
                optimizer.Step();
                done += x.Rows;
                monitor.Report("Autoencoder training", done, train.NumPoints, epochOf);
            }
            losses.Add(sum / done);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Autoencoder epoch {epoch + 1}/{epochs}: reconstruction MSE {losses[^1]:F6} in {clock.Elapsed.TotalSeconds:F1}s"));
        }
        return new LinearAutoencoderTraining(Collapse(backend, encoder), sizes, losses);
    }

    /// <summary>W = W₁W₂…W_n and b = (…(b₁W₂ + b₂)W₃ + …) + b_n: the stacked linear layers as one affine map.</summary>
    internal static AffineEncoder Collapse(IComputeBackend backend, SparseInputMlp encoder)
    {
        var weight = backend.Allocate(encoder.First.Weight.Rows, encoder.First.Weight.Cols);
        backend.Copy(encoder.First.Weight.Value, weight);
        var bias = backend.Allocate(1, weight.Cols);
        if (encoder.First.Bias is { } firstBias) backend.Copy(firstBias.Value, bias);
        try
        {
            foreach (var layer in Linears(encoder.Tail))
            {
                var nextWeight = backend.Allocate(weight.Rows, layer.Weight.Cols);
                backend.Gemm(weight, false, layer.Weight.Value, false, nextWeight);
                var nextBias = backend.Allocate(1, layer.Weight.Cols);
                backend.Gemm(bias, false, layer.Weight.Value, false, nextBias);
                if (layer.Bias is { } b) backend.AddRowVector(b.Value, nextBias);
                weight.Dispose();
                bias.Dispose();
                (weight, bias) = (nextWeight, nextBias);
            }
            return new AffineEncoder(weight.ToMatrix(), bias.ToArray());
        }
        finally
        {
            weight.Dispose();
            bias.Dispose();
        }
    }

    private static IEnumerable<Linear> Linears(ILayer layer) => layer switch
    {
        Linear linear => [linear],
        Sequential sequential => sequential.Layers.SelectMany(Linears),
        ActivationLayer { Activation.Kind: ActivationKind.Identity } => [],
        _ => throw new InvalidOperationException($"a linear autoencoder holds only linear layers, found {layer.GetType().Name}"),
    };
}
