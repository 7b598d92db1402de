// The slice-width sweep of Evron, Moroshko & Crammer (NeurIPS 2018) on sector, in F#: the same work and outputs as
// wltls-slice-widths.csx. W-LTLS at b = 2, 4, 5, 8, 16, 32 and one-vs-rest (the limit of a graph as wide as the
// number of classes), all with AROW learners, 5 epochs and the same seed; test accuracy, model size and prediction
// time. Writes wltls-slice-widths.json (a run report) and wltls-slice-widths.html (the table and the accuracy/size
// and accuracy/time trade-off charts) into the folder given as first argument (default artifacts/; relative paths
// are taken from the repository root).
//
//   dotnet build src/XcNotebooks -c Release
//   dotnet fsi scripts/wltls-slice-widths.fsx [OUTDIR]
//
// With XCN_FAST=1, or when ../shared/data/sector is absent, it runs on the embedded default with fewer widths (and
// 2 epochs with XCN_FAST=1), and says so.
#load "ScriptSetup.fsx"

open ScriptSetup
open XcNotebooks.Methods.Wltls
open XcNotebooks.Notebooks
open XcNotebooks.Reports
open XcNotebooks.Core

let chosen = sectorOrEmbedded ()
let widths : int list = if chosen.IsShared then List.ofSeq WltlsSweep.DefaultSliceWidths else [ 2; 5; 16 ]
chosen.FallbackReason
|> Option.ofObj
|> Option.iter (fun reason ->
    let widthList = widths |> List.map string |> String.concat ", "
    printfn "%s Slice widths %s only%s." reason widthList (if NotebookEnv.Fast then ", 2 epochs instead of 5" else ""))
let data = chosen.Splits
for split in data.All do printfn "%O" split

let options = WltlsOptions(Epochs = NotebookEnv.Pick(full = 5, fast = 2))
let rows = WltlsSweep.Run(data, widths, options, includeOneVsRest = true, monitor = TrainingMonitor.Console)
let table = WltlsSweep.ToTable(rows, $"slice widths on {chosen.Name}")
printfn "\n%O" table

let report = WltlsSweep.ToRunReport(rows, options, chosen.Files)
let reference =
    if chosen.IsShared then
        " The paper's code on the same split: b = 2 28 edges, 5.9 MB, 91.5%; b = 5 55 edges, 11.6 MB, 94.0-94.2%; b = 32 140 edges, 29.5 MB, "
        + "95.5%; a one-vs-rest linear SVM about 95.2%."
    else " This run is on the embedded default, not on sector: its figures are not the paper's."
let page =
    HtmlReport(
        $"W-LTLS slice widths on {chosen.Name}",
        Introduction =
            "Wider trellis graphs have more edges (binary learners): a bigger, slower model that decodes more accurately, up to "
            + $"one-vs-rest. W-LTLS with {options.Learner.DisplayName} learners, {options.Epochs} epochs, seed {options.Seed}; prediction times "
            + $"are per test point, batch prediction in parallel, best of 3 (they vary with the machine's load).{reference}")
        .AddSection(
            ReportSection("Results")
                .Table(table)
                .Chart(WltlsSweep.TradeOffChart(rows))
                .Chart(WltlsSweep.TradeOffChart(rows, SweepCost.PredictionTime)))
        .AddSection(ReportSection("Run").Run(report))

writeOutputs "wltls-slice-widths" report page
