// The accuracy-versus-code-length table of DSNC (Gerald, Baskiotis, Denoyer & Léon 2019), next to W-LTLS at equal
// bits: DSNC trained at code lengths m = 8, 16, 32, 64 and decoded by its learned decoder and by code lookup
// (Hamming and likelihood neighbour orders), W-LTLS at the slice widths whose number of edges is nearest to each m;
// test accuracy, prediction speed, neighbours probed, collisions. Writes dsnc-tradeoff.json (a run report) and
// dsnc-tradeoff.html (table and charts, works offline) into the folder given as first argument (default artifacts/;
// relative paths are taken from the repository root).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/dsnc-tradeoff.csx [OUTDIR]
//
// It runs on sector (PD-Sparse split) when ../shared/data has it. In fast mode (--fast), or without sector, it runs
// on the embedded default with m = 8, 16, 32 and fewer epochs in fast mode, and says so.
#r "nuget: XcNotebooks"
using System.IO;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Notebooks;
using XcNotebooks.Reports;
using XcNotebooks.Experiments;
using XcNotebooks.Core;

// The runner executes a script in its own folder (scripts/), so ".." is the repository root.
var outDir = Path.GetFullPath(Path.Combine("..", Args.Count > 0 ? Args[0] : "artifacts"));
var chosen = NotebookData.SectorOrEmbedded(heldoutPoints: 400, NotebookProgress.Monitor(steps: 2, log: false));
if (chosen.FallbackReason is { } reason) Console.WriteLine(reason + (NotebookEnv.Fast ? " 8, 16 and 32 bits, 8 DSNC and 2 W-LTLS epochs." : ""));
var data = chosen.Splits;

int[] bits = chosen.IsShared ? [8, 16, 32, 64] : NotebookEnv.Pick<int[]>(full: [8, 16, 32, 64], fast: [8, 16, 32]);
var options = new DsncOptions { Epochs = NotebookEnv.Pick(full: 20, fast: 8), Seed = 1 };
var wltlsOptions = new WltlsOptions { Epochs = NotebookEnv.Pick(full: 5, fast: 2), Seed = 1 };
var rows = DsncTradeOff.Run(data, bits, options, wltlsOptions, TrainingMonitor.Console);
var report = DsncTradeOff.ToRunReport(rows, options, wltlsOptions, chosen.Files);

Console.WriteLine();
Console.WriteLine(DsncTradeOff.ToTable(rows, $"DSNC and W-LTLS on {chosen.Name}"));

var page = DsncTradeOff.Report(rows, chosen.Name).AddSection(new ReportSection("Run").Run(report));
Directory.CreateDirectory(outDir);
report.Save(Path.Combine(outDir, "dsnc-tradeoff.json"));
page.Save(Path.Combine(outDir, "dsnc-tradeoff.html"));
Console.WriteLine($"Wrote {Path.Combine(outDir, "dsnc-tradeoff.json")} and {Path.Combine(outDir, "dsnc-tradeoff.html")}");
