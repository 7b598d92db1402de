using XcNotebooks.Methods.TwoTower;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Experiments;
using XcNotebooks.Encoders;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn dexa`: trains DEXA on a text data set with label texts (an LF-* directory of json.gz files, a DEXML raw-text
/// directory with .npz labels, Reuters-21578, CLINC150, or JSON lines files) and tests it; `--ablation` adds the
/// paper's ablation table (encoder only / + auxiliary vectors / + classifiers) to the report.
/// </summary>
public sealed class DexaCommand : ICliCommand
{
    private static readonly Option<bool> AblationOption = new("--ablation") { Description = "also run the ablation: encoder only, + auxiliary vectors, + classifiers" };

    private static readonly DexaOptions Defaults = TextMethodOptions.Defaults(new DexaOptions());

    private static readonly OptionsBinderSettings Binding = new()
    {
        Exclude = TextMethodOptions.Exclude,
        Aliases =
        [
            .. TextMethodOptions.Aliases, new("EncoderEpochs", "--epochs"), new("EncoderBatchSize", "--batch-size"), new("EncoderLearningRate", "--lr"),
            new("Auxiliary", "--no-aux", Negated: true), new("Classifiers", "--no-classifiers", Negated: true), new("ShortlistSize", "--shortlist"),
            new("Fusion.Kind", "--fusion"), new("SparseScores", "--no-sparse", Negated: true),
        ],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dexa",
        "DEXA: deep encoders with auxiliary parameters (Dahiya et al., KDD 2023), with NGAME mini-batches; text data with label texts",
        Defaults, Binding, [.. TextMethodOptions.CommandOptions, AblationOption], Run, Load,
        baseOptions: args => TextMethodOptions.BaseOptions(args, Defaults));

    /// <summary>Text data sets are directories (LF-*, raw text, Reuters, CLINC150) or JSON lines files.</summary>
    internal static DataSplits Load(string train, string? heldout, string? test, DataFormat format) =>
        ConsoleMonitor.Run(monitor =>
        {
            if (Directory.Exists(train))
            {
                if (heldout is not null || (test is not null && Path.GetFullPath(test) != Path.GetFullPath(train)))
                    throw new ArgumentException($"{train} is a directory holding its own splits: pass it as both --train and --test, with no --heldout");
                return DatasetReader.ReadDirectory(train, format, monitor);
            }
            return DatasetReader.ReadSplits(train, heldout, test, format == DataFormat.Auto ? DataFormat.JsonLines : format, monitor);
        });

    private static RunReport Run(MethodRun run, DexaOptions options)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        options = TextMethodOptions.ApplyDimension(args, options);
        if (TextMethodOptions.ParsePropensity(args) is var (a, b)) options = options with { PropensityA = a, PropensityB = b };
        options.Validate();
        var filters = TextMethodOptions.FiltersOf(run.Files["train"], args);
        options = options with { FusionFilter = data.Heldout is null ? filters.Train : null };

        int topK = Math.Max(5, run.TopK);
        using var result = run.RunExperiment("dexa", options, new ExperimentSettings
        {
            TopK = topK, Ks = new[] { 1, 3, 5, topK }.Where(k => k <= topK).Distinct().ToArray(),
            PropensityA = options.PropensityA, PropensityB = options.PropensityB, Filter = filters.Test,
        });
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (args.GetValue(AblationOption))
        {
            var ablation = Dexa.Ablation(data, options, monitor, filters.Test);
            monitor.Write(ablation.ToString());
            details["ablation"] = ablation.Details();
        }
        return result.Report with { Details = details };
    }
}
