using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// DSNC on dense low-dimensional data against a plain MLP classifier and one-vs-rest L2-SVM, with DSNC's sparse sets
/// beside them so that a change of defaults is seen on both kinds of input. Data: ImCLEF07A (80 dense features) and
/// Diatoms (371 dense features), both as multi-class on the deepest node of each point's class path, min-max scaled
/// on the training split (as the `linear` benchmark builds ImCLEF07A), with a heldout split of 10% carved from the
/// training file (seeded); sector (PD-Sparse split, its own heldout) and the embedded synthetic default (64 classes,
/// 400 heldout points). Every model picks its epoch on the heldout split; the test split gives the final figures.
/// The MLP reference: a sparse input layer (dense rows read as CSR), ReLU hidden layers, softmax cross-entropy, Adam,
/// the epoch of best heldout accuracy kept. Single CPU backend; seconds are wall time of training (the heldout
/// evaluations included), noisy on a shared machine.
/// Usage: dsnc-dense [shared/data folder] [--sets imclef,diatoms,sector,embedded] [--seeds 1,2,3] [--out FILE.md]
///        [--sweep SPEC ...] where a SPEC is `dsnc:key=value;...` (keys: bits, enc, dec, lr, ep, bs, wd, preset) or
///        `mlp:h=512,512;lr=0.001;ep=40;bs=64`; a sweep prints heldout and test accuracy per spec and writes no table.
/// </summary>
internal static class DsncDenseBenchmark
{
    private sealed record Row(string Data, string Method, double Accuracy, double P5, double HeldoutAccuracy, double TrainSeconds, long ModelBytes, string Note);

    public static int Run(string[] args)
    {
        string? shared = null, output = null;
        var sets = new List<string> { "imclef", "diatoms", "sector", "embedded" };
        var seeds = new List<int> { 1 };
        var sweep = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sets": sets = [.. args[++i].Split(',')]; break;
                case "--seeds": seeds = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--out": output = args[++i]; break;
                case "--sweep": while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) sweep.Add(args[++i]); break;
                default: shared = args[i]; break;
            }
        }
        shared ??= DexaBenchmark.FindShared();
        if (shared is null && sets.Any(s => s != "embedded"))
        {
            Console.Error.WriteLine("dsnc-dense needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        using var backend = ComputeBackends.Create(BackendKind.Cpu);
        var rows = new List<Row>();
        foreach (var set in sets)
        {
            var (name, data) = Load(shared!, set);
            Console.WriteLine($"{name}: {data.Train.NumPoints:N0} train / {data.Heldout!.NumPoints:N0} heldout / {data.Test.NumPoints:N0} test points, " +
                $"{data.Train.NumFeatures:N0} features ({data.Train.Features.NonZeros / (double)data.Train.NumPoints:F1} non-zeros per point), {data.Train.NumLabels} classes");
            var methods = sweep.Count > 0 ? sweep.Select(Parse).ToList() : Standard();
            foreach (var (label, train) in methods)
                foreach (int seed in seeds)
                    rows.Add(Print(train(name, data, backend, seed) with { Method = seeds.Count > 1 ? $"{label} (seed {seed})" : label }));
        }
        if (sweep.Count > 0) return 0;
        var lines = Table(rows).ToList();
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    private delegate Row Trainer(string data, DataSplits splits, IComputeBackend backend, int seed);

    /// <summary>The rows of the results table.</summary>
    private static List<(string, Trainer)> Standard() =>
    [
        ("one-vs-rest L2-SVM (xcn baseline --kind ovr defaults)", Ovr),
        ("MLP [512, 512], Adam 1e-3, 40 epochs", Mlp([512, 512], 1e-3f, 40, 64)),
        ("DSNC, old defaults (DsncOptions.LinearEncoder)", Dsnc(DsncOptions.LinearEncoder)),
        ("DSNC, new defaults (DsncOptions())", Dsnc(new DsncOptions())),
    ];

    private static (string, Trainer) Parse(string spec)
    {
        var parts = spec.Split(':', 2);
        var settings = parts.Length > 1 && parts[1].Length > 0
            ? parts[1].Split(';').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "")
            : [];
        string Get(string key, string fallback) => settings.TryGetValue(key, out var v) ? v : fallback;
        int[] Sizes(string s) => s.Length == 0 ? [] : s.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        float F(string s) => float.Parse(s, CultureInfo.InvariantCulture);
        int I(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        switch (parts[0])
        {
            case "mlp":
                return (spec, Mlp(Sizes(Get("h", "512")), F(Get("lr", "0.001")), I(Get("ep", "40")), I(Get("bs", "64"))));
            case "ovr":
                return (spec, Ovr);
            case "dsnc":
                var o = Get("preset", "default") == "linear" ? DsncOptions.LinearEncoder : new DsncOptions();
                if (settings.ContainsKey("bits")) o = o with { CodeBits = I(settings["bits"]) };
                if (settings.ContainsKey("enc")) o = o with { EncoderHidden = Sizes(settings["enc"]) };
                if (settings.ContainsKey("dec")) o = o with { DecoderHidden = Sizes(settings["dec"]) };
                if (settings.ContainsKey("lr")) o = o with { LearningRate = F(settings["lr"]) };
                if (settings.ContainsKey("ep")) o = o with { Epochs = I(settings["ep"]) };
                if (settings.ContainsKey("bs")) o = o with { BatchSize = I(settings["bs"]) };
                if (settings.ContainsKey("wd")) o = o with { WeightDecay = F(settings["wd"]) };
                return (spec, Dsnc(o));
            default:
                throw new ArgumentException($"unknown spec {spec}");
        }
    }

    private static (string Name, DataSplits Data) Load(string shared, string set) => set switch
    {
        "imclef" => ("ImCLEF07A", WithHeldout(LinearBenchmark.ScaledLeafClasses(Path.Combine(shared, "hmc", "ImCLEF07A_Train.arff"), Path.Combine(shared, "hmc", "ImCLEF07A_Test.arff")))),
        "diatoms" => ("Diatoms", WithHeldout(LinearBenchmark.ScaledLeafClasses(Path.Combine(shared, "hmc", "Diatoms_train.arff"), Path.Combine(shared, "hmc", "Diatoms_test.arff")))),
        "sector" => ("sector", LibSvmFormat.ReadPdSparse(Path.Combine(shared, "sector", "sector"))),
        "embedded" => ("embedded default", EmbeddedData.Default(400)),
        _ => throw new ArgumentException($"unknown data set {set}: imclef, diatoms, sector or embedded"),
    };

    /// <summary>10% of the training points, drawn with a fixed seed, become the heldout split.</summary>
    private static DataSplits WithHeldout(DataSplits data)
    {
        int n = data.Train.NumPoints;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(20261207).Shuffle(order);
        int heldout = n / 10;
        return new DataSplits(data.Train.SelectRows(order[heldout..].Order().ToArray()), data.Train.SelectRows(order[..heldout].Order().ToArray()), data.Test);
    }

    private static Row Ovr(string name, DataSplits data, IComputeBackend backend, int seed)
    {
        var clock = Stopwatch.StartNew();
        var model = OneVsRestLinear.Train(data.Train, new OneVsRestOptions());
        double seconds = clock.Elapsed.TotalSeconds;
        return Evaluate(name, "", data, model.TopK(data.Heldout!, 1), model.TopK(data.Test, 5), seconds, model.ModelBytes, "");
    }

    private static Trainer Dsnc(DsncOptions options) => (name, data, backend, seed) =>
    {
        var clock = Stopwatch.StartNew();
        var training = Methods.Dsnc.Dsnc.TrainDetailed(data.Train, data.Heldout, options with { Seed = seed, Backend = BackendKind.Cpu }, backend: backend);
        double seconds = clock.Elapsed.TotalSeconds;
        using var model = training.Model;
        var resolved = model.Options;
        string note = string.Create(CultureInfo.InvariantCulture,
            $"m={resolved.CodeBits}, encoder [{string.Join(", ", resolved.EncoderHidden!)}], lr {resolved.LearningRate:G3}, {resolved.Epochs} epochs (kept {training.BestEpoch}), batch {resolved.BatchSize}");
        return Evaluate(name, "", data, model.TopK(data.Heldout!, 1), model.TopK(data.Test, 5), seconds, model.ModelBytes, note);
    };

    private static Trainer Mlp(int[] hidden, float learningRate, int epochs, int batchSize) => (name, data, backend, seed) =>
    {
        var clock = Stopwatch.StartNew();
        var train = data.Train;
        var classes = train.Labels.Classes();
        using var network = new SparseInputMlp(backend, [train.NumFeatures, .. hidden, train.NumLabels], new MlpOptions { Seed = seed, Name = "mlp" });
        using var optimizer = new Adam(network.Parameters, new AdamOptions { LearningRate = learningRate });
        using var loss = new SoftmaxCrossEntropyLoss(backend);
        var batches = new MiniBatchOptions { BatchSize = batchSize, Seed = seed + 1 };
        float[][]? best = null;
        double bestHeldout = double.NegativeInfinity;
        int bestEpoch = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var rows in MiniBatches.Plan(train.NumPoints, batches, epoch))
            {
                using var x = backend.Upload(train.Features.SelectRows(rows));
                using var y = backend.UploadInt(rows.Select(r => classes[r]).ToArray(), rows.Length, 1);
                optimizer.ZeroGradients();
                loss.Compute(network.Forward(x, training: true), y);
                network.Backward(loss.Gradient);
                optimizer.Step();
            }
            double heldout = 100 * XcMetrics.Accuracy(data.Heldout!.Labels, MlpTopK(backend, network, data.Heldout.Features, 1).Top1());
            if (heldout >= bestHeldout)
            {
                (bestHeldout, bestEpoch) = (heldout, epoch + 1);
                best = network.Parameters.Select(p => p.GetValues()).ToArray();
            }
        }
        for (int i = 0; i < network.Parameters.Count; i++) network.Parameters[i].SetValues(best![i]);
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = network.Parameters.Sum(p => 4L * p.Rows * p.Cols);
        return Evaluate(name, "", data, MlpTopK(backend, network, data.Heldout!.Features, 1), MlpTopK(backend, network, data.Test.Features, 5), seconds, bytes,
            $"hidden [{string.Join(", ", hidden)}], lr {learningRate:G3}, {epochs} epochs (kept {bestEpoch}), batch {batchSize}");
    };

    private static TopKPredictions MlpTopK(IComputeBackend backend, SparseInputMlp network, CsrMatrix features, int k)
    {
        var labels = new int[features.Rows * k];
        var scores = new float[features.Rows * k];
        const int batch = 2048;
        for (int start = 0; start < features.Rows; start += batch)
        {
            int count = Math.Min(batch, features.Rows - start);
            using var x = backend.Upload(features.SelectRows(Enumerable.Range(start, count).ToArray()));
            var output = network.Forward(x, training: false);
            using var values = backend.Allocate(count, k);
            using var indices = backend.AllocateInt(count, k);
            backend.TopK(output, values, indices);
            indices.CopyTo(labels.AsSpan(start * k, count * k));
            values.CopyTo(scores.AsSpan(start * k, count * k));
        }
        return new TopKPredictions(features.Rows, k, labels, scores);
    }

    private static Row Evaluate(string name, string method, DataSplits data, TopKPredictions heldout, TopKPredictions test, double seconds, long bytes, string note)
    {
        var metrics = XcMetrics.Evaluate(data.Test.Labels, test, 5);
        return new Row(name, method, 100 * XcMetrics.Accuracy(data.Test.Labels, test.Top1()), 100 * metrics.P(5),
            100 * XcMetrics.Accuracy(data.Heldout!.Labels, heldout.Top1()), seconds, bytes, note);
    }

    private static Row Print(Row r)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Method,-60} heldout {r.HeldoutAccuracy:F2}  test {r.Accuracy:F2}  P@5 {r.P5:F2}  train {r.TrainSeconds:F1} s  {r.ModelBytes:N0} B  {r.Note}"));
        return r;
    }

    private static IEnumerable<string> Table(List<Row> rows)
    {
        yield return "| data | method | test accuracy (P@1) | P@5 | heldout accuracy | train s | x first row | model bytes | settings |";
        yield return "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
        foreach (var group in rows.GroupBy(r => r.Data))
        {
            double baseline = group.First().TrainSeconds;
            foreach (var r in group)
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Data} | {r.Method} | {r.Accuracy:F2} | {r.P5:F2} | {r.HeldoutAccuracy:F2} | {r.TrainSeconds:F1} | {r.TrainSeconds / baseline:F2} | {r.ModelBytes:N0} | {r.Note} |");
        }
    }
}
