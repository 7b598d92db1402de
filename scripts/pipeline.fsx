// The whole experiment pipeline from F#, on the embedded default: W-LTLS and one-vs-rest each trained, their test
// split predicted and evaluated, the run report and the model saved; then each model loaded back from its file,
// the test split predicted and evaluated again, and a chart of both methods' metrics. It is written the way an F#
// user writes against the kit (no casts, no spans, no Nullable, no readOnlyDict): a test runs it, so friction in
// the public API shows up in CI. Writes pipeline-METHOD.json (run report), pipeline-METHOD.model and pipeline.html
// into the folder given as first argument (default artifacts/; relative paths are taken from the repository root),
// and prints one line `metric METHOD NAME VALUE` per metric of each loaded model (the test checks that they equal
// the training run's report).
//
//   dotnet build src/XcNotebooks -c Release
//   dotnet fsi scripts/pipeline.fsx [OUTDIR]
#load "ScriptSetup.fsx"

open System.Diagnostics
open System.Globalization
open System.IO
open ScriptSetup
open XcNotebooks.Core
open XcNotebooks.Learners
open XcNotebooks.Methods.Wltls
open XcNotebooks.Metrics
open XcNotebooks.Plotting
open XcNotebooks.Reports
open XcNotebooks.Synthetic

let data = EmbeddedData.Default()
let topK = 5
let inversePropensity = Propensity.Inverse(data.Train.Labels)
let evaluate (predictions: TopKPredictions) =
    XcMetrics.Evaluate(data.Test.Labels, predictions, topK, inversePropensity).ToDictionary()

Directory.CreateDirectory(outputFolder) |> ignore
let pathOf (file: string) = Path.Combine(outputFolder, file)

/// Train, predict the test split, evaluate, save the model and the run report: one method's run.
let run (name: string) (options: obj) (train: unit -> #IXcModel) =
    let clock = Stopwatch.StartNew()
    let model = train ()
    let trainSeconds = clock.Elapsed.TotalSeconds
    clock.Restart()
    let predictions = model.TopK(data.Test, topK)
    let report =
        RunReport(Method = name, Options = options, Metrics = evaluate predictions, TrainSeconds = trainSeconds,
                  PredictSeconds = clock.Elapsed.TotalSeconds)
    model.Save(pathOf $"pipeline-{name}.model")
    report.Save(pathOf $"pipeline-{name}.json")
    report

/// The saved model of a run, loaded back: its test metrics, printed one per line at full precision.
let reload (name: string) (load: string -> #IXcModel) =
    let model = load (pathOf $"pipeline-{name}.model")
    let metrics = evaluate (model.TopK(data.Test, topK))
    for metric in metrics do
        printfn "metric %s %s %s" name metric.Key (metric.Value.ToString("R", CultureInfo.InvariantCulture))
    metrics

let wltlsOptions = WltlsOptions(Epochs = 2, Seed = 1)
let ovrOptions = OneVsRestOptions(Seed = 1)
let reports =
    [ "wltls", run "wltls" wltlsOptions (fun () -> Wltls.Train(data.Train, data.Heldout, wltlsOptions))
      "ovr", run "ovr" ovrOptions (fun () -> OneVsRestLinear.Train(data.Train, ovrOptions)) ]
let reloaded =
    [ "wltls", reload "wltls" WltlsModel.Load
      "ovr", reload "ovr" OneVsRestLinear.Load ]

let chart = Charts.MetricBars([ for name, metrics in reloaded -> name, metrics ], [ "P@1"; "P@3"; "P@5"; "nDCG@5"; "PSP@5" ],
                              "Test metrics of the reloaded models on the embedded default")
let page =
    HtmlReport("The experiment pipeline from F#", Introduction = "W-LTLS and one-vs-rest on the embedded default, reloaded from their files.")
        .AddSection(ReportSection("Results").Chart(chart, "Metrics of each model loaded back from its file."))
        .AddSection(reports |> List.fold (fun (section: ReportSection) (_, report) -> section.Run(report)) (ReportSection("Runs")))
page.Save(pathOf "pipeline.html")
printfn "Wrote %s" outputFolder
