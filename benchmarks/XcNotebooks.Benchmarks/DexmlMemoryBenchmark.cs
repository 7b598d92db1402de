using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Text;
using XcNotebooks.Encoders;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Gradient caching's memory: one DEXML step (DecoupledSoftmax, every label in the loss) of a small transformer
/// encoder on synthetic token sequences, with label pools of growing size, uncached (one pass over the pool that
/// keeps its activations) and cached (chunks of --chunk labels). Reports the loss of both (equal), the largest
/// difference between their parameter gradients, the peak of the backend's live tensor bytes during the step
/// (<see cref="ComputeBackend.PeakTensorBytes"/>: host arrays on the CPU, device buffers on a GPU) and the step time.
/// The cached peak grows only with the pool-sized matrices a step cannot avoid (label embeddings and their gradient,
/// pool x d; scores and their gradient, batch x pool); the uncached peak grows with every label's activations.
/// Usage: dexml-memory [--sizes 500,1000,...] [--chunk N] [--batch N] [--backend auto|cpu|ilgpu] [--out FILE.md]
/// </summary>
internal static class DexmlMemoryBenchmark
{
    private const int Vocabulary = 5000, LabelTokens = 12, QueryTokens = 24;

    public static int Run(string[] args)
    {
        int[] sizes = [500, 1000, 2000, 4000, 8000];
        int chunk = 256, batch = 64;
        var backendKind = BackendKind.Cpu;
        string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes": sizes = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--chunk": chunk = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--backend": backendKind = Enum.Parse<BackendKind>(args[++i], ignoreCase: true); break;
                case "--out": output = args[++i]; break;
                default: Console.Error.WriteLine($"dexml-memory: unknown argument {args[i]}"); return 2;
            }
        }
        using var backend = (ComputeBackend)ComputeBackends.Create(backendKind);
        var encoderOptions = new TransformerEncoderOptions { Dimension = 64, Layers = 2, Heads = 4, FeedForward = 256, Dropout = 0f, Seed = 1 };
        using var encoder = new TransformerEncoder(backend, Vocabulary, encoderOptions);
        var queries = Corpus(batch, QueryTokens, seed: 2);
        var objective = new DexmlObjective(DexmlLoss.DecoupledSoftmax, 0.05f, new SoftTopkOptions());
        var lines = new List<string>
        {
            string.Concat(
                FormattableString.Invariant($"One DEXML step (DecoupledSoftmax over every label of the pool, tau 0.05) of a transformer encoder (d {encoderOptions.Dimension}, {encoderOptions.Layers} layers, "),
                FormattableString.Invariant($"{encoderOptions.Heads} heads, feed-forward {encoderOptions.FeedForward}) on synthetic token ids ({Vocabulary:N0} ids, labels of {LabelTokens} tokens, "),
                FormattableString.Invariant($"{batch} queries of {QueryTokens}), backend {backend.Name}. Cached: chunks of {chunk} labels. Peak = the highest live tensor bytes on the backend during "),
                "the step, above what was live before it (the encoder's parameters and gradients). Gradient difference = ",
                "max |g_cached − g_uncached| / max |g_uncached| over all parameters."),
            "",
            "| labels in the loss | loss (uncached) | loss (cached) | gradient difference | peak MiB uncached | peak MiB cached | uncached / cached | step s uncached | step s cached |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (int size in sizes)
        {
            var labels = Corpus(size, LabelTokens, seed: 3);
            var pool = Enumerable.Range(0, size).ToArray();
            var rng = new Random(4);
            var positives = Enumerable.Range(0, batch).Select(_ => new[] { rng.Next(size) }).ToArray();
            (double Loss, float[][] Gradients, long Peak, double Seconds) Step(int? chunkSize)
            {
                foreach (var p in encoder.Parameters) p.ZeroGradient();
                GC.Collect();
                backend.ResetPeakTensorBytes();
                long before = backend.LiveTensorBytes;
                var clock = Stopwatch.StartNew();
                double loss = GradientCache.Accumulate(encoder, queries.Batch(Enumerable.Range(0, batch).ToArray()), labels, pool, positives, positives, objective, chunkSize);
                backend.Synchronize();
                double seconds = clock.Elapsed.TotalSeconds;
                return (loss, encoder.Parameters.Select(p => p.Gradient.ToArray()).ToArray(), backend.PeakTensorBytes - before, seconds);
            }
            var whole = Step(null);
            var cached = Step(chunk);
            double scale = whole.Gradients.SelectMany(g => g).Max(v => Math.Abs(v)), diff = 0;
            for (int p = 0; p < whole.Gradients.Length; p++)
                for (int j = 0; j < whole.Gradients[p].Length; j++) diff = Math.Max(diff, Math.Abs(whole.Gradients[p][j] - cached.Gradients[p][j]));
            var line = string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {whole.Loss:F6} | {cached.Loss:F6} | {diff / scale:0.0e+0} | {whole.Peak / 1048576.0:F1} | {cached.Peak / 1048576.0:F1} | " +
                $"{(double)whole.Peak / cached.Peak:F1} | {whole.Seconds:F2} | {cached.Seconds:F2} |");
            Console.WriteLine(line);
            lines.Add(line);
        }
        var table = string.Join(Environment.NewLine, lines) + Environment.NewLine;
        Console.WriteLine();
        Console.WriteLine(table);
        if (output is not null) File.WriteAllText(output, table);
        return 0;
    }

    /// <summary>Rows of uniformly drawn token ids (lengths between half and all of <paramref name="length"/>), seeded.</summary>
    private static TokenizedCorpus Corpus(int rows, int length, int seed)
    {
        var rng = new Random(seed);
        var ids = new int[rows * length];
        var lengths = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            lengths[i] = length / 2 + rng.Next(length - length / 2 + 1);
            for (int t = 0; t < lengths[i]; t++) ids[i * length + t] = 1 + rng.Next(Vocabulary - 1);
        }
        return new TokenizedCorpus(rows, length, 0, ids, lengths);
    }
}
