using System.CommandLine;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Hierarchies;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Plotting;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn wltls`: trains and tests W-LTLS with the original CLI's options (slice width, decoding loss, epochs, path
/// assignment, binary classifier, --plot_graph, --sparse), prints the original's log lines, and writes the common
/// report (accuracy, per-epoch figures, model size, the sparse table, the slice-width table). Under `--distributed`
/// (`mpiexec.mpich -n N xcn wltls ...`) the trellis edges are trained label-sharded over the ranks
/// (<see cref="XcNotebooks.Distributed.DistributedWltls"/>): rank 0 alone writes the checkpoint (the same file as one
/// process's) and runs the extras (--sparse, --plot-graph, --sweep) in one process after training.
/// </summary>
public sealed class WltlsCommand : ICliCommand
{
    private static readonly Option<string?> HierarchyFile = new("--hierarchy")
    { Description = "for --path-assignment similarity: a class hierarchy as a networkx edge list (\"parent child\" names per line; classes by label name)" };

    private static readonly Option<string?> AssignmentFile = new("--assignment")
    { Description = "for --path-assignment fixed: JSON file with the class of each codeword (a list, or FILE:KEY for a list under KEY, as the original's precomputed assignments)" };

    private static readonly Option<string?> PlotGraph = new("--plot-graph", "--plot_graph")
    {
        Description = "write an HTML picture of the trellis graph with the decoded path of the first test point (default file: trellis.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<bool> Sparse = new("--sparse")
    { Description = "experiment with sparse (pruned) models at the end of training" };

    private static readonly Option<int[]> Sweep = OptionsBinder.IntListOption("--sweep",
        "also train at these slice widths and a one-vs-rest model, e.g. 2,4,5,8,16,32 (table in the report)");

    /// <summary>The options of the original CLI (-slice_width, ...) and of earlier versions of this one stay as hidden spellings.</summary>
    internal static readonly OptionsBinderSettings Binding = new()
    {
        Exclude = ["CheckpointPath"],
        Aliases =
        [
            new("SliceWidth", "-slice_width"), new("DecodingLoss", "-decoding_loss"), new("Epochs", "-epochs"),
            new("PathAssignment", "-path_assignment"), new("EarlyStopping", "--early-stop"), new("SimilarityLinkage", "--linkage"),
            new("Learner.Kind", "--binary-classifier"), new("Learner.Kind", "-binary_classifier"),
        ],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("wltls",
        "W-LTLS: wide trellis codes with loss-based decoding (Evron et al., NeurIPS 2018)",
        new WltlsOptions(), Binding, [AssignmentFile, HierarchyFile, PlotGraph, Sparse, Sweep], Run, validate: ValidateWithoutData);

    /// <summary>
    /// The checks that need no data; the codeword list of a fixed assignment is read from --assignment after the
    /// data, and checked (with b ≤ K) once the data is loaded.
    /// </summary>
    internal static void ValidateWithoutData(WltlsOptions options) =>
        (options.PathAssignment == PathAssignmentPolicy.Fixed ? options with { PathAssignment = PathAssignmentPolicy.Random, CodewordOfClass = null } : options)
            .Validate();

    private static RunReport Run(MethodRun run, WltlsOptions options)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        bool root = run.Collective.IsRoot(); // under --distributed only rank 0 writes (the checkpoint too)
        options = options with { CheckpointPath = root ? run.ModelPath("model.wltls") : null };
        if (args.GetValue(AssignmentFile) is { } assignmentFile)
        {
            if (options.PathAssignment != PathAssignmentPolicy.Fixed)
                throw new ArgumentException("--assignment goes with --path-assignment fixed");
            options = options with { CodewordOfClass = PathAssignment.FromClassOrder(ReadClassOrder(assignmentFile)).CodewordOfClass };
        }
        else if (options.PathAssignment == PathAssignmentPolicy.Fixed && options.CodewordOfClass is null)
            throw new ArgumentException("--path-assignment fixed needs --assignment FILE");
        if (args.GetValue(HierarchyFile) is { } hierarchyFile)
        {
            if (options.PathAssignment != PathAssignmentPolicy.Similarity)
                throw new ArgumentException("--hierarchy goes with --path-assignment similarity");
            var names = data.Train.LabelNames ?? Enumerable.Range(0, data.Train.NumLabels).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();
            options = options with { ClassHierarchy = LabelHierarchy.FromEdgeListFile(hierarchyFile, names) };
        }

        bool sparse = args.GetValue(Sparse);
        if (sparse && data.Heldout is null)
            throw new ArgumentException("the sparse-models experiment needs a heldout split (its stopping rule watches validation accuracy)");
        WltlsRun.LogDataset(data, monitor);
        using var result = run.RunExperiment(Wltls.MethodName, options, save: false); // the checkpoint (--model) holds the best-validated model
        if (!root) return result.Report; // the other ranks trained their edges; rank 0 holds the model and runs the extras
        var model = (WltlsModel)result.Model;
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (sparse)
        {
            monitor.Write("Experimenting sparse models:");
            details["sparse"] = WltlsSparseModels.Run(model.Training!.LastEpoch, data.Heldout!, data.Test, null, monitor);
        }

        if (args.GetResult(PlotGraph) is not null)
        {
            var path = args.GetValue(PlotGraph) ?? run.ModelPath("trellis.html") ?? "trellis.html";
            var chart = WltlsRun.DecodedPathChart(model, data.Test);
            ChartHtml.SaveHtml(chart, path, $"W-LTLS trellis graph (K={model.NumClasses}, b={model.Graph.SliceWidth})");
            monitor.Write($"Trellis graph written to {path}");
            details["plot"] = path;
        }

        if (args.GetValue(Sweep) is { Length: > 0 } widths)
        {
            monitor.Write("Slice width sweep:");
            details["sweep"] = WltlsSweep.Run(data, widths, options with { CheckpointPath = null }, includeOneVsRest: true, monitor);
        }

        return result.Report with { Details = details };
    }

    /// <summary>"FILE" or "FILE:KEY" (a key of a JSON object holding several assignments, as the original's file).</summary>
    private static int[] ReadClassOrder(string spec)
    {
        int colon = spec.LastIndexOf(':');
        return colon > 1 && !File.Exists(spec)
            ? PathAssignment.LoadClassOrder(spec[..colon], spec[(colon + 1)..])
            : PathAssignment.LoadClassOrder(spec);
    }
}
