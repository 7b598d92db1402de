// The ablation of DEXA (Dahiya et al., "Deep Encoders with Auxiliary Parameters for Extreme Classification", KDD
// 2023) on CLINC150: the encoder alone (NGAME's M1, ranked by label embeddings), with auxiliary vectors (DEXA's M1),
// with one-vs-all classifiers and fused scores (M-IV), and the classifiers' own scores; test P@k, nDCG@k, PSP@k and
// training seconds per stage, as benchmarks/results/dexa-cpu.md has them for one seed. Writes dexa-ablation.json (a
// run report) and dexa-ablation.html (table and chart, works offline) into the folder given as first argument
// (default artifacts/; relative paths are taken from the repository root).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/dexa-ablation.csx [OUTDIR]
//
// In fast mode (--fast), or when ../shared/data/clinc150 is absent, it runs on the embedded default (64 synthetic
// classes with generated texts), with 12 + 12 epochs in fast mode, and says so.
#r "nuget: XcNotebooks"
using System.IO;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Notebooks;
using XcNotebooks.Reports;
using XcNotebooks.Core;

// The runner executes a script in its own folder (scripts/), so ".." is the repository root.
var outDir = Path.GetFullPath(Path.Combine("..", Args.Count > 0 ? Args[0] : "artifacts"));
var chosen = NotebookData.Clinc150OrEmbedded(heldoutPoints: 400, NotebookProgress.Monitor(steps: 2, log: false));
if (chosen.FallbackReason is { } reason) Console.WriteLine(reason + (NotebookEnv.Fast ? " 12 encoder and 12 classifier epochs." : ""));
var data = chosen.Splits;
foreach (var split in data.All) Console.WriteLine(split);

// DEXA's defaults: words, bag of embeddings d = 256, M1 40 epochs, M-IV 30 epochs, shortlist 100, tree fusion.
var options = new DexaOptions { EncoderEpochs = NotebookEnv.Pick(full: 40, fast: 12), ClassifierEpochs = NotebookEnv.Pick(full: 30, fast: 12), Seed = 0 };
var ablation = Dexa.Ablation(data, options, new TrainingMonitor { Log = line => { if (!line.StartsWith("Epoch")) Console.WriteLine(line); } });
var report = ablation.ToRunReport(options, chosen.Files);
Console.WriteLine();
Console.WriteLine(ablation);

string reference = chosen.IsShared
    ? " The kit's benchmark (benchmarks/results/dexa-cpu.md, means of seeds 0-2) found P@1 90.40 (encoder only), 91.02 (+ auxiliary vectors), " +
      "91.24 (+ classifiers, fused) and 91.32 (classifiers alone), against 90.31 for TF-IDF one-vs-rest."
    : " This run is on the embedded default, not on CLINC150: its figures are not the benchmark's.";
var page = new HtmlReport($"DEXA ablation on {chosen.Name}")
{
    Introduction = $"DEXA (Dahiya et al., KDD 2023) with a bag-of-embeddings encoder (d = {options.BagOfEmbeddings.Dimension}), {options.EncoderEpochs} M1 and " +
        $"{options.ClassifierEpochs} M-IV epochs, seed {options.Seed}; each stage evaluated on the test split (P@k, nDCG@k, PSP@k with " +
        $"A = {options.PropensityA}, B = {options.PropensityB}), training seconds cumulative within a model." + reference,
}.AddSection(new ReportSection("Results")
    .Table(ablation.ToTable($"DEXA ablation on {chosen.Name}"))
    .Chart(ablation.PrecisionChart($"DEXA ablation on {chosen.Name}: P@k per stage")))
  .AddSection(new ReportSection("Run").Run(report));

Directory.CreateDirectory(outDir);
report.Save(Path.Combine(outDir, "dexa-ablation.json"));
page.Save(Path.Combine(outDir, "dexa-ablation.html"));
Console.WriteLine($"Wrote {Path.Combine(outDir, "dexa-ablation.json")} and {Path.Combine(outDir, "dexa-ablation.html")}");
