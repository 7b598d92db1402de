using XcNotebooks.Methods.TwoTower;
using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Common;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Experiments;
using XcNotebooks.Encoders;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn dexml`: trains DEXML's dual encoder on a text data set with label texts (the data sets `xcn dexa` reads) and
/// tests it by exact nearest-label search; `--loss` picks Softmax, DecoupledSoftmax or SoftTop-k, and `--compare`
/// trains all three and adds the comparison table to the report.
/// </summary>
public sealed class DexmlCommand : ICliCommand
{
    private static readonly Option<bool> Compare = new("--compare", "--ablation") { Description = "also train all three losses and report the comparison table" };

    private static readonly DexmlOptions Defaults = TextMethodOptions.Defaults(new DexmlOptions());

    private static readonly OptionsBinderSettings Binding = new()
    {
        Exclude = TextMethodOptions.Exclude,
        Aliases =
        [
            .. TextMethodOptions.Aliases, new("Temperature", "--tau"), new("SoftTopk.K", "--topk-k"), new("SoftTopk.Alpha", "--topk-alpha"),
            new("HardNegativeShortlist", "--hard-shortlist"), new("HardNegativeStart", "--hard-start"),
            new("SamplePositives", "--all-positives", Negated: true), new("GradientCaching", "--no-cache", Negated: true),
            new("GradientCacheChunk", "--cache-chunk"), new("LearningRate", "--lr"),
        ],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dexml",
        "DEXML: dual encoders with DecoupledSoftmax over all labels through gradient caching (Gupta et al., ICLR 2024); text data with label texts",
        Defaults, Binding, [.. TextMethodOptions.CommandOptions, Compare], Run, DexaCommand.Load,
        baseOptions: args => TextMethodOptions.BaseOptions(args, Defaults));

    private static RunReport Run(MethodRun run, DexmlOptions options)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        options = TextMethodOptions.ApplyDimension(args, options);
        if (TextMethodOptions.ParsePropensity(args) is var (a, b)) options = options with { PropensityA = a, PropensityB = b };
        options.Validate();
        var filters = TextMethodOptions.FiltersOf(run.Files["train"], args);

        using var result = run.RunExperiment("dexml", options, new ExperimentSettings
        {
            TopK = Math.Max(10, run.TopK), Ks = [1, 3, 5, 10], Filter = filters.Test, PropensityA = options.PropensityA, PropensityB = options.PropensityB,
        });
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (args.GetValue(Compare))
        {
            var comparison = Dexml.Compare(data, options, monitor, filters.Test);
            monitor.Write(comparison.ToString());
            details["comparison"] = comparison.Rows.Select(r => new Dictionary<string, object>
            {
                ["loss"] = r.Loss.ToString(),
                ["metrics"] = r.Metrics.ToDictionary(ks: [1, 3, 5, 10]),
                ["trainSeconds"] = r.TrainSeconds,
                ["predictSeconds"] = r.PredictSeconds,
                ["epochLoss"] = r.History.Select(e => e.Loss).ToArray(),
            }).ToArray();
        }
        return result.Report with { Details = details };
    }
}
