using System.Globalization;
using XcNotebooks.Data.Formats;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using XcNotebooks.Experiments;
using XcNotebooks.Methods.NeuralXc;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// The NeuralXC issue's table: popularity, 10-NN, one-vs-rest, NeuralXC (the authors' report settings, with a
/// linear regressor output, and with linear codes and no weight decay) and HierarchicalXC (raw features, and a 100-wide linear autoencoder) on bibtex and enron,
/// test P@k / nDCG@k / PSP@k with training and test times (training times also as ratios to one-vs-rest's, measured in
/// the same run). Writes the Markdown table and the NeuralXC training curves (HTML, plotly.js from the CDN).
/// Usage: autoencoders [DATA_DIR (default: shared/data above the working directory)] [OUT_DIR (default: benchmarks/results)].
/// </summary>
internal static class AutoencoderComparison
{
    public static int Run(string[] args)
    {
        var dataDir = args.Length > 0 ? args[0] : FindShared() ?? throw new ArgumentException("no shared/data folder found; pass DATA_DIR");
        var outDir = args.Length > 1 ? args[1] : Path.Combine("benchmarks", "results");
        Directory.CreateDirectory(outDir);
        var monitor = new TrainingMonitor { Log = Console.WriteLine };
        var options = MethodComparisonOptions.AutoencoderTable(linearCodesEpochs: 20);
        var rows = new List<ComparisonRow>();
        var curves = new HtmlReport("NeuralXC training curves (bibtex, enron)");
        foreach (var name in new[] { "bibtex", "enron" })
        {
            var splits = DatasetReader.ReadSplits(Path.Combine(dataDir, name, $"{name}_train.txt"), null, Path.Combine(dataDir, name, $"{name}_test.txt"));
            Console.WriteLine(string.Join("; ", splits.All.Select(d => d.ToString())));
            var result = MethodComparison.Run(splits, options, monitor);
            rows.AddRange(result);
            foreach (var row in result.Where(r => r.History is { Count: > 0 }))
                curves = curves.AddSection($"{name}: {row.Method}",
                    ReportBlock.Chart(AutoencoderCharts.NeuralXcLosses(row.History!, $"{name}: {row.Method}: losses")),
                    ReportBlock.Chart(AutoencoderCharts.NeuralXcPrecision(row.History!, title: $"{name}: {row.Method}: train P@k")));
        }
        var markdown = MethodComparison.ToMarkdown(rows);
        var ratios = string.Join(Environment.NewLine, rows.GroupBy(r => r.Dataset).SelectMany(g =>
        {
            var ovr = g.First(r => r.Method.StartsWith("one-vs-rest", StringComparison.Ordinal)).TrainSeconds;
            return g.Select(r => string.Create(CultureInfo.InvariantCulture, $"- {g.Key}, {r.Method}: training {r.TrainSeconds / ovr:F1}x one-vs-rest's"));
        }));
        Console.WriteLine(markdown);
        Console.WriteLine(ratios);
        File.WriteAllText(Path.Combine(outDir, "autoencoders-table.md"), markdown + Environment.NewLine + ratios + Environment.NewLine);
        curves.Save(Path.Combine(outDir, "neuralxc-training-curves.html"), PlotlyJsMode.Cdn);
        return 0;
    }

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
