using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using XcNotebooks.Metrics;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn neuralxc`: trains NeuralXC (input and label autoencoders plus a regressor, trained jointly), tests it, writes
/// the training curves (the three loss terms and P@k per epoch) as HTML, and the common report (P@1/3/5, nDCG@1/3/5,
/// PSP@1/3/5, per-epoch history).
/// </summary>
public sealed class NeuralXcCommand : ICliCommand
{
    private static readonly Option<string> Preset = PresetOption();

    /// <summary>--preset, checked at parse time like the bound options.</summary>
    private static Option<string> PresetOption()
    {
        var option = new Option<string>("--preset")
        {
            Description = "recommended (linear codes, no weight decay, lr 1e-3, batches of 64, 20 epochs: bibtex P@1 55.07) or report " +
                "(the authors' settings: the tanh regressor output saturates and the ranking collapses to label popularity, bibtex P@1 13.96); " +
                "the options below override the preset's values",
            DefaultValueFactory = _ => "recommended",
        };
        option.Validators.Add(result =>
        {
            try { NeuralXcOptions.Preset(result.GetValueOrDefault<string>() ?? ""); }
            catch (ArgumentException e) { result.AddError($"--preset: {e.Message}"); }
        });
        return option;
    }

    private static readonly Option<bool> LinearRegressorOutput = new("--linear-regressor-output")
    { Description = "no tanh after the regressor (the paper's tanh saturates on Bibtex and the ranking collapses to popularity)" };

    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "write the training curves as HTML (default file: training-curves.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>EvaluationK follows --topk (at least 5); the architecture widths keep their earlier short names as hidden spellings.</summary>
    private static readonly OptionsBinderSettings Binding = new()
    {
        Exclude = ["EvaluationK"],
        Aliases =
        [
            new("LearningRate", "--lr"), new("InputEncoderSizes", "--input-encoder"), new("InputDecoderHiddenSizes", "--input-decoder"),
            new("LabelEncoderSizes", "--label-encoder"), new("LabelDecoderHiddenSizes", "--label-decoder"), new("RegressorHiddenSizes", "--regressor"),
        ],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create(NeuralXc.MethodName,
        "NeuralXC: input and label autoencoders with a regressor between their codes (Srinivasan, Rao, Agarwal 2018); defaults shown are the recommended preset's",
        NeuralXcOptions.Recommended, Binding, [Preset, LinearRegressorOutput, Plot], Run,
        baseOptions: args => NeuralXcOptions.Preset(args.GetValue(Preset)!));

    private static RunReport Run(MethodRun run, NeuralXcOptions options)
    {
        var args = run.Args;
        options = options with
        {
            Activations = args.GetValue(LinearRegressorOutput) ? NeuralXcActivations.LinearRegressorOutput : options.Activations,
            EvaluationK = Math.Max(5, run.TopK),
        };
        using var result = run.RunExperiment(NeuralXc.MethodName, options);
        var model = (NeuralXcModel)result.Model;
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (args.GetResult(Plot) is not null)
        {
            var path = args.GetValue(Plot) ?? run.ModelPath("training-curves.html") ?? "training-curves.html";
            var report = new HtmlReport("NeuralXC training curves")
                .AddSection("Losses", ReportBlock.Chart(AutoencoderCharts.NeuralXcLosses(model.History)))
                .AddSection("Precision", ReportBlock.Chart(AutoencoderCharts.NeuralXcPrecision(model.History)));
            report.Save(path);
            run.Monitor.Write($"Training curves written to {path}");
            details["plot"] = path;
        }
        return result.Report with { Details = details };
    }
}
