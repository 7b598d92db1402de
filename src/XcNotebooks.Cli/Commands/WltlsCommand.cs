using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Codes;
using XcNotebooks.Data;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;

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
    { Description = "path assignment policy: random, greedy or fixed (fixed needs --assignment)", DefaultValueFactory = _ => "random" };

    private static readonly Option<string?> AssignmentFile = new("--assignment")
    { Description = "JSON file with the class of each codeword (a list, or FILE:KEY for a list under KEY, as the original's precomputed assignments)" };

    private static readonly Option<string> BinaryClassifier = new("--binary-classifier", "-binary_classifier")
    { Description = "binary learner of each edge: AROW or perceptron", DefaultValueFactory = _ => "AROW" };

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
        [SliceWidth, DecodingLoss, Epochs, PathAssignmentOption, AssignmentFile, BinaryClassifier, EarlyStop, PlotGraph, Sparse, Sweep],
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

        var train = data.Train;
        monitor.Write($"Multi-class dataset '{train.Name}':");
        monitor.Write($"\tLabels:\t\tK={train.NumLabels:N0}");
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"\tFeatures:\td={train.NumFeatures:N0} ({(train.NumPoints == 0 ? 0 : (double)train.Features.NonZeros / train.NumPoints):F1} non-zero features on average)"));
        monitor.Write($"\tSamples:\t{train.NumPoints:N0} / {data.Heldout?.NumPoints ?? 0:N0} / {data.Test.NumPoints:N0}");

        var clock = Stopwatch.StartNew();
        var training = Wltls.TrainDetailed(train, data.Heldout, options, monitor);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var model = training.Best;

        clock.Restart();
        var predictions = model.TopK(data.Test, Math.Max(1, run.TopK));
        double predictSeconds = clock.Elapsed.TotalSeconds;
        double accuracy = WltlsModel.AccuracyOf(predictions.Top1(), data.Test.Labels);
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {accuracy:F1}% ({Wltls.Duration(predictSeconds)})"));
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Average binary loss: {training.AverageBinaryLoss:N2}"));

        // The original's "final model": the last epoch's learners merged into one D x E matrix.
        monitor.Write("Preparing a final model (this may take some time)...");
        var final = training.LastEpoch;
        monitor.Write("The final model created successfully.");
        clock.Restart();
        double finalAccuracy = final.Accuracy(data.Test);
        double finalSeconds = clock.Elapsed.TotalSeconds;
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"The final model was tested in {Wltls.Duration(finalSeconds)} and achieved {finalAccuracy:F1}% accuracy."));

        var details = new Dictionary<string, object?>
        {
            ["edges"] = model.Graph.NumEdges,
            ["sliceWidth"] = model.Graph.SliceWidth,
            ["epochs"] = training.Epochs,
            ["bestEpoch"] = training.BestEpoch,
            ["earlyStopped"] = training.EarlyStopped,
            ["assignedLabels"] = training.AssignedLabels,
            ["averageBinaryLoss"] = training.AverageBinaryLoss,
            ["finalModelAccuracy"] = finalAccuracy,
            ["finalModelSeconds"] = finalSeconds,
        };

        if (args.GetValue(Sparse))
        {
            if (data.Heldout is null) throw new ArgumentException("--sparse needs a --heldout split (its stopping rule watches validation accuracy)");
            monitor.Write("Experimenting sparse models:");
            details["sparse"] = WltlsSparseModels.Run(final, data.Heldout, data.Test, null, monitor);
        }

        if (args.GetResult(PlotGraph) is not null)
        {
            var path = args.GetValue(PlotGraph) ?? run.ModelPath("trellis.html") ?? "trellis.html";
            var chart = DecodedPathChart(model, data.Test);
            TrellisPlot.SaveHtml(chart, path, $"W-LTLS trellis graph (K={model.NumClasses}, b={model.Graph.SliceWidth})");
            monitor.Write($"Trellis graph written to {path}");
            details["plot"] = path;
        }

        if (args.GetValue(Sweep) is { } widths)
        {
            monitor.Write("Slice width sweep:");
            details["sweep"] = WltlsSweep.Run(data, ParseWidths(widths), options with { CheckpointPath = null }, includeOneVsRest: true, monitor);
        }

        var metrics = new Dictionary<string, double> { ["accuracy"] = accuracy };
        foreach (var (name, value) in XcMetrics.Evaluate(data.Test.Labels, predictions, predictions.K).ToDictionary()) metrics[name] = value;
        return new RunReport
        {
            Method = Wltls.MethodName,
            DatasetFiles = run.Files,
            Options = options,
            Metrics = metrics,
            TrainSeconds = trainSeconds,
            PredictSeconds = predictSeconds,
            ModelBytes = model.ModelBytes,
            Details = details,
        };
    }

    /// <summary>The trellis with the decoded path of the first test point highlighted.</summary>
    private static Plotly.NET.GenericChart DecodedPathChart(WltlsModel model, Dataset test)
    {
        if (test.NumPoints == 0) return TrellisPlot.Chart(model.Graph);
        var path = model.DecodedPath(test.Features, 0);
        int predicted = model.ClassOfCodeword[model.Graph.CodewordOfPath(path)];
        string truth = string.Join(",", test.Labels.LabelArray(0).Select(l => LabelName(test, l)));
        return TrellisPlot.Chart(model.Graph, path, pathName: $"test point 1: decoded class {LabelName(test, predicted)} (true {truth})");
    }

    private static string LabelName(Dataset data, int label) =>
        data.LabelNames is { } names && label >= 0 && label < names.Count ? names[label] : label.ToString(CultureInfo.InvariantCulture);

    private static PathAssignmentPolicy ParsePolicy(string name) => name.Trim().ToLowerInvariant() switch
    {
        "random" => PathAssignmentPolicy.Random,
        "greedy" => PathAssignmentPolicy.Greedy,
        "fixed" => PathAssignmentPolicy.Fixed,
        _ => throw new ArgumentException($"unknown path assignment '{name}': expected random, greedy or fixed"),
    };

    /// <summary>"FILE" or "FILE:KEY" (a key of a JSON object holding several assignments, as the original's file).</summary>
    private static int[] ReadClassOrder(string spec)
    {
        int colon = spec.LastIndexOf(':');
        return colon > 1 && !File.Exists(spec)
            ? PathAssignment.LoadClassOrder(spec[..colon], spec[(colon + 1)..])
            : PathAssignment.LoadClassOrder(spec);
    }

    private static int[] ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int b)
            ? b : throw new ArgumentException($"--sweep: '{p}' is not a slice width")).ToArray();
    }
}
