using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Common;
using XcNotebooks.Distributed;
using XcNotebooks.Experiments;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Core;
using XcNotebooks.Metrics;

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

    private static readonly Option<bool> Distributed = new("--distributed")
    {
        Description = "ovr, parabel: labels (tree nodes) sharded over the MPI ranks (mpiexec.mpich -n N xcn ...; also on when started by a launcher with several ranks); rank 0 merges the shards, evaluates and writes model and report",
    };

    /// <inheritdoc/>
    public Command Build()
    {
        Kind.Required = true;
        var command = MethodCommand.Create("baseline",
            "Baselines: label popularity, cosine k-nearest neighbours (similarity-weighted votes), one-vs-rest linear, Parabel-style label tree",
            [Kind, Distributed], Run);
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
        var method = XcMethods.Find(OptionsBinder.KebabCase(kind.ToString()));
        int ranks = 1;
        if (args.GetValue(Distributed) || Collectives.LaunchedAsGroup)
        {
            if (kind is not (BaselineKind.Ovr or BaselineKind.Parabel))
                throw new ArgumentException($"--distributed: supported for --kind ovr and parabel, not {method.Name}");
            var collective = Collectives.World(distributed: true);
            IXcModel? TrainShard(Dataset train, object o, TrainingMonitor monitor) => o is OneVsRestOptions ovr
                ? DistributedOneVsRest.Train(train, ovr, collective, monitor)
                : DistributedParabel.Train(train, (ParabelOptions)o, collective, monitor);
            // The other ranks train their shards for rank 0: they neither evaluate nor write anything.
            if (!collective.IsRoot())
            {
                TrainShard(run.Data.Train, options, run.Monitor);
                return new RunReport { Method = method.Name, DatasetFiles = run.Files, Options = options };
            }
            ranks = collective.Size;
            method = method with
            {
                Train = (train, _, o, monitor) => TrainShard(train, o, monitor) ?? throw new InvalidOperationException("rank 0 received no merged model"),
            };
        }
        using var result = run.RunExperiment(method, options);
        return ranks == 1 ? result.Report
            : result.Report with { Details = new Dictionary<string, object?>(result.Report.Details) { ["ranks"] = ranks } };
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
