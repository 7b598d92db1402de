using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Core;
using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Metrics;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// The kit's best multi-label model against one-vs-rest and Parabel on bibtex, enron (XMLRepository files) and the
/// Clus-HMC sets Diatoms and ImCLEF07A (multi-label: each point's labels are the nodes of its class paths), in process:
/// P@k and PSP@k (A = 0.55, B = 1.5), train seconds, predict microseconds per point, model bytes. Rows: one-vs-rest
/// defaults (the ratios' baseline), one-vs-rest with the weighting and C the fusion chose on held-out folds, the
/// calibrated fusion without and with its neighbours, Parabel defaults; the XMLRepository's published numbers beside.
/// Usage: bestml [shared/data folder] [--only NAME] [--out FILE.md]
/// </summary>
internal static class BestMlBenchmark
{
    private sealed record Row(string Data, string Method, MetricReport? Metrics, double TrainSeconds, double PredictMicroseconds, long ModelBytes,
        double[]? Published = null);

    /// <summary>XMLRepository benchmark table (P@1, P@3, P@5), as published; only the rows quoted by issue 14.</summary>
    private static readonly Dictionary<string, (string Method, double[] P)[]> Published = new()
    {
        ["bibtex"] = [("SLEEC (XMLRepository, published)", [65.08, 39.64, 28.87]), ("1-vs-All (XMLRepository, published)", [62.62, 39.09, 28.79])],
    };

    public static int Run(string[] args)
    {
        string? shared = null, only = null, output = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only": only = args[++i]; break;
                case "--out": output = args[++i]; break;
                default: shared = args[i]; break;
            }
        }
        shared ??= DexaBenchmark.FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("bestml needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        var sets = new (string Name, Func<DataSplits> Load)[]
        {
            ("bibtex", () => XmlRepository(shared, "bibtex")),
            ("enron", () => XmlRepository(shared, "enron")),
            ("Diatoms", () => Hmc(shared, "Diatoms_train.arff", "Diatoms_test.arff")),
            ("ImCLEF07A", () => Hmc(shared, "ImCLEF07A_Train.arff", "ImCLEF07A_Test.arff")),
        };
        var rows = new List<Row>();
        foreach (var (name, load) in sets)
        {
            if (only is not null && !only.Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            rows.AddRange(Measure(name, load()));
        }
        var lines = Table(rows).ToList();
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    private static DataSplits XmlRepository(string shared, string name) =>
        DatasetReader.ReadSplits(Path.Combine(shared, name, $"{name}_train.txt"), null, Path.Combine(shared, name, $"{name}_test.txt"));

    private static DataSplits Hmc(string shared, string train, string test) =>
        ClusHmcFormat.ReadSplits(Path.Combine(shared, "hmc", train), null, Path.Combine(shared, "hmc", test), new ClusHmcOptions { AddAncestors = true });

    private static List<Row> Measure(string name, DataSplits data)
    {
        Console.WriteLine($"{name}: {data.Train.NumPoints:N0} train / {data.Test.NumPoints:N0} test points, {data.Train.NumFeatures:N0} features, {data.Train.NumLabels:N0} labels");
        var propensity = Propensity.Inverse(data.Train.Labels, Propensity.Default.A, Propensity.Default.B);
        var rows = new List<Row>();
        OneVsRestLinear.Train(data.Train.SelectRows(Enumerable.Range(0, Math.Min(200, data.Train.NumPoints)).ToArray())); // warm-up: no JIT in the timings
        Row Time(string method, Func<IXcModel> train, Func<IXcModel, long> bytes, out IXcModel model)
        {
            var clock = Stopwatch.StartNew();
            model = train();
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var row = Predict(method, model, trainSeconds, bytes(model));
            return row;
        }
        Row Predict(string method, IXcModel model, double trainSeconds, long bytes)
        {
            var clock = Stopwatch.StartNew();
            var predictions = model.TopK(data.Test, 5);
            double micro = clock.Elapsed.TotalSeconds * 1e6 / data.Test.NumPoints;
            var row = new Row(name, method, XcMetrics.Evaluate(data.Test.Labels, predictions, 5, propensity), trainSeconds, micro, bytes);
            Print(row);
            return row;
        }
        rows.Add(Time("one-vs-rest L2-SVM dual CD (defaults: C = 1, unit rows, bias 1)", () => OneVsRestLinear.Train(data.Train), m => ((OneVsRestLinear)m).ModelBytes, out _));
        var fusionRow = Time("calibrated fusion (defaults: settings on 3 held-out folds of the training set)",
            () => CalibratedFusion.Train(data.Train, null, new CalibratedFusionOptions(), TrainingMonitor.Console), m => ((CalibratedFusionModel)m).ModelBytes, out var trained);
        var fusion = (CalibratedFusionModel)trained;
        var choice = fusion.Choice;
        string chosen = $"{choice.Weighting}, C = {choice.Cost.ToString(CultureInfo.InvariantCulture)}";
        var tunedOptions = new OneVsRestOptions { Learner = new OneVsRestOptions().Learner with { Cost = choice.Cost } };
        rows.Add(Time($"one-vs-rest, held-out choice ({chosen}), raw margins",
            () => OneVsRestLinear.Train(data.Train with { Features = CalibratedFusion.Weigh(data.Train.Features, CalibratedFusion.ColumnWeights(data.Train.Features, choice.Weighting)) }, tunedOptions),
            m => ((OneVsRestLinear)m).ModelBytes, out var tuned));
        // The tuned learners predict weighted features: the row above timed them on unweighted test features, so predict again.
        var weights = CalibratedFusion.ColumnWeights(data.Train.Features, choice.Weighting);
        var weightedTest = data.Test with { Features = CalibratedFusion.Weigh(data.Test.Features, weights) };
        {
            var clock = Stopwatch.StartNew();
            var predictions = tuned.TopK(weightedTest, 5);
            double micro = clock.Elapsed.TotalSeconds * 1e6 / data.Test.NumPoints;
            rows[^1] = rows[^1] with { Metrics = XcMetrics.Evaluate(data.Test.Labels, predictions, 5, propensity), PredictMicroseconds = micro };
            Print(rows[^1]);
        }
        var calibratedOnly = new CalibratedFusionModel(fusion.ColumnWeights, fusion.OneVsRest, fusion.Calibration, fusion.Neighbours, choice with { NeighbourWeight = 0 }, fusion.Options);
        rows.Add(Predict($"calibrated one-vs-rest alone (the fusion with w = 0; {chosen})", calibratedOnly, double.NaN, fusion.OneVsRest.ModelBytes));
        rows.Add(fusionRow with { Method = $"calibrated fusion (defaults; chose {chosen}, k = {choice.Neighbours}, w = {choice.NeighbourWeight.ToString(CultureInfo.InvariantCulture)})" });
        rows.Add(Time("Parabel-style tree (defaults: leaves <= 100 labels, beam 10)", () => Parabel.Train(data.Train), m => ((ParabelModel)m).ModelBytes, out _));
        foreach (var (method, p) in Published.GetValueOrDefault(name, []))
            rows.Add(new Row(name, method, null, double.NaN, double.NaN, 0, p));
        return rows;
    }

    private static void Print(Row r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Method,-60} P@1 {r.Metrics!.P(1) * 100:F2}  P@5 {r.Metrics.P(5) * 100:F2}  PSP@5 {r.Metrics.Psp(5) * 100:F2}  train {r.TrainSeconds:F2} s  predict {r.PredictMicroseconds:F1} µs/point"));

    private static IEnumerable<string> Table(List<Row> rows)
    {
        yield return "Multi-label, in process (P@k, PSP@k with A = 0.55, B = 1.5; \"train x\" and \"predict x\" = seconds / the first row's of the data set, in the same run; published rows: the XMLRepository's numbers, not measured here).";
        yield return "";
        yield return "| data | method | P@1 | P@3 | P@5 | PSP@1 | PSP@3 | PSP@5 | train s | train x | predict µs/point | predict x | model bytes |";
        yield return "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
        static string F(double v, string format) => double.IsNaN(v) ? "—" : v.ToString(format, CultureInfo.InvariantCulture);
        foreach (var group in rows.GroupBy(r => r.Data))
        {
            var first = group.First();
            foreach (var r in group)
            {
                if (r.Metrics is null)
                {
                    var p = r.Published!;
                    yield return string.Create(CultureInfo.InvariantCulture, $"| {r.Data} | {r.Method} | {p[0]:F2} | {p[1]:F2} | {p[2]:F2} | — | — | — | — | — | — | — | — |");
                    continue;
                }
                var m = r.Metrics;
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Data} | {r.Method} | {m.P(1) * 100:F2} | {m.P(3) * 100:F2} | {m.P(5) * 100:F2} | {m.Psp(1) * 100:F2} | {m.Psp(3) * 100:F2} | {m.Psp(5) * 100:F2} | {F(r.TrainSeconds, "F2")} | {F(r.TrainSeconds / first.TrainSeconds, "F2")} | {r.PredictMicroseconds:F1} | {r.PredictMicroseconds / first.PredictMicroseconds:F3} | {r.ModelBytes:N0} |");
            }
        }
    }
}
