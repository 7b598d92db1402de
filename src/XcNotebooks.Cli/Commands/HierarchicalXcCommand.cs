using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "write the autoencoder's training curve as HTML (default file: training-curves.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly OptionsBinderSettings Binding = new()
    {
        Aliases =
        [
            new("AutoencoderDimension", "--autoencoder-dim"), new("AutoencoderDimension", "--input_ae_dim"),
            new("AutoencoderLearningRate", "--autoencoder-lr"), new("NodeClassifier.Epochs", "--node-epochs"),
            new("NodeClassifier.Learner.Kind", "--node-learner"),
        ],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create(HierarchicalXc.MethodName,
        "HierarchicalXC: a co-occurrence label tree with a none/one/both classifier per inner node (Srinivasan, Rao, Agarwal 2018)",
        new HierarchicalXcOptions(), Binding, [Plot], Run);

    private static RunReport Run(MethodRun run, HierarchicalXcOptions options)
    {
        var args = run.Args;
        var monitor = run.Monitor;
        using var result = run.RunExperiment(HierarchicalXc.MethodName, options);
        var model = (HierarchicalXcModel)result.Model;
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (args.GetResult(Plot) is not null)
        {
            if (model.AutoencoderLoss.Count == 0) throw new ArgumentException("--plot needs the input autoencoder (--autoencoder-dimension > 0): there is no training curve without it");
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
