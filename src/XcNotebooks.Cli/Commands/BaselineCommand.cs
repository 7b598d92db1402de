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
    private static readonly Option<string> Kind = new("--kind") { Description = "popularity, knn, ovr or parabel", Required = true };

    private static readonly Option<int> Beam = new("--beam") { Description = "parabel: nodes kept per step of the beam search", DefaultValueFactory = _ => new ParabelOptions().Beam };

    private static readonly Option<int> MaxLeafLabels = new("--max-leaf") { Description = "parabel: most labels per leaf of the tree", DefaultValueFactory = _ => new ParabelOptions().MaxLeafLabels };

    private static readonly Option<int> Neighbours = new("--neighbours") { Description = "knn: neighbours per point", DefaultValueFactory = _ => new KNearestNeighboursOptions().Neighbours };

    private static readonly Option<string> Weighting = new("--weighting") { Description = "knn: similarity or uniform votes", DefaultValueFactory = _ => "similarity" };

    private static readonly Option<int> Epochs = new("--epochs") { Description = "ovr: passes over the training data", DefaultValueFactory = _ => new OneVsRestOptions().Epochs };

    private static readonly Option<string> Learner = new("--learner") { Description = "ovr: " + BinaryLearnerOptions.KindNames, DefaultValueFactory = _ => "svm" };

    private static readonly Option<double> Cost = new("--cost", "-c") { Description = "ovr with svm, l1svm, logistic: the cost C", DefaultValueFactory = _ => new BinaryLearnerOptions().Cost };

    private static readonly Option<double> Tolerance = new("--tolerance", "-e") { Description = "ovr with svm, l1svm, logistic: the stopping tolerance (LIBLINEAR's -e)", DefaultValueFactory = _ => new BinaryLearnerOptions().Tolerance };

    private static readonly Option<bool> NormalizeRows = new("--normalize-rows") { Description = "ovr: scale each point to unit L2 norm (true/false)", DefaultValueFactory = _ => new OneVsRestOptions().NormalizeRows };

    private static readonly Option<double> Prune = new("--prune") { Description = "ovr: DiSMEC pruning, drop weights with |w| below this (DiSMEC: 0.01; 0: keep all)", DefaultValueFactory = _ => 0 };

    private static readonly Option<float> Bias = new("--bias") { Description = "ovr: value of the constant bias feature (0: none)", DefaultValueFactory = _ => new OneVsRestOptions().Bias };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("baseline",
        "Baselines: label popularity, cosine k-nearest neighbours (similarity-weighted votes), one-vs-rest linear, Parabel-style label tree",
        [Kind, Neighbours, Weighting, Epochs, Learner, Cost, Tolerance, Prune, NormalizeRows, Bias, Beam, MaxLeafLabels], Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var kind = args.GetValue(Kind)!.Trim().ToLowerInvariant();
        object options = kind switch
        {
            "popularity" => new LabelPopularityOptions(),
            "knn" => new KNearestNeighboursOptions
            {
                Neighbours = args.GetValue(Neighbours),
                Weighting = args.GetValue(Weighting)!.Trim().ToLowerInvariant() switch
                {
                    "similarity" => NeighbourWeighting.Similarity,
                    "uniform" => NeighbourWeighting.Uniform,
                    var other => throw new ArgumentException($"--weighting: unknown '{other}', expected similarity or uniform"),
                },
            },
            "ovr" => new OneVsRestOptions
            {
                Epochs = args.GetValue(Epochs),
                Learner = new BinaryLearnerOptions
                {
                    Kind = BinaryLearnerOptions.ParseKind(args.GetValue(Learner)!),
                    Cost = args.GetValue(Cost),
                    Tolerance = args.GetValue(Tolerance),
                    PruneBelow = args.GetValue(Prune),
                },
                Bias = args.GetValue(Bias),
                NormalizeRows = args.GetValue(NormalizeRows),
                Seed = run.Seed,
            },
            "parabel" => new ParabelOptions { Beam = args.GetValue(Beam), MaxLeafLabels = args.GetValue(MaxLeafLabels), Seed = run.Seed },
            var other => throw new ArgumentException($"--kind: unknown baseline '{other}', expected popularity, knn, ovr or parabel"),
        };
        using var result = run.Experiment(kind, options);
        run.SaveModel(result.Model, $"model.{kind}");
        return result.Report;
    }
}
