// What the F# scripts in this folder share, loaded with `#load "ScriptSetup.fsx"` (its values then come with
// `open ScriptSetup`): the kit, the working folder, the data of the sector experiments and the output folder.
#r "../src/XcNotebooks/bin/Release/net10.0/XcNotebooks.dll"

open System
open System.IO
open XcNotebooks.Notebooks
open XcNotebooks.Reports
open XcNotebooks.Core

// Run from the scripts folder, as `xcn run` runs the .csx: the shared data are found from there, ".." is the
// repository root.
Environment.CurrentDirectory <- __SOURCE_DIRECTORY__

/// The folder the script writes into: its first argument, or artifacts/, relative to the repository root. Read from
/// the process's command line, the argument after the .fsx, so that it works under `dotnet fsi scripts/X.fsx OUTDIR`
/// and `xcn run scripts/X.fsx OUTDIR` alike (`fsi` exists only in the first, `Args` only in the second).
let outputFolder =
    let commandLine = Environment.GetCommandLineArgs()
    let requested =
        commandLine
        |> Array.tryFindIndex (fun a -> a.EndsWith(".fsx", StringComparison.OrdinalIgnoreCase))
        |> Option.bind (fun script -> Array.tryItem (script + 1) commandLine)
        |> Option.filter (fun a -> not (a.StartsWith "-"))
        |> Option.defaultValue "artifacts"
    Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", requested))

/// Sector (PD-Sparse split, 400 heldout points) when ../shared/data has it and XCN_FAST is off, else the embedded
/// default; its `FallbackReason` says which and why.
let sectorOrEmbedded () =
    NotebookData.SectorOrEmbedded(heldoutPoints = 400, monitor = NotebookProgress.Monitor(steps = 2, log = false))

/// Writes NAME.json (the run report) and NAME.html (the page) into the output folder, and says so.
let writeOutputs (name: string) (report: RunReport) (page: HtmlReport) =
    Directory.CreateDirectory(outputFolder) |> ignore
    let json, html = Path.Combine(outputFolder, name + ".json"), Path.Combine(outputFolder, name + ".html")
    report.Save(json)
    page.Save(html)
    printfn "Wrote %s and %s" json html
