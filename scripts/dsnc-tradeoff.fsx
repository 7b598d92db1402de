// The accuracy-versus-code-length table of DSNC (Gerald, Baskiotis, Denoyer & Léon 2019), next to W-LTLS at equal
// bits, in F#: the same work and outputs as dsnc-tradeoff.csx. DSNC trained at code lengths m = 8, 16, 32, 64 and
// decoded by its learned decoder and by code lookup (Hamming and likelihood neighbour orders), W-LTLS at the slice
// widths whose number of edges is nearest to each m; test accuracy, prediction speed, neighbours probed,
// collisions. Writes dsnc-tradeoff.json (a run report) and dsnc-tradeoff.html (table and charts) into the folder
// given as first argument (default artifacts/; relative paths are taken from the repository root).
//
//   dotnet build src/XcNotebooks -c Release
//   dotnet fsi scripts/dsnc-tradeoff.fsx [OUTDIR]
//
// It runs on sector (PD-Sparse split) when ../shared/data has it. With XCN_FAST=1, or without sector, it runs on the
// embedded default with m = 8, 16, 32 and fewer epochs with XCN_FAST=1, and says so.
#load "ScriptSetup.fsx"

open ScriptSetup
open XcNotebooks.Methods.Dsnc
open XcNotebooks.Methods.Wltls
open XcNotebooks.Notebooks
open XcNotebooks.Reports
open XcNotebooks.Experiments
open XcNotebooks.Core

let chosen = sectorOrEmbedded ()
chosen.FallbackReason
|> Option.ofObj
|> Option.iter (fun reason -> printfn "%s%s" reason (if NotebookEnv.Fast then " 8, 16 and 32 bits, 8 DSNC and 2 W-LTLS epochs." else ""))
let data = chosen.Splits

let bits = if chosen.IsShared then [| 8; 16; 32; 64 |] else NotebookEnv.Pick(full = [| 8; 16; 32; 64 |], fast = [| 8; 16; 32 |])
let options = DsncOptions(Epochs = NotebookEnv.Pick(full = 20, fast = 8), Seed = 1)
let wltlsOptions = WltlsOptions(Epochs = NotebookEnv.Pick(full = 5, fast = 2), Seed = 1)
let rows = DsncTradeOff.Run(data, bits, options, wltlsOptions, TrainingMonitor.Console)
let report = DsncTradeOff.ToRunReport(rows, options, wltlsOptions, chosen.Files)

printfn "\n%O" (DsncTradeOff.ToTable(rows, $"DSNC and W-LTLS on {chosen.Name}"))

let page = DsncTradeOff.Report(rows, chosen.Name).AddSection(ReportSection("Run").Run(report))
writeOutputs "dsnc-tradeoff" report page
