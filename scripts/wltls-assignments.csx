// The codeword-to-class assignment experiment of Evron et al. (AISTATS 2023) on sector: W-LTLS at slice widths
// b = 2, 3, 5 with random and with similarity-preserving assignments (average-linkage tree of the class means), 5 seeds
// each; mean ± std of test accuracy and of the Eq. 5 score. Writes wltls-assignments.json (a run report) and
// wltls-assignments.html (table and charts, works offline) into the folder given as first argument (default
// artifacts/; relative paths are taken from the repository root).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/wltls-assignments.csx [OUTDIR]
//
// In fast mode (--fast), or when ../shared/data/sector is absent, it runs on the embedded default with fewer seeds
// and says so.
#r "nuget: XcNotebooks"
using System.IO;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Notebooks;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;

// The runner executes a script in its own folder (scripts/), so ".." is the repository root.
var outDir = Path.GetFullPath(Path.Combine("..", Args.Count > 0 ? Args[0] : "artifacts"));
var chosen = NotebookData.SectorOrEmbedded(heldoutPoints: 0, NotebookProgress.Monitor(steps: 2, log: false));
bool onSector = chosen.IsShared;
if (chosen.FallbackReason is { } reason) Console.WriteLine(reason + " Fewer seeds.");
var data = chosen.Splits;
string dataName = chosen.Name;
var files = chosen.Files;
Console.WriteLine($"{data.Train}\n{data.Test}");

var options = new AssignmentExperimentOptions { SliceWidths = [2, 3, 5], Seeds = onSector ? 5 : NotebookEnv.Pick(full: 3, fast: 2) };
var rows = WltlsAssignmentExperiment.Run(data, options, NotebookProgress.Monitor(steps: 5));
Console.WriteLine();
Console.WriteLine(WltlsAssignmentExperiment.ToMarkdown(rows));

var report = WltlsAssignmentExperiment.ToRunReport(rows, options, files);
string Width(AssignmentExperimentRow r) => $"b={r.SliceWidth} ({r.Edges} edges)";
var accuracy = rows.Select(r => new SpreadBar(Width(r), r.AssignmentName, r.TestAccuracy.Mean, r.TestAccuracy.StandardDeviation)).ToArray();
var scores = rows.Select(r => new SpreadBar(Width(r), r.AssignmentName, r.AssignmentScore.Mean, r.AssignmentScore.StandardDeviation)).ToArray();
var page = new HtmlReport($"W-LTLS codeword-to-class assignments on {dataName}")
{
    Introduction = $"Random against similarity-preserving codeword-to-class assignments (Evron et al., AISTATS 2023): W-LTLS with " +
        $"{options.Wltls.Learner.DisplayName} learners, {options.Wltls.Epochs} epochs, mean ± std over {options.Seeds} seeds " +
        $"(seeds {options.Wltls.Seed} to {options.Wltls.Seed + options.Seeds - 1}). The similarity assignment walks the average-linkage tree of " +
        "the training class means in pre-order; the Eq. 5 score (0 best, 4 worst) measures how far the codeword distances are from the class distances.",
}.AddSection(new ReportSection("Results")
    .Table(WltlsAssignmentExperiment.ToTable(rows, dataName))
    .Chart(Charts.SpreadBars(accuracy, "test accuracy, mean ± std over seeds", "slice width", "test accuracy (%)", zoom: true))
    .Chart(Charts.SpreadBars(scores, "Eq. 5 score of the assignment used (lower is better)", "slice width", "Eq. 5 score")))
  .AddSection(new ReportSection("Run").Run(report));

Directory.CreateDirectory(outDir);
report.Save(Path.Combine(outDir, "wltls-assignments.json"));
page.Save(Path.Combine(outDir, "wltls-assignments.html"));
Console.WriteLine($"Wrote {Path.Combine(outDir, "wltls-assignments.json")} and {Path.Combine(outDir, "wltls-assignments.html")}");
