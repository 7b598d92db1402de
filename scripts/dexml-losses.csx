// DEXML's loss comparison (Gupta et al., ICLR 2024): the same dual encoder trained with Softmax (InfoNCE),
// DecoupledSoftmax and SoftTop-k (K = 5), every label in the loss through gradient caching, on CLINC150. Reports
// P@1/3/5, nDCG@5, R@10 and PSP@5 on the test split, per-epoch training losses and times. Writes dexml-losses.json
// (a run report per loss, the comparison in its details) and dexml-losses.html (table and charts, works offline)
// into the folder given as first argument (default artifacts/; relative paths are taken from the repository root).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/dexml-losses.csx [OUTDIR]
//
// In fast mode (--fast), or without ../shared/data/clinc150, it runs on the embedded default (64 synthetic classes with
// synthetic texts) for 10 epochs instead of 30, and says so.
#r "nuget: XcNotebooks"
using System.IO;
using XcNotebooks.Compute;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Notebooks;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

// The runner executes a script in its own folder (scripts/), so ".." is the repository root.
var outDir = Path.GetFullPath(Path.Combine("..", Args.Count > 0 ? Args[0] : "artifacts"));
var chosen = NotebookData.Clinc150OrEmbedded(heldoutPoints: 0);
if (chosen.FallbackReason is { } reason) Console.WriteLine(reason);
var data = chosen.Splits with { Heldout = null };

// DexmlOptions' defaults: bag-of-embeddings encoder (d 256), tau 0.05, batch 256, AdamW lr 2e-3 with 10% warm-up,
// every label in the loss (gradient caching, 1,024 labels per chunk), one sampled positive per query.
var options = new DexmlOptions { Epochs = NotebookEnv.Pick(full: 30, fast: 10), Backend = BackendKind.Cpu };
var comparison = Dexml.Compare(data, options, new TrainingMonitor { Log = line => { if (!line.StartsWith("Epoch")) Console.WriteLine("  " + line); } });
Console.WriteLine();
Console.WriteLine($"DEXML losses on {chosen.Name}, {options.Epochs} epochs:");
Console.WriteLine(comparison);

var report = new RunReport
{
    Method = "dexml",
    DatasetFiles = chosen.Files,
    Options = options,
    Metrics = comparison.Rows.First(r => r.Loss == DexmlLoss.DecoupledSoftmax).Metrics.ToDictionary(ks: [1, 3, 5, 10]),
    TrainSeconds = comparison.Rows.Sum(r => r.TrainSeconds),
    PredictSeconds = comparison.Rows.Sum(r => r.PredictSeconds),
    Details = new Dictionary<string, object?>
    {
        ["comparison"] = comparison.Rows.Select(r => new Dictionary<string, object>
        {
            ["loss"] = r.Loss.ToString(),
            ["metrics"] = r.Metrics.ToDictionary(ks: [1, 3, 5, 10]),
            ["trainSeconds"] = r.TrainSeconds,
            ["predictSeconds"] = r.PredictSeconds,
            ["epochLoss"] = r.History.Select(e => e.Loss).ToArray(),
        }).ToArray(),
    },
};

string note = chosen.IsShared
    ? " CLINC150 is multi-class: with one positive per query DecoupledSoftmax and Softmax are the same loss (identical runs with the same seed)."
    : " This run is on the embedded default, not on CLINC150.";
var page = new HtmlReport($"DEXML losses on {chosen.Name}")
{
    Introduction = $"Softmax vs DecoupledSoftmax vs SoftTop-k (K = {options.SoftTopk.K}), a bag-of-embeddings dual encoder (d = {options.BagOfEmbeddings.Dimension}) " +
        $"trained from scratch for {options.Epochs} epochs with every label in the loss (gradient caching), seed {options.Seed}. " +
        "Metrics in percent on the test split; the headline metrics of the JSON report are DecoupledSoftmax's." + note,
}
    .AddSection(new ReportSection("Test metrics").Table(comparison.ToTable()))
    .AddSection(new ReportSection("Charts")
        .Chart(Charts.OverEpochs(comparison.LossCurves(), "training loss per epoch", "mean loss", logY: true))
        .Chart(Charts.MetricsByK(comparison.MetricsByLoss(), ["P", "R"], "P@k and recall@k")));

Directory.CreateDirectory(outDir);
report.Save(Path.Combine(outDir, "dexml-losses.json"));
page.Save(Path.Combine(outDir, "dexml-losses.html"));
Console.WriteLine($"Wrote {Path.Combine(outDir, "dexml-losses.json")} and {Path.Combine(outDir, "dexml-losses.html")}");
