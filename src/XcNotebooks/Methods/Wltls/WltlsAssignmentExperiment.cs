using System.Diagnostics;
using System.Globalization;
using System.Text;
using XcNotebooks.Hierarchies;
using XcNotebooks.Reports;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>Settings of <see cref="WltlsAssignmentExperiment"/>.</summary>
public sealed record AssignmentExperimentOptions
{
    /// <summary>Slice widths to compare (narrow graphs are where the AISTATS 2023 paper finds the largest gain).</summary>
    public IReadOnlyList<int> SliceWidths { get; init; } = [2, 3, 5];

    /// <summary>Runs per width and policy; run i uses seed <see cref="WltlsOptions.Seed"/> + i (shuffles and random assignment).</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>The assignment policies compared.</summary>
    public IReadOnlyList<PathAssignmentPolicy> Policies { get; init; } = [PathAssignmentPolicy.Random, PathAssignmentPolicy.Similarity];

    /// <summary>Every other W-LTLS setting (learner, loss, epochs, base seed; the similarity linkage or hierarchy).</summary>
    public WltlsOptions Wltls { get; init; } = new();
}

/// <summary>One line of the assignment table: a slice width and a policy over all seeds.</summary>
/// <param name="SliceWidth">Slice width b.</param>
/// <param name="Edges">Edges of the trellis graph (binary learners).</param>
/// <param name="Policy">The path assignment policy.</param>
/// <param name="TestAccuracy">Test accuracy (percent) of the best-validated model, over seeds.</param>
/// <param name="ValidationAccuracy">Heldout accuracy of that model, over seeds (null without a heldout split).</param>
/// <param name="AssignmentScore">Eq. 5 score of the assignment used, over seeds (the similarity assignment is the same for every seed).</param>
/// <param name="TrainSeconds">Mean training time per run.</param>
public sealed record AssignmentExperimentRow(int SliceWidth, int Edges, PathAssignmentPolicy Policy, ScoreSpread TestAccuracy,
    ScoreSpread? ValidationAccuracy, ScoreSpread AssignmentScore, double TrainSeconds)
{
    /// <summary>
    /// A name for the assignment that tells rows of one policy apart, e.g. "similarity (true tree)" for rows of a
    /// run with a given hierarchy (set it with <c>row with { Label = ... }</c>); null: the policy's name.
    /// </summary>
    public string? Label { get; init; }

    /// <summary>The assignment's name in tables and charts: <see cref="Label"/>, else the policy in lower case.</summary>
    public string AssignmentName => Label ?? Policy.ToString().ToLowerInvariant();
}

/// <summary>
/// The codeword-to-class assignment experiment of Evron et al. (AISTATS 2023) on one data set: W-LTLS at several
/// slice widths, trained with random and with similarity-preserving assignments over several seeds, reporting
/// mean and spread of test accuracy and of the Eq. 5 assignment score.
/// </summary>
public static class WltlsAssignmentExperiment
{
    /// <summary>Runs the experiment; logs one line per row through <paramref name="monitor"/>.</summary>
    public static IReadOnlyList<AssignmentExperimentRow> Run(DataSplits data, AssignmentExperimentOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new AssignmentExperimentOptions();
        monitor ??= TrainingMonitor.Silent;
        if (options.Seeds < 1) throw new ArgumentException($"need at least one seed, got {options.Seeds}");
        if (options.SliceWidths.Count == 0 || options.Policies.Count == 0) throw new ArgumentException("no slice widths or no policies to compare");
        var baseOptions = options.Wltls with { CheckpointPath = null, ScoreAssignment = true, ScoreAssignmentMaxClasses = CondensedDistances.MaxCount };
        // The class hierarchy does not depend on the width or the seed: cluster once.
        if (options.Policies.Contains(PathAssignmentPolicy.Similarity) && baseOptions.ClassHierarchy is null)
            baseOptions = baseOptions with
            {
                ClassHierarchy = AgglomerativeClustering.Fit(ClassDistances.EuclideanBetweenMeans(data.Train), baseOptions.SimilarityLinkage).ToHierarchy(),
            };
        var rows = new List<AssignmentExperimentRow>();
        long total = (long)options.SliceWidths.Count * options.Policies.Count * options.Seeds, done = 0;
        foreach (int width in options.SliceWidths)
        {
            foreach (var policy in options.Policies)
            {
                var test = new List<double>();
                var validation = new List<double>();
                var scores = new List<double>();
                int edges = 0;
                var clock = Stopwatch.StartNew();
                for (int s = 0; s < options.Seeds; s++)
                {
                    var run = baseOptions with { SliceWidth = width, PathAssignment = policy, Seed = baseOptions.Seed + s };
                    var training = Wltls.TrainDetailed(data.Train, data.Heldout, run, monitor with { Log = null, Progress = null });
                    edges = training.Best.Graph.NumEdges;
                    test.Add(training.Best.Accuracy(data.Test));
                    if (training.Epochs.FirstOrDefault(e => e.Epoch == training.BestEpoch)?.ValidationAccuracy is { } v) validation.Add(v);
                    scores.Add(training.AssignmentQuality?.Score ?? double.NaN);
                    monitor.Report("assignment experiment", ++done, total, $"b={width} {policy} seed {run.Seed}");
                }
                var row = new AssignmentExperimentRow(width, edges, policy, ScoreSpread.Of(test),
                    validation.Count == test.Count ? ScoreSpread.Of(validation) : null, ScoreSpread.Of(scores), clock.Elapsed.TotalSeconds / options.Seeds);
                rows.Add(row);
                monitor.Write(Describe(row));
            }
        }
        return rows;
    }

    /// <summary>One line, e.g. "b=2 (28 edges) Similarity: test 92.31 ± 0.40% over 5 seeds, Eq. 5 0.3120 ± 0.0000".</summary>
    public static string Describe(AssignmentExperimentRow row) => string.Create(CultureInfo.InvariantCulture,
        $"b={row.SliceWidth} ({row.Edges} edges) {row.Label ?? row.Policy.ToString()}: test {row.TestAccuracy.Format()}% over {row.TestAccuracy.Values.Count} seeds, Eq. 5 {row.AssignmentScore.Format("F4")}, {row.TrainSeconds:F1}s per run");

    /// <summary>
    /// The rows as a Markdown table, with the accuracy gain of each non-random row over the random row of the same
    /// width.
    /// </summary>
    public static string ToMarkdown(IReadOnlyList<AssignmentExperimentRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", TableColumns) + " |");
        text.AppendLine("|" + string.Concat(TableColumns.Select(_ => "---|")));
        foreach (var cells in TableCells(rows)) text.AppendLine("| " + string.Join(" | ", cells) + " |");
        return text.ToString();
    }

    /// <summary>
    /// The experiment as a run report (JSON with <see cref="RunReport.Save"/>): one "b=B NAME accuracy" metric per row
    /// (mean test accuracy), the options, and the rows and Markdown table under Details "table" and "markdown".
    /// </summary>
    public static RunReport ToRunReport(IReadOnlyList<AssignmentExperimentRow> rows, AssignmentExperimentOptions options,
        IReadOnlyDictionary<string, string>? datasetFiles = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var metrics = new Dictionary<string, double>();
        foreach (var r in rows)
        {
            string key = $"b={r.SliceWidth} {r.AssignmentName} accuracy";
            if (!metrics.TryAdd(key, r.TestAccuracy.Mean))
                throw new ArgumentException($"two rows are named '{r.AssignmentName}' at b={r.SliceWidth}: give them distinct labels");
        }
        return new RunReport
        {
            Method = "wltls-assignments",
            DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
            Options = options,
            Metrics = metrics,
            TrainSeconds = rows.Sum(r => r.TrainSeconds * r.TestAccuracy.Values.Count),
            Details = new Dictionary<string, object?> { ["table"] = rows, ["markdown"] = ToMarkdown(rows) },
        };
    }

    /// <summary>The same table as <see cref="ToMarkdown"/>, for notebooks and HTML reports.</summary>
    public static HtmlTable ToTable(IReadOnlyList<AssignmentExperimentRow> rows, string? caption = null) =>
        new(TableColumns, TableCells(rows).Select(cells => (IReadOnlyList<object?>)cells).ToArray()) { Caption = caption };

    private static readonly string[] TableColumns =
        ["b", "edges", "assignment", "test accuracy % (mean ± std)", "gain vs random", "Eq. 5 score (mean ± std)"];

    private static IEnumerable<object?[]> TableCells(IReadOnlyList<AssignmentExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            var random = rows.FirstOrDefault(r => r.SliceWidth == row.SliceWidth && r.Policy == PathAssignmentPolicy.Random);
            string gain = random is null || row.Policy == PathAssignmentPolicy.Random
                ? "" : (row.TestAccuracy.Mean - random.TestAccuracy.Mean).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
            yield return [row.SliceWidth, row.Edges, row.AssignmentName, row.TestAccuracy.Format(), gain, row.AssignmentScore.Format("F4")];
        }
    }
}
