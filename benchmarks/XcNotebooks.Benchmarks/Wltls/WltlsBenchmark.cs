using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks.WltlsBenchmarks;

/// <summary>
/// W-LTLS on sector as the paper runs it (b = 5, AROW, exponential loss, random assignment, 5 epochs, seed 1337, then
/// the final model and the sparse-models experiment). Measures the whole run (load, epochs, test, final model, sparse
/// experiment) and the per-point prediction time, for the library and for <see cref="ScalarWltls"/> (the same
/// algorithm, single-threaded and scalar) in the same process, alternating, best of N; prints the ratios, and the
/// original Python code's documented times on this machine kind (46 s, 0.25 s for the 961 test points) for context.
/// The .bz2 files are decompressed once beforehand, untimed: the original reads plain PD-Sparse files too.
/// </summary>
internal static class WltlsBenchmark
{
    private const double OriginalWholeRunSeconds = 46;
    private const double OriginalTestSeconds = 0.25;
    private const int Seed = 1337, Epochs = 5, SliceWidth = 5;

    /// <summary>Arguments: [PREFIX of the PD-Sparse sector files] [--repeat N].</summary>
    public static int Run(string[] args)
    {
        int repeats = 3;
        string? prefix = null;
        for (int a = 0; a < args.Length; a++)
        {
            if (args[a] == "--repeat") repeats = int.Parse(args[++a], CultureInfo.InvariantCulture);
            else prefix = args[a];
        }
        prefix ??= FindSector();
        if (prefix is null)
        {
            Console.Error.WriteLine("sector not found: pass the PD-Sparse prefix, e.g. ../shared/data/sector/sector");
            return 1;
        }
        var plain = Decompress(prefix);
        Console.WriteLine($"W-LTLS benchmark on {prefix} (b={SliceWidth}, {Epochs} epochs, seed {Seed}), {Environment.ProcessorCount} cores, best of {repeats}");

        Measured? ours = null, baseline = null;
        for (int r = 0; r < repeats; r++)
        {
            var o = WithCpuTime(RunLibrary, plain);
            var b = WithCpuTime(RunBaseline, plain);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {r + 1}: library {o.TotalSeconds:F2} s, {o.CpuSeconds:F2} s CPU ({o.Breakdown}); baseline {b.TotalSeconds:F2} s, {b.CpuSeconds:F2} s CPU ({b.Breakdown})"));
            if (ours is null || o.TotalSeconds < ours.TotalSeconds) ours = o;
            if (baseline is null || b.TotalSeconds < baseline.TotalSeconds) baseline = b;
        }

        var (libraryMicros, baselineMicros) = PredictionMicroseconds(plain);
        double originalMicros = OriginalTestSeconds * 1e6 / 961;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            | figure                         | library    | scalar baseline | ratio   | original (documented) | ratio   |
            | whole run (s)                  | {ours!.TotalSeconds,10:F2} | {baseline!.TotalSeconds,15:F2} | {baseline.TotalSeconds / ours.TotalSeconds,6:F1}x | {OriginalWholeRunSeconds,21:F1} | {OriginalWholeRunSeconds / ours.TotalSeconds,6:F1}x |
            | whole run without loading (s)  | {ours.TotalSeconds - ours.LoadSeconds,10:F2} | {baseline.TotalSeconds - baseline.LoadSeconds,15:F2} | {(baseline.TotalSeconds - baseline.LoadSeconds) / (ours.TotalSeconds - ours.LoadSeconds),6:F1}x |                       |         |
            | prediction per point (us)      | {libraryMicros,10:F2} | {baselineMicros,15:F2} | {baselineMicros / libraryMicros,6:F1}x | {originalMicros,21:F1} | {originalMicros / libraryMicros,6:F1}x |
            | test accuracy, best epoch (%)  | {ours.TestAccuracy,10:F2} | {baseline.TestAccuracy,15:F2} |
            | final model accuracy (%)       | {ours.FinalAccuracy,10:F2} | {baseline.FinalAccuracy,15:F2} |
            | sparse: best row kept (%)      | {ours.SparseKeptPercent,10:F2} | {baseline.SparseKeptPercent,15:F2} |
            | sparse: best row test acc. (%) | {ours.SparseTestAccuracy,10:F2} | {baseline.SparseTestAccuracy,15:F2} |
            """));
        return 0;
    }

    private sealed record Measured(double TotalSeconds, double LoadSeconds, string Breakdown, double TestAccuracy, double FinalAccuracy,
        double SparseKeptPercent, double SparseTestAccuracy)
    {
        /// <summary>Process CPU seconds of the run: wall time far above it means other processes had the cores.</summary>
        public double CpuSeconds { get; init; }
    }

    private static Measured WithCpuTime(Func<string, Measured> run, string prefix)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var measured = run(prefix);
        process.Refresh();
        return measured with { CpuSeconds = (process.TotalProcessorTime - before).TotalSeconds };
    }

    private static Measured RunLibrary(string prefix)
    {
        var clock = Stopwatch.StartNew();
        var data = LibSvmFormat.ReadPdSparse(prefix);
        double load = clock.Elapsed.TotalSeconds;
        var training = Wltls.TrainDetailed(data.Train, data.Heldout, new WltlsOptions { SliceWidth = SliceWidth, Epochs = Epochs, Seed = Seed });
        double train = clock.Elapsed.TotalSeconds;
        double test = training.Best.Accuracy(data.Test);
        double final = training.LastEpoch.Accuracy(data.Test);
        double tested = clock.Elapsed.TotalSeconds;
        var sparse = WltlsSparseModels.Run(training.LastEpoch, data.Heldout!, data.Test);
        double total = clock.Elapsed.TotalSeconds;
        return new Measured(total, load, Breakdown(load, train, tested, total), test, final, sparse.Best.NonZeroPercent, sparse.Best.TestAccuracy);
    }

    private static Measured RunBaseline(string prefix)
    {
        var clock = Stopwatch.StartNew();
        var data = LibSvmFormat.ReadPdSparse(prefix);
        double load = clock.Elapsed.TotalSeconds;
        int[] train = data.Train.Labels.Classes(), heldout = data.Heldout!.Labels.Classes(), test = data.Test.Labels.Classes();
        var model = new ScalarWltls(data.Train.NumLabels, data.Train.NumFeatures, SliceWidth, Seed);
        float[] best = [];
        double bestValidation = double.NegativeInfinity;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            model.TrainEpoch(data.Train.Features, train, Seeds.Permutation(train.Length, Seeds.Derive(Seed, epoch)));
            var w = model.FinalMatrix();
            double validation = model.Accuracy(w, data.Heldout.Features, heldout);
            if (validation >= bestValidation) (bestValidation, best) = (validation, w);
        }
        double trained = clock.Elapsed.TotalSeconds;
        double testAccuracy = model.Accuracy(best, data.Test.Features, test);
        var final = model.FinalMatrix();
        double finalAccuracy = model.Accuracy(final, data.Test.Features, test);
        double tested = clock.Elapsed.TotalSeconds;

        // Sparse models: sort |W| for the percentiles, prune, test every level, stop on a 1-point validation drop.
        var magnitudes = final.Select(Math.Abs).ToArray();
        Array.Sort(magnitudes);
        double zeros = 100.0 * magnitudes.Count(m => m == 0) / magnitudes.Length;
        double from = zeros + (100 - zeros) * 2 / 3;
        var percents = new[] { zeros }.Concat(Enumerable.Range(0, 9).Select(i => from + (99 - from) * i / 8)).ToArray();
        double firstValidation = double.NaN, keptPercent = 0, sparseTest = 0;
        foreach (double percent in percents)
        {
            double threshold = WltlsSparseModels.Percentile(magnitudes, percent);
            var pruned = final.Select(v => Math.Abs(v) >= threshold ? v : 0f).ToArray();
            double validation = model.Accuracy(pruned, data.Heldout.Features, heldout);
            double accuracy = model.Accuracy(pruned, data.Test.Features, test);
            if (double.IsNaN(firstValidation)) firstValidation = validation;
            if (firstValidation - validation >= 1.0) break;
            keptPercent = 100.0 * pruned.Count(v => v != 0) / pruned.Length;
            sparseTest = accuracy;
        }
        double total = clock.Elapsed.TotalSeconds;
        return new Measured(total, load, Breakdown(load, trained, tested, total), testAccuracy, finalAccuracy, keptPercent, sparseTest);
    }

    /// <summary>Per-point prediction time on the test split: the library's batch prediction vs the scalar loop (best of several).</summary>
    private static (double Library, double Baseline) PredictionMicroseconds(string prefix)
    {
        var data = LibSvmFormat.ReadPdSparse(prefix);
        var model = Wltls.Train(data.Train, data.Heldout, new WltlsOptions { SliceWidth = SliceWidth, Epochs = 1, Seed = Seed });
        var scalar = new ScalarWltls(data.Train.NumLabels, data.Train.NumFeatures, SliceWidth, Seed);
        var classes = data.Test.Labels.Classes();
        double library = Best(30, () => model.Predict(data.Test));
        double baseline = Best(5, () => scalar.Accuracy(model.Weights.Data, data.Test.Features, classes));
        return (library * 1e6 / data.Test.NumPoints, baseline * 1e6 / data.Test.NumPoints);
    }

    private static double Best(int repeats, Action action)
    {
        action(); // warm-up (JIT)
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static string Breakdown(double load, double trained, double tested, double total) => string.Create(CultureInfo.InvariantCulture,
        $"load {load:F2}, train {trained - load:F2}, test+final {tested - trained:F2}, sparse {total - tested:F2}");

    private static string? FindSector()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "sector", "sector");
            if (File.Exists(candidate + ".train") || File.Exists(candidate + ".train.bz2")) return candidate;
        }
        return null;
    }

    /// <summary>Plain copies of the splits in a temporary folder (the original reads uncompressed files).</summary>
    private static string Decompress(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "xcn-bench-sector");
        Directory.CreateDirectory(dir);
        var plain = Path.Combine(dir, Path.GetFileName(prefix));
        foreach (var split in new[] { ".train", ".heldout", ".test" })
        {
            var source = new[] { "", ".bz2", ".gz" }.Select(c => prefix + split + c).FirstOrDefault(File.Exists);
            if (source is null || File.Exists(plain + split)) continue;
            InputFile.WriteAtomic(plain + split, output =>
            {
                using var input = InputFile.OpenRead(source);
                input.CopyTo(output);
            });
        }
        return plain;
    }
}
