using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Metrics;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// The Parabel-style tree against one-vs-rest (L2-SVM dual CD, defaults) on one data set, in process: P@k, train
/// seconds and predict µs/point, one-vs-rest first so that "x faster" is a ratio measured in the same run (wall time and the process's CPU time, best of --repeat runs).
/// Usage: parabel TRAIN.txt TEST.txt [--name NAME] [--variants v1,v2,...] [--beams 1,10,...] [--skip-ovr | --ovr-shape-only | --ovr-shape-test-features | --ovr-model FILE] [--parabel-model FILE] [--first-trees 1,2,...] [--repeat N] [--synthetic L] [--out FILE.md]
/// (--ovr-shape-test-features: one-vs-rest's shape over the test points' features only, L x their count, the test
/// features renumbered: the same per-point cost, a row of L weights per non-zero, in a smaller matrix, where D x L
/// does not fit the machine's memory budget; --ovr-model / --parabel-model: a model saved by `xcn baseline --kind ovr|parabel --model DIR`, predicted instead of
/// training one: where training takes long; --first-trees n: also the ensemble of the model's first n trees alone, with each --beams, e.g. one-vs-rest on all of WordNet; its train seconds show as 0.)
/// (XMLRepository files, e.g. those of `xcn data wordnet --out DIR`). Variants: "default", "paper", "single", "leaf=N", "c=X", "beam=N", "trees=N", "neg=N" (leaf negatives N levels up), "seed=N", joined by "+".
/// </summary>
internal static class ParabelBenchmark
{
    private sealed record Row(string Method, MetricReport Metrics, double TrainSeconds, double PredictMicroseconds, double PredictCpuMicroseconds, long ModelBytes);

    public static int Run(string[] args)
    {
        string? output = null, name = null, ovrModel = null, parabelModel = null;
        var variants = new List<string> { "default" };
        var beams = new List<int>();
        var firstTrees = new List<int>();
        bool skipOvr = false, ovrShape = false, ovrTestFeatures = false;
        int synthetic = 0, repeat = 3;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out": output = args[++i]; break;
                case "--name": name = args[++i]; break;
                case "--variants": variants = [.. args[++i].Split(',')]; break;
                case "--beams": beams = [.. args[++i].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))]; break;
                case "--skip-ovr": skipOvr = true; break;
                case "--ovr-shape-test-features": ovrShape = ovrTestFeatures = true; break;
                case "--ovr-model": ovrModel = args[++i]; break;
                case "--first-trees": firstTrees = [.. args[++i].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))]; break;
                case "--parabel-model": parabelModel = args[++i]; break;
                case "--ovr-shape-only": ovrShape = true; break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--synthetic": synthetic = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: files.Add(args[i]); break;
            }
        }
        if (files.Count != 2 && synthetic == 0)
        {
            Console.Error.WriteLine("usage: parabel TRAIN.txt TEST.txt [--name NAME] [--variants default,leaf=N,c=X,beam=N] [--beams 1,10] [--skip-ovr] [--out FILE.md]");
            return 2;
        }
        DataSplits data;
        if (synthetic > 0)
        {
            // The linear benchmark's scale data: the kit's generator, multi-label, 4,000 features, 3 training points per label.
            var generated = SyntheticXc.Generate(new SyntheticXcOptions
            {
                NumLabels = synthetic, NumFeatures = 4000, NumTrain = 3 * synthetic, NumTest = 2000, MultiLabel = true, Texts = false, Seed = 1,
            });
            data = new DataSplits(generated.Train, null, generated.Test);
            name ??= $"synthetic {synthetic:N0} labels";
        }
        else
        {
            data = DatasetReader.ReadSplits(files[0], null, files[1]);
            name ??= Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(files[0]))) ?? files[0];
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {data.Train.NumPoints:N0} train / {data.Test.NumPoints:N0} test points, {data.Train.NumFeatures:N0} features, {data.Train.NumLabels:N0} labels"));
        var propensity = Propensity.Inverse(data.Train.Labels, Propensity.Default.A, Propensity.Default.B);
        var rows = new List<Row>();
        Row Measure(string method, IXcModel model, double trainSeconds, Func<TopKPredictions> predict, long bytes)
        {
            var predictions = predict(); // warm-up: no JIT in the timing
            // The best of `repeat` timed runs: the machine is shared, and the least disturbed run is the method's cost.
            // CPU time too (all threads of the process): time slices lost to other processes on a loaded machine do not count.
            double micro = double.PositiveInfinity, cpuMicro = double.PositiveInfinity;
            using var process = Process.GetCurrentProcess();
            for (int r = 0; r < repeat; r++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                predictions = predict();
                micro = Math.Min(micro, clock.Elapsed.TotalSeconds * 1e6 / data.Test.NumPoints);
                process.Refresh();
                cpuMicro = Math.Min(cpuMicro, (process.TotalProcessorTime - cpu).TotalSeconds * 1e6 / data.Test.NumPoints);
            }
            var row = new Row(method, XcMetrics.Evaluate(data.Test.Labels, predictions, 5, propensity), trainSeconds, micro, cpuMicro, bytes);
            int tied = Enumerable.Range(0, predictions.Rows).Count(i => predictions.Scores[i * 5] == predictions.Scores[i * 5 + 1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ({tied:N0} of {predictions.Rows:N0} points have their two best scores tied)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {method,-56} P@1 {row.Metrics.P(1) * 100:F2}  P@5 {row.Metrics.P(5) * 100:F2}  PSP@5 {row.Metrics.Psp(5) * 100:F2}  train {trainSeconds:F2} s  predict {micro:F1} µs/point ({cpuMicro:F1} CPU)  {bytes:N0} bytes"));
            rows.Add(row);
            return row;
        }
        if (!skipOvr)
        {
            var clock = Stopwatch.StartNew();
            // At scale one-vs-rest is trained by AROW for one epoch (its prediction costs the same whatever the learner: x^T W over every label).
            // --ovr-shape-only: seeded random weights of one-vs-rest's shape (D x L dense), for its prediction cost only
            // where training it would take hours (10^5 labels); its accuracy is then meaningless and not reported.
            var ovrTest = ovrTestFeatures ? OnlyUsedFeatures(data.Test.Features) : data.Test.Features;
            var ovr = ovrModel is not null ? OneVsRestLinear.Load(ovrModel)
                : ovrShape ? RandomOneVsRest(ovrTest.Cols, data.Train.NumLabels)
                : synthetic > 0 ? OneVsRestLinear.Train(data.Train, new OneVsRestOptions { Learner = new BinaryLearnerOptions(), Epochs = 1 })
                : OneVsRestLinear.Train(data.Train, new OneVsRestOptions());
            double seconds = clock.Elapsed.TotalSeconds;
            if (ovrModel is not null) seconds = 0;
            Measure(ovrModel is not null ? $"one-vs-rest, saved model ({ovr.Options.Learner.Kind})" : ovrShape ? (ovrTestFeatures ? $"one-vs-rest shape over the test points' {ovrTest.Cols:N0} features, random weights (prediction cost only; accuracy meaningless)" : "one-vs-rest shape, random weights (prediction cost only; accuracy meaningless)") : synthetic > 0 ? "one-vs-rest AROW, 1 epoch (full scoring)" : "one-vs-rest L2-SVM dual CD (defaults)", ovr, seconds, () => ovr.TopK(ovrTest, 5), ovr.ModelBytes);
            GC.Collect(); // one-vs-rest's memory back (no longer referenced) before the trees are trained or loaded
        }
        foreach (string variant in variants)
        {
            var (options, label) = Variant(variant);
            var clock = Stopwatch.StartNew();
            var model = parabelModel is not null ? ParabelModel.Load(parabelModel) : Parabel.Train(data.Train, options);
            if (parabelModel is not null) label = $"saved model ({model.Members.Count} trees, leaf negatives {model.Options.LeafNegativeLevels} levels up, beam {model.Options.Beam}){(variant == "default" ? "" : $", {variant} ignored")}";
            double seconds = parabelModel is not null ? 0 : clock.Elapsed.TotalSeconds;
            long nonZeros = model.Blocks.LongCount(w => w != 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {label}: {model.Tree.NumNodes:N0} nodes, {model.Tree.NumLeaves:N0} leaves, {nonZeros:N0} non-zero weights of {model.Blocks.Count:N0} stored ({100.0 * nonZeros / model.Blocks.Count:F1}%)"));
            Measure($"Parabel-style tree, {label}", model, seconds, () => model.TopK(data.Test, 5), model.ModelBytes);
            // An ensemble's first tree alone: what one of its beam searches costs, beside the ensemble's whole prediction.
            for (int m = 0; m < model.Members.Count && model.Members.Count > 1; m++)
            {
                var member = model.Members[m];
                Measure($"Parabel-style tree, {label}, its tree {m} alone", member, seconds, () => member.TopK(data.Test, 5), member.ModelBytes);
            }
            foreach (int beam in beams.Where(b => b != model.Options.Beam))
                Measure($"Parabel-style tree, {label}, beam {beam} at prediction", model, seconds, () => model.TopK(data.Test.Features, 5, beam), model.ModelBytes);
            foreach (int n in firstTrees.Where(n => n < model.Members.Count))
            {
                var first = ParabelModel.Ensemble(model.Members.Take(n).ToArray(), model.Options with { Trees = n });
                foreach (int beam in beams.Prepend(model.Options.Beam).Distinct())
                    Measure($"Parabel-style tree, {label}, its first {n} trees, beam {beam}", first, seconds, () => first.TopK(data.Test.Features, 5, beam), first.ModelBytes);
            }
        }
        var lines = Table(name, rows).ToList();
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    /// <summary>The rows with their features renumbered 0.. in order of the features any row uses (the rows' sparsity kept).</summary>
    private static CsrMatrix OnlyUsedFeatures(CsrMatrix x)
    {
        var number = new int[x.Cols];
        foreach (int j in x.ColumnIndices) number[j] = 1;
        int used = 0;
        for (int j = 0; j < x.Cols; j++) number[j] = number[j] == 0 ? -1 : used++;
        return new CsrMatrix(x.Rows, used, (long[])x.RowPointers.Clone(), x.ColumnIndices.Select(j => number[j]).ToArray(), (float[])x.Values.Clone());
    }

    private static OneVsRestLinear RandomOneVsRest(int features, int labels)
    {
        var weights = new RowMajorMatrix(features, labels);
        var random = new Random(1);
        var data = weights.Data;
        for (long j = 0; j < data.LongLength; j++) data[j] = (float)(random.NextDouble() - 0.5);
        return new OneVsRestLinear(weights, new float[labels], new OneVsRestOptions());
    }

    private static (ParabelOptions Options, string Label) Variant(string variant)
    {
        var options = new ParabelOptions();
        if (variant == "default") return (options, $"defaults ({options.Trees} trees, leaf negatives {options.LeafNegativeLevels} levels up, leaves <= {options.MaxLeafLabels} labels, beam {options.Beam})");
        if (variant == "paper") return (ParabelOptions.Paper, "Parabel's paper (3 trees, own-leaf negatives)");
        if (variant == "single") return (ParabelOptions.SingleTree, "one tree, own-leaf negatives (the earlier defaults)");
        foreach (string part in variant.Split('+').Where(p => p != "default"))
        {
            var (key, value) = (part[..part.IndexOf('=')], part[(part.IndexOf('=') + 1)..]);
            options = key switch
            {
                "leaf" => options with { MaxLeafLabels = int.Parse(value, CultureInfo.InvariantCulture) },
                "beam" => options with { Beam = int.Parse(value, CultureInfo.InvariantCulture) },
                "c" => options with { Learner = options.Learner with { Cost = double.Parse(value, CultureInfo.InvariantCulture) } },
                "logistic" => options with { Learner = options.Learner with { Kind = BinaryLearnerKind.LogisticDual, Cost = double.Parse(value, CultureInfo.InvariantCulture) } },
                "trees" => options with { Trees = int.Parse(value, CultureInfo.InvariantCulture) },
                "neg" => options with { LeafNegativeLevels = int.Parse(value, CultureInfo.InvariantCulture) },
                "seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "prune" => options with { Learner = options.Learner with { PruneBelow = double.Parse(value, CultureInfo.InvariantCulture) } },
                _ => throw new ArgumentException($"unknown variant setting {part}"),
            };
        }
        return (options, variant);
    }

    private static IEnumerable<string> Table(string name, List<Row> rows)
    {
        yield return $"{name}, in process (P@k, PSP@k with A = 0.55, B = 1.5; \"predict x\" = one-vs-rest's predict time / the row's, in the same run).";
        yield return "";
        yield return "| method | P@1 | P@3 | P@5 | PSP@5 | train s | predict µs/point | x faster | predict CPU µs/point | x faster (CPU) | model MB |";
        yield return "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
        double baseline = rows[0].PredictMicroseconds, baselineCpu = rows[0].PredictCpuMicroseconds;
        foreach (var r in rows)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {r.Method} | {r.Metrics.P(1) * 100:F2} | {r.Metrics.P(3) * 100:F2} | {r.Metrics.P(5) * 100:F2} | {r.Metrics.Psp(5) * 100:F2} | {r.TrainSeconds:F2} | {r.PredictMicroseconds:F1} | {baseline / r.PredictMicroseconds:F2} | {r.PredictCpuMicroseconds:F1} | {baselineCpu / r.PredictCpuMicroseconds:F2} | {r.ModelBytes / 1e6:F1} |");
    }
}
