using System.CommandLine;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Plotting;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn wltls`: trains and tests W-LTLS with the original CLI's options (slice width, decoding loss, epochs, path
/// assignment, binary classifier, --plot_graph, --sparse), prints the original's log lines, and writes the common
/// report (accuracy, per-epoch figures, model size, the sparse table, the slice-width table).
/// </summary>
public sealed class WltlsCommand : ICliCommand
{
    private static readonly Option<int> SliceWidth = new("--slice-width", "-slice_width")
    { Description = "the slice width b of the trellis graph", DefaultValueFactory = _ => 5 };

    private static readonly Option<string> DecodingLoss = new("--decoding-loss", "-decoding_loss")
    { Description = "loss of the loss-based decoding: exponential, squared_hinge or squared", DefaultValueFactory = _ => "exponential" };

    private static readonly Option<int> Epochs = new("--epochs", "-epochs")
    { Description = "number of training epochs", DefaultValueFactory = _ => 5 };

    private static readonly Option<string> PathAssignmentOption = new("--path-assignment", "-path_assignment")
    { Description = "path assignment policy: random, greedy, fixed (needs --assignment) or similarity (class-mean clustering, or --hierarchy)", DefaultValueFactory = _ => "random" };

    private static readonly Option<string?> HierarchyFile = new("--hierarchy")
    { Description = "for --path-assignment similarity: a class hierarchy as a networkx edge list (\"parent child\" names per line; classes by label name)" };

    private static readonly Option<LinkageMethod> Linkage = new("--linkage")
    { Description = "for --path-assignment similarity without --hierarchy: linkage of the class-mean clustering (average, complete, single)", DefaultValueFactory = _ => LinkageMethod.Average };

    private static readonly Option<string?> AssignmentFile = new("--assignment")
    { Description = "JSON file with the class of each codeword (a list, or FILE:KEY for a list under KEY, as the original's precomputed assignments)" };

    private static readonly Option<string> BinaryClassifier = new("--binary-classifier", "-binary_classifier")
    { Description = "binary learner of each edge: " + BinaryLearnerOptions.KindNames, DefaultValueFactory = _ => "AROW" };

    private static readonly Option<bool> EarlyStop = new("--early-stop")
    { Description = "stop after two epochs without a better validation accuracy" };

    private static readonly Option<string?> PlotGraph = new("--plot-graph", "--plot_graph")
    {
        Description = "write an HTML picture of the trellis graph with the decoded path of the first test point (default file: trellis.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<bool> Sparse = new("--sparse")
    { Description = "experiment with sparse (pruned) models at the end of training" };

    private static readonly Option<string?> Sweep = new("--sweep")
    { Description = "also train at these slice widths and a one-vs-rest model, e.g. 2,4,5,8,16,32 (table in the report)" };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("wltls",
        "W-LTLS: wide trellis codes with loss-based decoding (Evron et al., NeurIPS 2018)",
        [SliceWidth, DecodingLoss, Epochs, PathAssignmentOption, AssignmentFile, HierarchyFile, Linkage, BinaryClassifier, EarlyStop, PlotGraph, Sparse, Sweep],
        Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        var options = new WltlsOptions
        {
            SliceWidth = args.GetValue(SliceWidth),
            DecodingLoss = DecodingLosses.Parse(args.GetValue(DecodingLoss)!),
            Epochs = args.GetValue(Epochs),
            EarlyStopping = args.GetValue(EarlyStop),
            PathAssignment = ParsePolicy(args.GetValue(PathAssignmentOption)!),
            Learner = new BinaryLearnerOptions { Kind = BinaryLearnerOptions.ParseKind(args.GetValue(BinaryClassifier)!) },
            Seed = run.Seed,
            CheckpointPath = run.ModelPath("model.wltls"),
        };
        if (args.GetValue(AssignmentFile) is { } assignmentFile)
        {
            if (options.PathAssignment != PathAssignmentPolicy.Fixed)
                throw new ArgumentException("--assignment goes with --path-assignment fixed");
            options = options with { CodewordOfClass = PathAssignment.FromClassOrder(ReadClassOrder(assignmentFile)).CodewordOfClass };
        }
        else if (options.PathAssignment == PathAssignmentPolicy.Fixed)
            throw new ArgumentException("--path-assignment fixed needs --assignment FILE");
        if (args.GetValue(HierarchyFile) is { } hierarchyFile)
        {
            if (options.PathAssignment != PathAssignmentPolicy.Similarity)
                throw new ArgumentException("--hierarchy goes with --path-assignment similarity");
            var names = data.Train.LabelNames ?? Enumerable.Range(0, data.Train.NumLabels).Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();
            options = options with { ClassHierarchy = LabelHierarchy.FromEdgeListFile(hierarchyFile, names) };
        }
        options = options with { SimilarityLinkage = args.GetValue(Linkage) };

        bool sparse = args.GetValue(Sparse);
        if (sparse && data.Heldout is null)
            throw new ArgumentException("the sparse-models experiment needs a heldout split (its stopping rule watches validation accuracy)");
        WltlsRun.LogDataset(data, monitor);
        using var result = run.Experiment(Wltls.MethodName, options);
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

        if (args.GetValue(Sweep) is { } widths)
        {
            monitor.Write("Slice width sweep:");
            details["sweep"] = WltlsSweep.Run(data, ParseWidths(widths), options with { CheckpointPath = null }, includeOneVsRest: true, monitor);
        }

        return result.Report with { Details = details };
    }

    private static PathAssignmentPolicy ParsePolicy(string name) => name.Trim().ToLowerInvariant() switch
    {
        "random" => PathAssignmentPolicy.Random,
        "greedy" => PathAssignmentPolicy.Greedy,
        "fixed" => PathAssignmentPolicy.Fixed,
        "similarity" => PathAssignmentPolicy.Similarity,
        _ => throw new ArgumentException($"unknown path assignment '{name}': expected random, greedy, fixed or similarity"),
    };

    /// <summary>"FILE" or "FILE:KEY" (a key of a JSON object holding several assignments, as the original's file).</summary>
    private static int[] ReadClassOrder(string spec)
    {
        int colon = spec.LastIndexOf(':');
        return colon > 1 && !File.Exists(spec)
            ? PathAssignment.LoadClassOrder(spec[..colon], spec[(colon + 1)..])
            : PathAssignment.LoadClassOrder(spec);
    }

    /// <summary>Comma-separated slice widths given to <paramref name="option"/>.</summary>
    internal static int[] ParseWidths(string text, string option = "--sweep")
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int b)
            ? b : throw new ArgumentException($"{option}: '{p}' is not a slice width")).ToArray();
    }
}
