using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn baseline --kind popularity|knn|ovr`: the reference points every XC method is compared with (label popularity,
/// exact cosine k-nearest neighbours, one-vs-rest linear), in the common method shape and report.
/// </summary>
public sealed class BaselineCommand : ICliCommand
{
    private static readonly Option<BaselineKind> Kind = OptionsBinder.EnumOption<BaselineKind>("--kind", "which baseline");

    /// <summary>Each baseline's options under its own prefix (--knn-neighbours, --ovr-learner-cost, --parabel-beam); the earlier spellings stay hidden.</summary>
    private static readonly BoundOptions<KNearestNeighboursOptions> Knn = MethodCommand.BindOptions(new KNearestNeighboursOptions(), new()
    {
        Prefix = "knn",
        Aliases = [new("Neighbours", "--neighbours"), new("Weighting", "--weighting")],
    });

    private static readonly BoundOptions<OneVsRestOptions> Ovr = MethodCommand.BindOptions(new OneVsRestOptions(), new()
    {
        Prefix = "ovr",
        Aliases =
        [
            new("Epochs", "--epochs"), new("Learner.Kind", "--learner"), new("Learner.Cost", "--cost"), new("Learner.Cost", "-c"),
            new("Learner.Tolerance", "--tolerance"), new("Learner.Tolerance", "-e"), new("NormalizeRows", "--normalize-rows"),
            new("Learner.PruneBelow", "--prune"), new("Bias", "--bias"),
        ],
    });

    private static readonly BoundOptions<ParabelOptions> ParabelBinding = MethodCommand.BindOptions(new ParabelOptions(), new()
    {
        Prefix = "parabel",
        Aliases = [new("Beam", "--beam"), new("MaxLeafLabels", "--max-leaf")],
    });

    /// <inheritdoc/>
    public Command Build()
    {
        Kind.Required = true;
        var command = MethodCommand.Create("baseline",
            "Baselines: label popularity, cosine k-nearest neighbours (similarity-weighted votes), one-vs-rest linear, Parabel-style label tree",
            [Kind], Run);
        Knn.AddTo(command, new KNearestNeighboursOptions());
        Ovr.AddTo(command, new OneVsRestOptions());
        ParabelBinding.AddTo(command, new ParabelOptions());
        return command;
    }

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var kind = args.GetValue(Kind);
        object options = kind switch
        {
            BaselineKind.Popularity => new LabelPopularityOptions(),
            BaselineKind.Knn => Knn.Bind(args, new KNearestNeighboursOptions()),
            BaselineKind.Ovr => MethodCommand.WithSeed(Ovr.Bind(args, new OneVsRestOptions()), run.Seed),
            _ => MethodCommand.WithSeed(ParabelBinding.Bind(args, new ParabelOptions()), run.Seed),
        };
        using var result = run.RunExperiment(OptionsBinder.KebabCase(kind.ToString()), options);
        return result.Report;
    }
}

/// <summary>The baselines of `xcn baseline --kind`.</summary>
public enum BaselineKind
{
    /// <summary>Every point gets the most frequent training labels.</summary>
    Popularity,
    /// <summary>Exact cosine k-nearest neighbours with similarity-weighted votes.</summary>
    Knn,
    /// <summary>One-vs-rest linear classifiers.</summary>
    Ovr,
    /// <summary>The Parabel-style label tree.</summary>
    Parabel,
}
