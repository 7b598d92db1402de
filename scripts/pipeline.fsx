// The whole experiment pipeline from F#, on the embedded default: W-LTLS and one-vs-rest each run through
// `Experiment.Run` (train, predict the test split, evaluate, save the model, the run report and the predictions),
// then each model loaded back through `XcMethods.Load`, the test split predicted and evaluated again, and charts of
// both methods' metrics. It is written the way an F# user writes against the kit (no casts, no spans, no Nullable,
// no readOnlyDict): a test runs it, so friction in the public API shows up in CI. Writes pipeline-METHOD.json (run
// report), pipeline-METHOD.model, pipeline-METHOD.scores (predictions) and pipeline.html into the folder given as
// first argument (default artifacts/; relative paths are taken from the repository root), and prints one line
// `metric METHOD NAME VALUE` per metric of each loaded model (the test checks that they equal the run report's).
//
//   dotnet build src/XcNotebooks -c Release
//   dotnet fsi scripts/pipeline.fsx [OUTDIR]
#load "ScriptSetup.fsx"

open System.Globalization
open System.IO
open ScriptSetup
open XcNotebooks.Core
open XcNotebooks.Experiments
open XcNotebooks.Learners
open XcNotebooks.Methods.Wltls
open XcNotebooks.Metrics
open XcNotebooks.Plotting
open XcNotebooks.Reports
open XcNotebooks.Synthetic

let data = EmbeddedData.Default()
Directory.CreateDirectory(outputFolder) |> ignore
let pathOf (file: string) = Path.Combine(outputFolder, file)
let settingsOf (name: string) =
    ExperimentSettings(ModelPath = pathOf $"pipeline-{name}.model", ReportPath = pathOf $"pipeline-{name}.json",
                       PredictionsPath = pathOf $"pipeline-{name}.scores")

/// Train, predict the test split, evaluate, save: one method's run; its report.
let run (name: string) options =
    use result = Experiment.Run(name, data, options, settingsOf name)
    let report = result.Report
    printfn "%s: P@1 %.2f, %.2f s training, %d bytes" name report.Metrics.["P@1"] report.TrainSeconds report.ModelBytes
    report

/// The saved model of a run, loaded back by its file's method: its test metrics, printed one per line at full
/// precision, and the same predictions as the run saved.
let reload (name: string) =
    let settings = settingsOf name
    use model = XcMethods.Load(settings.ModelPath)
    let predictions = model.TopK(data.Test, settings.TopK)
    if predictions.Labels <> TopKPredictions.Load(settings.PredictionsPath).Labels then
        failwithf "%s: the loaded model predicts other labels than the run saved" name
    let evaluation = Experiment.Evaluate(data.Test.Labels, predictions, settings, data.Train.Labels)
    let metrics =
        [ if data.Train.Labels.IsMultiClass then yield "accuracy", 100.0 * XcMetrics.Accuracy(data.Test.Labels, predictions.Top1())
          for metric in evaluation.ToDictionary(ks = settings.Ks) do yield metric.Key, metric.Value ]
    for metric, value in metrics do
        printfn "metric %s %s %s" name metric (value.ToString("R", CultureInfo.InvariantCulture))
    evaluation

let reports =
    [ "wltls", run "wltls" (WltlsOptions(Epochs = 2, Seed = 1))
      "ovr", run "ovr" (OneVsRestOptions(Seed = 1)) ]
let evaluations = [ for name, _ in reports -> name, reload name ]

let page =
    HtmlReport("The experiment pipeline from F#", Introduction = "W-LTLS and one-vs-rest on the embedded default, reloaded from their files.")
        .AddSection(
            ReportSection("Results")
                .Chart(Charts.MetricsByK(evaluations, [ "P"; "nDCG" ], "Test metrics of the reloaded models"), "P@k and nDCG@k, k = 1..5.")
                .Chart(Charts.MetricBars([ for name, report in reports -> name, report.Metrics ], [ "P@1"; "P@5"; "PSP@5" ]),
                       "The run reports' metrics.")
                .Pairs([ for name, report in reports -> name, report.ModelBytes ], "Model bytes"))
        .AddSection(reports |> List.fold (fun (section: ReportSection) (_, report) -> section.Run(report)) (ReportSection("Runs")))
page.Save(pathOf "pipeline.html")
printfn "Wrote %s" outputFolder
