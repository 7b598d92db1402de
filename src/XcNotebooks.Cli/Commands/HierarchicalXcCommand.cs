using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using XcNotebooks.Metrics;
using XcNotebooks.Methods.NeuralXc;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn hierarchicalxc`: builds the co-occurrence label tree, trains a classifier per inner node (optionally on a linear
/// autoencoder's codes), tests it and writes the common report (P@1/3/5, nDCG@1/3/5, PSP@1/3/5, classifiers evaluated
/// per point, and the paper's none/one/both traversal figures).
/// </summary>
public sealed class HierarchicalXcCommand : ICliCommand
{
    private static readonly HierarchicalXcOptions Defaults = new();

    private static readonly Option<string> Distance = new("--distance") { Description = "label distance: count (−co-occurrence) or iou (−IoU)", DefaultValueFactory = _ => "count" };

    private static readonly Option<int> AutoencoderDimension = new("--autoencoder-dim", "--input_ae_dim")
    { Description = "code width of the linear input autoencoder (0 or negative: raw features)", DefaultValueFactory = _ => Defaults.AutoencoderDimension };

    private static readonly Option<int> AutoencoderEpochs = new("--autoencoder-epochs") { Description = "input autoencoder epochs", DefaultValueFactory = _ => Defaults.AutoencoderEpochs };

    private static readonly Option<float> AutoencoderLearningRate = new("--autoencoder-lr") { Description = "input autoencoder Adam learning rate", DefaultValueFactory = _ => Defaults.AutoencoderLearningRate };

    private static readonly Option<int> NodeEpochs = new("--node-epochs") { Description = "epochs of each node classifier", DefaultValueFactory = _ => Defaults.NodeClassifier.Epochs };

    private static readonly Option<string> NodeLearner = new("--node-learner") { Description = "node classifier learner: " + BinaryLearnerOptions.KindNames, DefaultValueFactory = _ => "AROW" };

    private static readonly Option<string> Ranking = new("--ranking") { Description = "top-k ranking: best-first (path products over all labels) or traversal (reached labels only)", DefaultValueFactory = _ => "best-first" };

    private static readonly Option<BackendKind> Backend = new("--backend") { Description = "compute backend of the autoencoder: auto, cpu or ilgpu", DefaultValueFactory = _ => BackendKind.Auto };

    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "write the autoencoder's training curve as HTML (default file: training-curves.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create(HierarchicalXc.MethodName,
        "HierarchicalXC: a co-occurrence label tree with a none/one/both classifier per inner node (Srinivasan, Rao, Agarwal 2018)",
        [Distance, AutoencoderDimension, AutoencoderEpochs, AutoencoderLearningRate, NodeEpochs, NodeLearner, Ranking, Backend, Plot],
        Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var options = new HierarchicalXcOptions
        {
            Distance = args.GetValue(Distance)!.Trim().ToLowerInvariant() switch
            {
                "count" => CoOccurrenceDistance.NegativeCount,
                "iou" => CoOccurrenceDistance.NegativeIou,
                var other => throw new ArgumentException($"--distance: unknown '{other}', expected count or iou"),
            },
            AutoencoderDimension = Math.Max(0, args.GetValue(AutoencoderDimension)),
            AutoencoderEpochs = args.GetValue(AutoencoderEpochs),
            AutoencoderLearningRate = args.GetValue(AutoencoderLearningRate),
            NodeClassifier = Defaults.NodeClassifier with
            {
                Epochs = args.GetValue(NodeEpochs),
                Learner = new BinaryLearnerOptions { Kind = BinaryLearnerOptions.ParseKind(args.GetValue(NodeLearner)!) },
            },
            Ranking = args.GetValue(Ranking)!.Trim().ToLowerInvariant() switch
            {
                "best-first" or "bestfirst" => HierarchicalXcRanking.BestFirst,
                "traversal" => HierarchicalXcRanking.Traversal,
                var other => throw new ArgumentException($"--ranking: unknown '{other}', expected best-first or traversal"),
            },
            Backend = args.GetValue(Backend),
            Seed = run.Seed,
        };
        var monitor = run.Monitor;
        using var result = run.Experiment(HierarchicalXc.MethodName, options);
        var model = (HierarchicalXcModel)result.Model;
        var details = new Dictionary<string, object?>(result.Report.Details);
        run.SaveModel(model, "model.hierarchicalxc");
        if (args.GetResult(Plot) is not null)
        {
            if (model.AutoencoderLoss.Count == 0) throw new ArgumentException("--plot needs the input autoencoder (--autoencoder-dim > 0): there is no training curve without it");
            var path = args.GetValue(Plot) ?? run.ModelPath("training-curves.html") ?? "training-curves.html";
            new HtmlReport("HierarchicalXC input autoencoder")
                .AddSection("Reconstruction loss", ReportBlock.Chart(AutoencoderCharts.AutoencoderLoss(model.AutoencoderLoss)))
                .Save(path);
            monitor.Write($"Training curve written to {path}");
            details["plot"] = path;
        }
        return result.Report with { Details = details };
    }
}
