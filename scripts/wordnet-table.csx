// Issue 16 §2's table on the WordNet 3.0 noun sets: every method through the one pipeline (Experiment.Run), one
// after the other in this process. On the hypernym set (multi-class, the real class hierarchy): popularity, k-NN,
// W-LTLS with random and with similarity-preserving assignments from the hypernym hierarchy, one-vs-rest, DSNC with
// code lookup, DEXA and DEXML (label texts); on the ancestors set (multi-label): popularity, k-NN, NeuralXC and
// HierarchicalXC. Columns: P@1, P@5, PSP@5, train s, predict µs/point, model MB, peak memory MB (each run's own peak:
// the process's peak is reset between runs on Linux). Prints the two Markdown tables, and writes them to FILE.md with --table (after each
// table, so a long run keeps what it has; `xcn run`'s own --out is for notebooks).
//
//   dotnet run --project src/XcNotebooks.Cli -c Release -- run scripts/wordnet-table.csx [--label-sample N] [--ancestors-sample N] [--skip wltls,ovr,...] [--table FILE.md]
//
// Full mode runs on all 16,897 classes and all ancestors' points unless --label-sample N (a seeded sample of N classes
// and their points, `xcn data wordnet --label-sample N`) or --ancestors-sample N (a seeded sample of N points with all
// their ancestors, `xcn data wordnet --task ancestors --point-sample N`) says otherwise; --skip leaves out
// the methods named (their registered names: popularity, knn, wltls, ovr, dsnc, dexa, dexml, neuralxc, hierarchicalxc).
// Fast mode (--fast): 300 sampled classes, and 1,000 sampled points for the ancestors, few epochs. Needs WordNet 3.0
// (Debian wordnet-base, /usr/share/wordnet, or the folder named by XCN_WORDNET); without it the embedded defaults
// stand in, and the script says so.
#r "nuget: XcNotebooks"
using System.Globalization;
using System.IO;
using XcNotebooks.Data.WordNet;
using XcNotebooks.Experiments;
using XcNotebooks.Notebooks;

int? hypernymSample = NotebookEnv.Pick<int?>(full: null, fast: 300);
int? ancestorsSample = NotebookEnv.Pick<int?>(full: null, fast: 1000); // points, with all their ancestors
var skip = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
string outFile = null;
for (int i = 0; i < Args.Count; i++)
{
    string Value() => i + 1 < Args.Count ? Args[++i] : throw new ArgumentException($"{Args[i]} needs a value");
    switch (Args[i])
    {
        case "--label-sample": hypernymSample = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--ancestors-sample": ancestorsSample = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--skip": skip.UnionWith(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
        case "--table": outFile = Value(); break;
        default: throw new ArgumentException($"unknown argument {Args[i]}: expected --label-sample N, --ancestors-sample N, --skip names, --table FILE.md");
    }
}
var settings = NotebookEnv.Pick(full: new WordNetComparisonOptions(), fast: WordNetComparisonOptions.Fast);
var monitor = NotebookProgress.Monitor(steps: 3, log: false);
var markdown = new System.Text.StringBuilder();

foreach (var task in new[] { WordNetTask.Hypernym, WordNetTask.Ancestors })
{
    var chosen = task == WordNetTask.Hypernym
        ? NotebookData.WordNetOrEmbedded(task, labelSample: hypernymSample, monitor: monitor)
        : NotebookData.WordNetOrEmbedded(task, pointSample: ancestorsSample, monitor: monitor);
    Console.WriteLine(chosen.FallbackReason ?? $"Data: {chosen.Name}.");
    var data = chosen.Splits;
    Console.WriteLine($"{data.Train}\n{data.Test}");
    var runs = (task == WordNetTask.Hypernym ? WordNetComparison.HypernymRuns(data.Train, settings) : WordNetComparison.AncestorsRuns(settings))
        .Where(r => !skip.Contains(r.Method)).ToList();
    var rows = MethodComparison.Run(data, runs, k: 5, monitor);
    var table = MethodComparison.ToCostTable(rows);
    markdown.AppendLine($"### {chosen.Name}").AppendLine()
        .AppendLine($"{data.Train.NumPoints:N0} training and {data.Test.NumPoints:N0} test points, {data.Train.NumLabels:N0} labels. {table.Caption}.").AppendLine()
        .AppendLine(MethodComparison.ToCostMarkdown(rows));
    if (outFile is not null)
        File.WriteAllText(Path.GetFullPath(Path.Combine("..", outFile)), markdown.ToString()); // the runner works in scripts/: relative paths are from the repository root
}
Console.WriteLine();
Console.WriteLine(markdown);
if (outFile is not null) Console.WriteLine($"Wrote {Path.GetFullPath(Path.Combine("..", outFile))}");
