using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Core;
using XcNotebooks.Methods.Baselines;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn fusion`: one-vs-rest probabilities (Platt scaling per label) plus k-nearest-neighbour vote shares; the column
/// weighting, C, k and the neighbours' weight are chosen on --heldout when given, else on folds of the training set.
/// The report lists the choice and its held-out P@k.
/// </summary>
public sealed class FusionCommand : ICliCommand
{
    /// <summary>The learners' cost comes from --costs, their seed from --seed, and epochs are for online learners only.</summary>
    private static readonly OptionsBinderSettings Binding = new()
    {
        Exclude = ["OneVsRest.Learner.Cost", "OneVsRest.Seed", "OneVsRest.Epochs"],
        Aliases = [new("OneVsRest.Learner.Kind", "--learner")],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create(CalibratedFusion.MethodName,
        "Calibrated fusion: one-vs-rest probabilities (Platt scaling per label) plus k-nearest-neighbour votes, settings chosen on held-out data",
        new CalibratedFusionOptions(), Binding, [], Run);

    private static RunReport Run(MethodRun run, CalibratedFusionOptions options)
    {
        using var result = run.RunExperiment(CalibratedFusion.MethodName, options);
        return result.Report;
    }
}
