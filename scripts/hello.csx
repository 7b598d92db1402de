// A script the runner executes like a one-cell notebook: xcn run scripts/hello.csx [NAME]
#r "nuget: XcNotebooks"
using XcNotebooks;
using XcNotebooks.Data;
using XcNotebooks.Metrics;
using XcNotebooks.Notebooks;
using XcNotebooks.Core;

var name = Args.Count > 0 ? Args[0] : "world";
Console.WriteLine($"Hello, {name}: XcNotebooks {Kit.Version}{(NotebookEnv.Fast ? " (fast mode)" : "")}");

// Four points of three classes, one of them predicted wrong.
var truth = LabelMatrix.FromClasses(new[] { 0, 1, 2, 1 }, 3);
var predicted = TopKPredictions.FromClasses(new[] { 0, 1, 1, 1 });
Console.WriteLine($"accuracy {100 * XcMetrics.Accuracy(truth, predicted.Top1()):F0}%");
