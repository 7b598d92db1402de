// The slice-width sweep of Evron, Moroshko & Crammer (NeurIPS 2018) on sector: W-LTLS at b = 2, 4, 5, 8, 16, 32 and
// one-vs-rest (the limit of a graph as wide as the number of classes), all with AROW learners, 5 epochs and the same
// seed; test accuracy, model size and prediction time. Writes wltls-slice-widths.json (a run report) and
// wltls-slice-widths.html (the table and the accuracy/size and accuracy/time trade-off charts, works offline) into
// the folder given as first argument (default artifacts/; relative paths are taken from the repository root).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/wltls-slice-widths.csx [OUTDIR]
//
// In fast mode (--fast), or when ../shared/data/sector is absent, it runs on the embedded default with fewer widths
// (and 2 epochs in fast mode), and says so.
#r "nuget: XcNotebooks"
using System.IO;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Notebooks;
using XcNotebooks.Reports;
using XcNotebooks.Core;

// The runner executes a script in its own folder (scripts/), so ".." is the repository root.
var outDir = Path.GetFullPath(Path.Combine("..", Args.Count > 0 ? Args[0] : "artifacts"));
var chosen = NotebookData.SectorOrEmbedded(heldoutPoints: 400, NotebookProgress.Monitor(steps: 2, log: false));
IReadOnlyList<int> widths = chosen.IsShared ? WltlsSweep.DefaultSliceWidths : [2, 5, 16];
if (chosen.FallbackReason is { } reason)
    Console.WriteLine($"{reason} Slice widths {string.Join(", ", widths)} only{(NotebookEnv.Fast ? ", 2 epochs instead of 5" : "")}.");
var data = chosen.Splits;
foreach (var split in data.All) Console.WriteLine(split);

var options = new WltlsOptions { Epochs = NotebookEnv.Pick(full: 5, fast: 2) };
var rows = WltlsSweep.Run(data, widths, options, includeOneVsRest: true, TrainingMonitor.Console);
var table = WltlsSweep.ToTable(rows, $"slice widths on {chosen.Name}");
Console.WriteLine();
Console.WriteLine(table);

var report = WltlsSweep.ToRunReport(rows, options, chosen.Files);
string reference = chosen.IsShared
    ? " The paper's code on the same split: b = 2 28 edges, 5.9 MB, 91.5%; b = 5 55 edges, 11.6 MB, 94.0-94.2%; b = 32 140 edges, 29.5 MB, " +
      "95.5%; a one-vs-rest linear SVM about 95.2%."
    : " This run is on the embedded default, not on sector: its figures are not the paper's.";
var page = new HtmlReport($"W-LTLS slice widths on {chosen.Name}")
{
    Introduction = $"Wider trellis graphs have more edges (binary learners): a bigger, slower model that decodes more accurately, up to " +
        $"one-vs-rest. W-LTLS with {options.Learner.DisplayName} learners, {options.Epochs} epochs, seed {options.Seed}; prediction times " +
        $"are per test point, batch prediction in parallel, best of 3 (they vary with the machine's load).{reference}",
}.AddSection(new ReportSection("Results")
    .Table(table)
    .Chart(WltlsSweep.TradeOffChart(rows))
    .Chart(WltlsSweep.TradeOffChart(rows, SweepCost.PredictionTime)))
  .AddSection(new ReportSection("Run").Run(report));

Directory.CreateDirectory(outDir);
report.Save(Path.Combine(outDir, "wltls-slice-widths.json"));
page.Save(Path.Combine(outDir, "wltls-slice-widths.html"));
Console.WriteLine($"Wrote {Path.Combine(outDir, "wltls-slice-widths.json")} and {Path.Combine(outDir, "wltls-slice-widths.html")}");
