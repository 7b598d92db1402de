// What the F# scripts in this folder share, loaded with `#load "ScriptSetup.fsx"` (its values then come with
// `open ScriptSetup`): the kit, the working folder and the output folder.
#r "../src/XcNotebooks/bin/Release/net10.0/XcNotebooks.dll"

open System
open System.IO

// Run from the scripts folder, as `xcn run` runs the .csx: the shared data are found from there, ".." is the
// repository root.
Environment.CurrentDirectory <- __SOURCE_DIRECTORY__

/// The folder the script writes into: its first argument, or artifacts/, relative to the repository root.
let outputFolder =
    let requested = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "artifacts"
    Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", requested))
