using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Methods.Wltls;

namespace XcNotebooks.Experiments;

/// <summary>
/// One method as every front end sees it: its CLI name, a description, its options record (type and defaults), and
/// how to train and load its model. <see cref="Validate"/> checks options before any data is read.
/// </summary>
/// <param name="Name">The CLI and model-file name ("wltls", "dsnc", ...).</param>
/// <param name="Description">One line on what the method is.</param>
/// <param name="OptionsType">The options record's type.</param>
/// <param name="DefaultOptions">The options the CLI starts from (the paper's or the recommended values).</param>
/// <param name="Train">Trains on (train, heldout or null, options of <paramref name="OptionsType"/>, monitor).</param>
/// <param name="Load">Loads a saved model onto a backend (null: the saved or default one).</param>
public sealed record XcMethod(string Name, string Description, Type OptionsType, object DefaultOptions,
    Func<Dataset, Dataset?, object, TrainingMonitor, IXcModel> Train, Func<string, BackendKind?, IXcModel> Load)
{
    /// <summary>Checks options of <see cref="OptionsType"/> without data: ArgumentException naming the option.</summary>
    public Action<object> Validate { get; init; } = _ => { };

    /// <summary>
    /// Trains across the ranks of a collective (every rank calls it with the same data and options, MPI's model):
    /// label-sharded methods return the merged model on rank 0 and null on the others, or a model that stays spread
    /// over the ranks (<see cref="ICollectiveModel"/>, e.g. one-vs-rest's label shards) on every rank; data-parallel
    /// methods return the same model on every rank. Null when the method trains in one process only.
    /// </summary>
    public Func<Dataset, Dataset?, object, ICollective, TrainingMonitor, IXcModel?>? TrainOnRanks { get; init; }

    /// <summary>True when <see cref="TrainOnRanks"/> is set.</summary>
    public bool TrainsOnRanks => TrainOnRanks is not null;
}

/// <summary>The registry of methods: by name, and loading any saved model by the method its file names.</summary>
public static class XcMethods
{
    /// <summary>Every method, in the order the CLI lists them.</summary>
    public static IReadOnlyList<XcMethod> All { get; } =
    [
        Method("wltls", "W-LTLS: wide trellis codes with loss-based decoding (Evron et al., NeurIPS 2018)", new WltlsOptions(),
            Wltls.Train, (p, b) => WltlsModel.Load(p, b), o => o.Validate())
            .OnRanks<WltlsOptions>((train, heldout, options, collective, monitor) => DistributedWltls.Train(train, heldout, options, collective, monitor)),
        Method("dsnc", "DSNC: deep stochastic binary codes learned end to end (Gerald et al. 2019)", new DsncOptions(),
            (train, heldout, options, monitor) => Dsnc.Train(train, heldout, options, monitor), (p, b) => DsncModel.Load(p, b), o => o.Validate()),
        Method(NeuralXc.MethodName, "NeuralXC: input and label autoencoders with a regressor between their codes (Srinivasan et al. 2018)",
            NeuralXcOptions.Recommended, NeuralXc.Train, (p, b) => NeuralXcModel.Load(p, b), o => o.Validate()),
        Method(HierarchicalXc.MethodName, "HierarchicalXC: a co-occurrence label tree with a none/one/both classifier per inner node (Srinivasan et al. 2018)",
            new HierarchicalXcOptions(), HierarchicalXc.Train, (p, b) => HierarchicalXcModel.Load(p, b), o => o.Validate()),
        Method("dexa", "DEXA: deep encoders with auxiliary parameters (Dahiya et al., KDD 2023); text data with label texts", new DexaOptions(),
            (train, heldout, options, monitor) => Dexa.Train(train, heldout, options, monitor), (p, b) => DexaModel.Load(p, b), o => o.Validate())
            .OnRanks<DexaOptions>((train, heldout, options, collective, monitor) => Dexa.Train(train, heldout, options, monitor, collective)), // data-parallel M1: every rank's model
        Method("dexml", "DEXML: dual encoders with DecoupledSoftmax over all labels (Gupta et al., ICLR 2024); text data with label texts", new DexmlOptions(),
            (train, heldout, options, monitor) => Dexml.Train(train, heldout, options, monitor), (p, b) => DexmlModel.Load(p, b), o => o.Validate())
            .OnRanks<DexmlOptions>((train, heldout, options, collective, monitor) => Dexml.Train(train, heldout, options, monitor, collective)), // data-parallel: every rank's model
        Method(OneVsRestLinear.MethodName, "One-vs-rest linear classifiers (LIBLINEAR's L2-SVM by default; DiSMEC pruning as an option)", new OneVsRestOptions(),
            OneVsRestLinear.Train, (p, b) => OneVsRestLinear.Load(p, b), o => o.Validate())
            .OnRanks<OneVsRestOptions>((train, _, options, collective, monitor) => ShardedOneVsRest.Train(train, options, collective, monitor)),
        Method(Parabel.MethodName, "Parabel-style balanced label tree with beam search (Prabhu et al. 2018)", new ParabelOptions(),
            Parabel.Train, (p, b) => ParabelModel.Load(p, b), o => o.Validate())
            .OnRanks<ParabelOptions>((train, _, options, collective, monitor) => DistributedParabel.Train(train, options, collective, monitor)),
        Method(KNearestNeighbours.MethodName, "Cosine k-nearest neighbours with similarity-weighted votes", new KNearestNeighboursOptions(),
            KNearestNeighbours.Train, (p, b) => KNearestNeighbours.Load(p, b), o => o.Validate()),
        Method(CalibratedFusion.MethodName, "Calibrated fusion: one-vs-rest probabilities (Platt scaling per label) plus k-nearest-neighbour votes, settings chosen on held-out folds",
            new CalibratedFusionOptions(), CalibratedFusion.Train, (p, b) => CalibratedFusionModel.Load(p, b), o => o.Validate()),
        Method(LabelPopularity.MethodName, "Label popularity: the same ranking for every point", new LabelPopularityOptions(),
            LabelPopularity.Train, (p, b) => LabelPopularity.Load(p, b), o => o.Validate()),
    ];

    /// <summary>The method called <paramref name="name"/> (case-insensitive); the error lists the names.</summary>
    public static XcMethod Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(m => m.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown method '{name}': expected one of {string.Join(", ", All.Select(m => m.Name))}");
    }

    /// <summary>Loads a model saved by any method: the file's header names the method.</summary>
    public static IXcModel Load(string path, BackendKind? backend = null)
    {
        var name = ModelFile.ReadMethod(path);
        var method = All.FirstOrDefault(m => m.Name == name)
            ?? throw new DataFormatException(path, 0, $"a model of method '{Shown(name)}', which this kit ({Kit.Version}) does not know (it knows {string.Join(", ", All.Select(m => m.Name))})");
        return method.Load(path, backend);
    }

    /// <summary>The placeholder a rank other than 0 gets from label-sharded training (it holds no merged model).</summary>
    public static IXcModel OtherRank(XcMethod method, int rank) => new OtherRankModel((method ?? throw new ArgumentNullException(nameof(method))).Name, rank);

    /// <summary>A stored name as a message shows it: a damaged one may be long.</summary>
    private static string Shown(string name) => name.Length <= 40 ? name : name[..40] + "…";

    /// <summary>A method whose typed train/validate functions are wrapped with a clear error for options of the wrong type.</summary>
    private static XcMethod Method<TOptions>(string name, string description, TOptions defaults,
        Func<Dataset, Dataset?, TOptions, TrainingMonitor?, IXcModel> train, Func<string, BackendKind?, IXcModel> load, Func<TOptions, TOptions> validate)
        where TOptions : class =>
        new(name, description, typeof(TOptions), defaults,
            (trainData, heldout, options, monitor) => train(trainData, heldout, validate(Cast<TOptions>(name, options)), monitor), load)
        {
            Validate = options => validate(Cast<TOptions>(name, options)),
        };

    /// <summary>The method with <see cref="XcMethod.TrainOnRanks"/> set from a typed function (options checked as <see cref="XcMethod.Train"/> checks them).</summary>
    private static XcMethod OnRanks<TOptions>(this XcMethod method, Func<Dataset, Dataset?, TOptions, ICollective, TrainingMonitor, IXcModel?> train)
        where TOptions : class => method with
        {
            TrainOnRanks = (trainData, heldout, options, collective, monitor) =>
            {
                method.Validate(options);
                return train(trainData, heldout, Cast<TOptions>(method.Name, options), collective, monitor);
            },
        };

    private static TOptions Cast<TOptions>(string method, object options) where TOptions : class =>
        options as TOptions ?? throw new ArgumentException(
            $"{method} takes {typeof(TOptions).Name}, got {(options is null ? "null" : options.GetType().Name)}");
}
