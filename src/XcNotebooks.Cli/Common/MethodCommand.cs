using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using XcNotebooks.Distributed;
using XcNotebooks.Experiments;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Wltls;

namespace XcNotebooks.Cli.Common;

/// <summary>What a method command receives: parsed arguments, loaded splits and a console-wired monitor.</summary>
public sealed record MethodRun(ParseResult Args, DataSplits Data, IReadOnlyDictionary<string, string> Files, string? ModelDir, int Seed, int TopK, TrainingMonitor Monitor)
{
    /// <summary>
    /// The ranks this run trains on: the MPI world under `--distributed` or an MPI launcher, else the single process.
    /// Every rank runs the same pipeline in step; only rank 0 prints, saves and reports.
    /// </summary>
    public ICollective Collective => CollectiveOnDemand.Value;

    /// <summary>The collective, started (MPI_Init) only when first needed: a method that cannot train on ranks fails first.</summary>
    internal Lazy<ICollective> CollectiveOnDemand { get; init; } = new(() => SingleProcessCollective.Instance);

    /// <summary>True under `--distributed`: train with the method's <see cref="XcMethod.TrainOnRanks"/>, even on one rank.</summary>
    public bool Distributed { get; init; }

    /// <summary>What could not be written where asked (and where it went instead); the command then exits with 74.</summary>
    internal List<string> WriteFailures { get; init; } = [];

    /// <summary>
    /// Runs <paramref name="method"/> through the library's one pipeline (<see cref="Experiment.Run(XcMethod, DataSplits, object, ExperimentSettings?, TrainingMonitor?)"/>:
    /// train, predict the test split, metrics, report) with --topk, then saves the model in the model directory
    /// (model.METHOD; not with <paramref name="save"/> false, for methods that save their own checkpoint).
    /// <paramref name="settings"/> may set the filter, the k of the metrics or the propensities.
    /// </summary>
    public ExperimentResult RunExperiment(string method, object options, ExperimentSettings? settings = null, bool save = true) =>
        RunExperiment(XcMethods.Find(method), options, settings, save);

    /// <summary>As <see cref="RunExperiment(string, object, ExperimentSettings?, bool)"/>, with a method the caller adapted (e.g. trained across MPI ranks).</summary>
    public ExperimentResult RunExperiment(XcMethod method, object options, ExperimentSettings? settings = null, bool save = true)
    {
        // The metrics' k go up to --topk (P@3 of one prediction per point says nothing).
        settings = (settings ?? new ExperimentSettings { TopK = TopK, Ks = new[] { 1, 3, 5 }.Where(k => k <= TopK).ToArray() })
            with { DatasetFiles = Files, ModelPath = null, ReportPath = null };
        bool onRanks = Distributed || Collectives.LaunchedAsGroup;
        if (onRanks) method = OnRanks(method);
        var result = Experiment.Run(method, Data, options, settings, Monitor);
        try
        {
            if (save) SaveModel(result.Model, "model." + result.Model.Method);
            return !onRanks ? result
                : result with { Report = result.Report with { Details = new Dictionary<string, object?>(result.Report.Details) { ["ranks"] = Collective.Size } } };
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The method trained across <see cref="Collective"/>'s ranks: rank 0 gets the merged (or replicated) model, a rank
    /// that holds only a shard a placeholder (<see cref="XcMethods.OtherRank"/>); an error when the method cannot.
    /// </summary>
    private XcMethod OnRanks(XcMethod method)
    {
        var trainOnRanks = method.TrainOnRanks ?? throw new ArgumentException(
            $"--distributed: {method.Name} trains in one process only; methods that train across MPI ranks: {string.Join(", ", XcMethods.All.Where(m => m.TrainsOnRanks).Select(m => m.Name))}");
        var collective = Collective;
        return method with
        {
            Train = (train, heldout, options, monitor) => trainOnRanks(train, heldout, options, collective, monitor)
                ?? (collective.IsRoot() ? throw new InvalidOperationException($"rank 0 received no merged {method.Name} model") : XcMethods.OtherRank(method, collective.Rank)),
        };
    }

    /// <summary>Path of a file inside the model directory (created on demand), or null when no --model was given.</summary>
    public string? ModelPath(string fileName)
    {
        if (ModelDir is null) return null;
        Directory.CreateDirectory(ModelDir);
        return Path.Combine(ModelDir, fileName);
    }

    /// <summary>
    /// Saves <paramref name="model"/> as <paramref name="fileName"/> in the model directory and returns its size; 0
    /// without --model. When the directory cannot be written (it was checked before training, but disks fill up),
    /// the model goes to a fallback path in the temporary folder instead, and the command ends with exit code 74
    /// and a message naming both.
    /// </summary>
    public long SaveModel(XcNotebooks.Core.IXcModel model, string fileName)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ModelDir is null || !Collective.IsRoot()) return 0; // rank 0 writes the model
        var saved = OutputFallback.Write(Path.Combine(ModelDir, fileName), "model", path =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            model.Save(path);
        }, WriteFailures);
        Monitor.Write($"Model saved to {saved}");
        return new FileInfo(saved).Length;
    }
}

/// <summary>
/// The common shape of every method command:
/// `xcn METHOD --train F [--heldout F] --test F [options] [--model DIR] [--report FILE.json] [--seed N]`.
/// The method adds its own options and returns a <see cref="RunReport"/>; this class loads the data, wires progress
/// bars, prints the metrics and writes the report.
/// </summary>
public static class MethodCommand
{
    /// <summary>--train: training data file.</summary>
    public static readonly Option<string> Train = new("--train") { Description = "training data file (plain, .gz or .bz2)", Required = true };

    /// <summary>--heldout: validation data file.</summary>
    public static readonly Option<string?> Heldout = new("--heldout") { Description = "validation (heldout) data file" };

    /// <summary>--test: test data file.</summary>
    public static readonly Option<string> Test = new("--test") { Description = "test data file", Required = true };

    /// <summary>--model: directory to save the model in.</summary>
    public static readonly Option<string?> Model = new("--model") { Description = "directory to save the trained model in" };

    /// <summary>--report: JSON report path.</summary>
    public static readonly Option<string?> Report = new("--report") { Description = "write a JSON report of the run here" };

    /// <summary>--seed: random seed.</summary>
    public static readonly Option<int> Seed = new("--seed") { Description = "random seed (same seed, same result)", DefaultValueFactory = _ => 0 };

    /// <summary>--format: input format.</summary>
    public static readonly Option<DataFormat> Format = OptionsBinder.EnumOption<DataFormat>("--format", "input format (auto-detected by default)", DataFormat.Auto);

    /// <summary>Train across the ranks of an MPI job (`mpiexec.mpich -n N xcn METHOD ... --distributed`); implied under an MPI launcher.</summary>
    public static readonly Option<bool> Distributed = new("--distributed")
    {
        Description = "train across the ranks of an MPI job (mpiexec.mpich -n N xcn ... --distributed; implied when mpiexec starts several ranks); rank 0 prints, saves and reports",
    };

    /// <summary>--topk: predictions kept per point.</summary>
    public static readonly Option<int> TopK = AtLeastOne(new("--topk") { Description = "predictions kept per point for the metrics (at least 1)", DefaultValueFactory = _ => 5 });

    /// <summary>Adds a parse-time check that the option's value is at least 1, so a bad value fails before any data is read.</summary>
    public static Option<int> AtLeastOne(Option<int> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError($"{option.Name} must be at least 1, got {result.GetValueOrDefault<int>()}");
        });
        return option;
    }

    /// <summary>
    /// Builds a method command with the common options plus <paramref name="methodOptions"/>; <paramref name="run"/>
    /// trains, evaluates and returns the report.
    /// </summary>
    public static Command Create(string name, string description, IEnumerable<Option> methodOptions, Func<MethodRun, RunReport> run,
        Func<string, string?, string?, DataFormat, DataSplits>? load = null)
    {
        var command = new Command(name, description) { Train, Heldout, Test, Model, Report, Seed, Format, TopK, Distributed };
        foreach (var option in methodOptions) command.Add(option);
        command.SetAction(args =>
        {
            var files = new Dictionary<string, string> { ["train"] = args.GetValue(Train)! };
            if (args.GetValue(Heldout) is { } h) files["heldout"] = h;
            files["test"] = args.GetValue(Test)!;
            // Outputs are checked before any data is read: a run is never lost to an unwritable path at the end.
            if (args.GetValue(Model) is { } modelDir) InputFile.CheckWritableDirectory(modelDir);
            if (args.GetValue(Report) is { } reportPath) InputFile.CheckWritableFile(reportPath);
            var sw = Stopwatch.StartNew();
            var data = load is not null
                ? load(files["train"], args.GetValue(Heldout), files["test"], args.GetValue(Format))
                : ConsoleMonitor.Run(monitor => DatasetReader.ReadSplits(files["train"], args.GetValue(Heldout), files["test"], args.GetValue(Format), monitor));
            RequirePoints(data.Train, files["train"], "training");
            RequirePoints(data.Test, files["test"], "test");
            Console.WriteLine($"Loaded {string.Join("; ", data.All.Select(d => d.ToString()))} in {sw.Elapsed.TotalSeconds:F1} s");
            var writeFailures = new List<string>();
            var report = ConsoleMonitor.Run(monitor =>
                run(new MethodRun(args, data, files, args.GetValue(Model), args.GetValue(Seed), args.GetValue(TopK), monitor)
                {
                    WriteFailures = writeFailures,
                    Distributed = args.GetValue(Distributed),
                    CollectiveOnDemand = new(() => Collectives.World(args.GetValue(Distributed))),
                }));
            PrintMetrics(report);
            if (args.GetValue(Report) is { } path && Collectives.ProcessRank == 0)
            {
                var written = OutputFallback.Write(path, "report", report.Save, writeFailures);
                Console.WriteLine($"Report written to {written}");
            }
            if (writeFailures.Count > 0) throw new IOException(string.Join("; ", writeFailures));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Spellings of enums that predate the bound options (e.g. "svm" for the L2-loss SVM, "exp" for the exponential
    /// decoding loss); every method command accepts them beside the member names.
    /// </summary>
    public static IReadOnlyDictionary<Type, Func<string, object>> LegacyEnumSpellings { get; } = new Dictionary<Type, Func<string, object>>
    {
        [typeof(BinaryLearnerKind)] = name => BinaryLearnerOptions.ParseKind(name),
        [typeof(DecodingLoss)] = name => DecodingLosses.Parse(name),
    };

    /// <summary>
    /// A method command whose options are bound from <typeparamref name="TOptions"/> (<see cref="OptionsBinder"/>):
    /// one option per property of <paramref name="defaults"/> except <c>Seed</c> (the common --seed), checked by
    /// <paramref name="validate"/> (default: the record's <c>Validate()</c>) before any data is read.
    /// <paramref name="run"/> receives the bound record, its seed set.
    /// </summary>
    public static Command Create<TOptions>(string name, string description, TOptions defaults, OptionsBinderSettings settings,
        IEnumerable<Option> commandOptions, Func<MethodRun, TOptions, RunReport> run,
        Func<string, string?, string?, DataFormat, DataSplits>? load = null, Action<TOptions>? validate = null,
        Func<ParseResult, TOptions>? baseOptions = null) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(run);
        var bound = BindOptions(defaults, settings);
        var command = Create(name, description, commandOptions,
            method => run(method, WithSeed(bound.Bind(method.Args, baseOptions?.Invoke(method.Args) ?? defaults), method.Seed)), load);
        bound.AddTo(command, defaults, validate);
        return command;
    }

    /// <summary>The options of <paramref name="defaults"/>' record for a method command: <c>Seed</c> left to the common --seed, old enum spellings accepted.</summary>
    public static BoundOptions<TOptions> BindOptions<TOptions>(TOptions defaults, OptionsBinderSettings settings) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(settings);
        return OptionsBinder.Create(defaults, settings with
        {
            Exclude = [.. settings.Exclude, "Seed"],
            EnumParsers = LegacyEnumSpellings.Concat(settings.EnumParsers).ToDictionary(),
        });
    }

    /// <summary><paramref name="options"/> with the common --seed, when the record has a Seed.</summary>
    public static TOptions WithSeed<TOptions>(TOptions options, int seed) where TOptions : class =>
        typeof(TOptions).GetProperty("Seed") is null ? options : OptionsBinder.With(options, "Seed", seed);

    /// <summary>Empty data trains nothing meaningful (NaN metrics, undefined scores): it is an error naming the file.</summary>
    public static void RequirePoints(Dataset data, string file, string role)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.NumPoints == 0) throw new DataFormatException(file, 0, $"no {role} points");
    }

    /// <summary>Prints the report's metrics and costs as a table.</summary>
    public static void PrintMetrics(RunReport report)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (k, v) in report.Metrics) table.AddRow(Markup.Escape(k), v.ToString("F2"));
        table.AddRow("train seconds", report.TrainSeconds.ToString("F2"));
        table.AddRow("predict seconds", report.PredictSeconds.ToString("F3"));
        table.AddRow("model MB", (report.ModelBytes / 1e6).ToString("F2"));
        table.AddRow("peak memory MB", (report.PeakMemoryBytes / 1e6).ToString("F0"));
        AnsiConsole.Write(table);
    }
}
