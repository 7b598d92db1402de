using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// DEXML's loss comparison (Softmax vs DecoupledSoftmax vs SoftTop-k, every label in the loss through gradient
/// caching) on Reuters-21578 ModApte (multi-label: 90 topics) and CLINC150 (multi-class: 150 intents), test metrics
/// P@1/3/5, nDCG@5, R@10, PSP@5 and training time, with DEXA's rows of benchmarks/results/dexa-cpu.md beside them
/// (same splits, same encoder family; DEXA did not report R@10). Sized for about ten minutes on one core.
/// --negatives AllLabels,InBatch,HardMined trains each label pool (the rows of the other pools are marked), --losses
/// picks the losses (default all three), --no-dexa leaves DEXA's rows out.
/// Usage: dexml [shared/data folder] [--backend auto|cpu|ilgpu] [--epochs N] [--seeds N] [--only reuters|clinc]
///              [--losses softmax,decoupledsoftmax,softtopk] [--negatives alllabels,inbatch,hardmined] [--dexa FILE.md | --no-dexa] [--out FILE.md]
/// </summary>
internal static class DexmlBenchmark
{
    private sealed record Row(string Data, string Method, MetricReport? Metrics, double TrainSeconds, string? Quoted = null, double P1Spread = 0);

    public static int Run(string[] args)
    {
        string? shared = null, only = null, output = null, dexa = null;
        var backend = BackendKind.Auto;
        int epochs = 30, seeds = 1;
        bool quoteDexa = true;
        IReadOnlyList<DexmlLoss>? losses = null;
        IReadOnlyList<DexmlNegatives> pools = [DexmlNegatives.AllLabels];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--backend": backend = Enum.Parse<BackendKind>(args[++i], ignoreCase: true); break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i].ToLowerInvariant(); break;
                case "--seeds": seeds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--dexa": dexa = args[++i]; break;
                case "--no-dexa": quoteDexa = false; break;
                case "--losses": losses = args[++i].Split(',').Select(l => Enum.Parse<DexmlLoss>(l, ignoreCase: true)).ToArray(); break;
                case "--negatives": pools = args[++i].Split(',').Select(n => Enum.Parse<DexmlNegatives>(n, ignoreCase: true)).ToArray(); break;
                case "--out": output = args[++i]; break;
                default: shared = args[i]; break;
            }
        }
        shared ??= DexaBenchmark.FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("dexml needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        dexa = quoteDexa ? dexa ?? FindDexaResults() : null;
        var options = new DexmlOptions { Backend = backend, Epochs = epochs };
        var rows = new List<Row>();
        var sets = new List<(string Name, Func<DataSplits> Load)>
        {
            ("Reuters-21578", () => TextDatasets.Reuters21578(Path.Combine(shared, "reuters21578"))),
            ("CLINC150", () => TextDatasets.Clinc150(Path.Combine(shared, "clinc150"))),
        };
        var log = new TrainingMonitor { Log = line => Console.WriteLine("  " + line) };
        foreach (var (name, load) in sets)
        {
            if (only is not null && !name.StartsWith(only, StringComparison.OrdinalIgnoreCase)) continue;
            var data = load();
            Console.WriteLine($"== {name}: {data.Train}; test {data.Test.NumPoints:N0} points");
            foreach (var pool in pools)
            {
                var runs = Enumerable.Range(0, seeds).Select(seed => Dexml.Compare(data with { Heldout = null }, options with { Seed = seed, Negatives = pool }, log, losses: losses)).ToArray();
                foreach (var run in runs) Console.WriteLine(run);
                string suffix = pool switch { DexmlNegatives.InBatch => " (in-batch pool)", DexmlNegatives.HardMined => " (hard-mined pool)", _ => "" };
                for (int r = 0; r < runs[0].Rows.Count; r++)
                {
                    var (mean, spread) = DexaBenchmark.MeanMetrics(runs.Select(c => c.Rows[r].Metrics).ToArray());
                    rows.Add(new Row(name, $"DEXML {runs[0].Rows[r].Loss}{suffix}", mean, runs.Average(c => c.Rows[r].TrainSeconds), P1Spread: spread));
                }
            }
            if (dexa is not null) rows.AddRange(DexaRows(dexa, name));
        }
        var table = Table(rows, options, dexa, seeds);
        Console.WriteLine();
        Console.WriteLine(table);
        if (output is not null) File.WriteAllText(output, table);
        return 0;
    }

    /// <summary>benchmarks/results/dexa-cpu.md, looked for upwards from the program.</summary>
    private static string? FindDexaResults()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "results", "dexa-cpu.md");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>DEXA's rows for <paramref name="data"/> from the dexa benchmark's table: P@1 (mean ± sd), P@3, P@5 and nDCG@5 as printed there.</summary>
    private static IEnumerable<Row> DexaRows(string file, string data)
    {
        foreach (var line in File.ReadLines(file))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            // | data | method | P@1 | P@3 | P@5 | nDCG@3 | nDCG@5 | PSP@1 | PSP@3 | PSP@5 | train s | x OvR | predict s |
            if (cells.Length < 14 || cells[1] != data || !cells[2].StartsWith("DEXA", StringComparison.Ordinal)) continue;
            yield return new Row(data, cells[2] + " (dexa-cpu.md)", null, double.Parse(cells[11], CultureInfo.InvariantCulture),
                $"| {cells[3]} | {cells[4]} | {cells[5]} | {cells[7]} | – | {cells[10]} |");
        }
    }

    private static string Table(IReadOnlyList<Row> rows, DexmlOptions options, string? dexa, int seeds)
    {
        var header = FormattableString.Invariant(
            $"DEXML options: bag of embeddings d={options.BagOfEmbeddings.Dimension}, {options.Epochs} epochs (batch {options.BatchSize}, AdamW lr {options.LearningRate}, ")
            + FormattableString.Invariant(
            $"{options.WarmupFraction * 100:F0}% warm-up), tau {options.Temperature}, every label in the loss (gradient caching, {options.GradientCacheChunk} labels per chunk) unless a row names its pool ")
            + FormattableString.Invariant(
            $"(in-batch: the batch's sampled positives; hard-mined: in-batch until epoch {options.HardNegativeStart}, then also {options.HardNegativesPerPoint} label(s) per point drawn from its {options.HardNegativeShortlist} nearest wrong labels, refreshed every {options.HardNegativeRefresh} epochs), ")
            + FormattableString.Invariant(
            $"one sampled positive per query (SoftTop-k: up to K = {options.SoftTopk.K}, alpha {options.SoftTopk.Alpha}), backend {options.Backend}, ")
            + (seeds > 1 ? FormattableString.Invariant($"means over seeds 0..{seeds - 1} (± the standard deviation of P@1). ") : "seed 0. ")
            + "Metrics on the test split, PSP with A = 0.55, B = 1.5; train time includes tokenization."
            + (dexa is null ? "" : $" DEXA rows are quoted from {Path.GetFileName(dexa)} (means over 3 seeds; no R@10 there).");
        var lines = new List<string>
        {
            header,
            "",
            "| data | method | P@1 | P@3 | P@5 | nDCG@5 | R@10 | PSP@5 | train s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var r in rows)
        {
            if (r.Metrics is { } m)
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Data} | {r.Method} | {m.P(1) * 100:F2}{(r.P1Spread > 0 ? $" ± {r.P1Spread * 100:F2}" : "")} | {m.P(3) * 100:F2} | {m.P(5) * 100:F2} | {m.NdcgAt(5) * 100:F2} | {m.Recall[9] * 100:F2} | {m.Psp(5) * 100:F2} | {r.TrainSeconds:F1} |"));
            else lines.Add(string.Create(CultureInfo.InvariantCulture, $"| {r.Data} | {r.Method} {r.Quoted} {r.TrainSeconds:F1} |"));
        }
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
