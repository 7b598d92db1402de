using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Common;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Metrics;

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

    private static readonly Option<bool> Distributed = new("--distributed")
    {
        Description = "ovr, parabel: labels (tree nodes) sharded over the MPI ranks (mpiexec.mpich -n N xcn ...; also on when started by a launcher with several ranks); rank 0 merges the shards, evaluates and writes model and report",
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("baseline",
        "Baselines: label popularity, cosine k-nearest neighbours (similarity-weighted votes), one-vs-rest linear, Parabel-style label tree",
        [Kind, Neighbours, Weighting, Epochs, Learner, Cost, Tolerance, Prune, NormalizeRows, Bias, Beam, MaxLeafLabels, Distributed], Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var train = run.Data.Train;
        object? options;
        var clock = Stopwatch.StartNew();
        IXcModel model;
        long modelBytes;
        var details = new Dictionary<string, object?>();
        var kind = args.GetValue(Kind)!.Trim().ToLowerInvariant();
        bool distributed = args.GetValue(Distributed) || Collectives.LaunchedAsGroup;
        if (distributed && kind is not ("ovr" or "parabel")) throw new ArgumentException($"--distributed: supported for --kind ovr and parabel, not {kind}");
        var collective = distributed ? Collectives.World(distributed: true) : null;
        switch (kind)
        {
            case "popularity":
                var popularity = LabelPopularity.Train(train);
                (model, options, modelBytes) = (popularity, null, popularity.ModelBytes);
                break;
            case "knn":
                var knnOptions = new KNearestNeighboursOptions
                {
                    Neighbours = args.GetValue(Neighbours),
                    Weighting = args.GetValue(Weighting)!.Trim().ToLowerInvariant() switch
                    {
                        "similarity" => NeighbourWeighting.Similarity,
                        "uniform" => NeighbourWeighting.Uniform,
                        var other => throw new ArgumentException($"--weighting: unknown '{other}', expected similarity or uniform"),
                    },
                };
                var knn = KNearestNeighbours.Train(train, knnOptions);
                (model, options, modelBytes) = (knn, knnOptions, knn.ModelBytes);
                break;
            case "ovr":
                var ovrOptions = new OneVsRestOptions
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
                };
                var ovr = collective is null ? OneVsRestLinear.Train(train, ovrOptions, run.Monitor)
                    : DistributedOneVsRest.Train(train, ovrOptions, collective, run.Monitor);
                // The other ranks trained their shards for rank 0: they neither evaluate nor write anything.
                if (ovr is null) return new RunReport { Method = OneVsRestLinear.MethodName, DatasetFiles = run.Files, Options = ovrOptions };
                if (collective is not null) details["ranks"] = collective.Size;
                (model, options, modelBytes) = (ovr, ovrOptions, ovr.ModelBytes);
                details["nonZeroWeights"] = ovr.NonZeroWeights;
                break;
            case "parabel":
                var parabelOptions = new ParabelOptions { Beam = args.GetValue(Beam), MaxLeafLabels = args.GetValue(MaxLeafLabels), Seed = run.Seed };
                var parabel = collective is null ? Parabel.Train(train, parabelOptions, run.Monitor)
                    : DistributedParabel.Train(train, parabelOptions, collective, run.Monitor);
                if (parabel is null) return new RunReport { Method = Parabel.MethodName, DatasetFiles = run.Files, Options = parabelOptions };
                if (collective is not null) details["ranks"] = collective.Size;
                (model, options, modelBytes) = (parabel, parabelOptions, parabel.ModelBytes);
                details["nodes"] = parabel.Tree.NumNodes;
                details["leaves"] = parabel.Tree.NumLeaves;
                break;
            case var other:
                throw new ArgumentException($"--kind: unknown baseline '{other}', expected popularity, knn, ovr or parabel");
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var predictions = model.TopK(run.Data.Test, Math.Max(1, run.TopK));
        double predictSeconds = clock.Elapsed.TotalSeconds;
        if (run.ModelPath($"model.{model.Method}") is { } path)
        {
            model.Save(path);
            run.Monitor.Write($"Model saved to {path}");
        }
        return new RunReport
        {
            Method = model.Method,
            DatasetFiles = run.Files,
            Options = options,
            Metrics = RankingMetrics.Standard(train, run.Data.Test, predictions, predictions.K),
            TrainSeconds = trainSeconds,
            PredictSeconds = predictSeconds,
            ModelBytes = modelBytes,
            Details = details,
        };
    }
}
