using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn wltls-assignments --train F --heldout F --test F [--widths 2,3,5] [--seeds 5] [--epochs 5]`: the
/// AISTATS 2023 experiment, random against similarity-preserving codeword-to-class assignments at several slice
/// widths over several seeds; prints the table (mean ± std of test accuracy and of the Eq. 5 score) and puts it in
/// the report.
/// </summary>
public sealed class WltlsAssignmentsCommand : ICliCommand
{
    private static readonly Option<string> Widths = new("--widths")
    { Description = "slice widths, comma-separated", DefaultValueFactory = _ => "2,3,5" };

    private static readonly Option<int> Seeds = new("--seeds")
    { Description = "runs per width and policy (seeds --seed, --seed + 1, ...)", DefaultValueFactory = _ => 5 };

    private static readonly Option<int> Epochs = new("--epochs")
    { Description = "training epochs of each run", DefaultValueFactory = _ => 5 };

    private static readonly Option<LinkageMethod> Linkage = new("--linkage")
    { Description = "linkage of the class-mean clustering behind the similarity assignment", DefaultValueFactory = _ => LinkageMethod.Average };

    private static readonly Option<string> BinaryClassifier = new("--binary-classifier")
    { Description = "binary learner of each edge: " + BinaryLearnerOptions.KindNames, DefaultValueFactory = _ => "AROW" };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("wltls-assignments",
        "W-LTLS with random vs similarity-preserving codeword-to-class assignments (Evron et al., AISTATS 2023)",
        [Widths, Seeds, Epochs, Linkage, BinaryClassifier], Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var options = new AssignmentExperimentOptions
        {
            SliceWidths = WltlsCommand.ParseWidths(args.GetValue(Widths)!, "--widths"),
            Seeds = args.GetValue(Seeds),
            Wltls = new WltlsOptions
            {
                Epochs = args.GetValue(Epochs),
                SimilarityLinkage = args.GetValue(Linkage),
                Learner = new BinaryLearnerOptions { Kind = BinaryLearnerOptions.ParseKind(args.GetValue(BinaryClassifier)!) },
                Seed = run.Seed,
            },
        };
        var rows = WltlsAssignmentExperiment.Run(run.Data, options, run.Monitor);
        run.Monitor.Write(WltlsAssignmentExperiment.ToMarkdown(rows));
        return WltlsAssignmentExperiment.ToRunReport(rows, options, run.Files);
    }
}
