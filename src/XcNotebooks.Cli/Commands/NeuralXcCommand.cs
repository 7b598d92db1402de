using System.CommandLine;
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
    private static readonly Option<string> Preset = new("--preset")
    {
        Description = "recommended (linear codes, no weight decay, lr 1e-3, batches of 64, 20 epochs: bibtex P@1 55.07) or report " +
            "(the authors' settings: the tanh regressor output saturates and the ranking collapses to label popularity, bibtex P@1 13.96); " +
            "the options below override the preset's values",
        DefaultValueFactory = _ => "recommended",
    };

    private static readonly Option<int?> Epochs = new("--epochs") { Description = "training epochs (recommended 20, report 10)" };

    private static readonly Option<float?> Alpha = new("--alpha") { Description = "weight of the input reconstruction loss (both presets 0.01)" };

    private static readonly Option<float?> Beta = new("--beta") { Description = "weight of the label reconstruction loss (both presets 0.01)" };

    private static readonly Option<float?> LearningRate = new("--lr") { Description = "Adam learning rate (recommended 1e-3, report 3e-4)" };

    private static readonly Option<float?> WeightDecay = new("--weight-decay") { Description = "L2 weight decay, added to the gradient as PyTorch's Adam (recommended 0, report 1e-4)" };

    private static readonly Option<int?> BatchSize = new("--batch-size") { Description = "points per mini-batch (both presets 64)" };

    private static readonly Option<string?> InputEncoder = new("--input-encoder") { Description = "input encoder widths after D, code last, e.g. 1152,600,256 (default: the Bibtex shape scaled to D)" };

    private static readonly Option<string?> InputDecoder = new("--input-decoder") { Description = "input decoder hidden widths (default: the encoder's, reversed)" };

    private static readonly Option<string?> LabelEncoder = new("--label-encoder") { Description = "label encoder widths after L, code last, e.g. 96,32 (default: the Bibtex shape scaled to L)" };

    private static readonly Option<string?> LabelDecoder = new("--label-decoder") { Description = "label decoder hidden widths (default: the encoder's, reversed)" };

    private static readonly Option<string?> Regressor = new("--regressor") { Description = "regressor hidden widths, e.g. 112 ('none' for a single layer)" };

    private static readonly Option<bool> LinearRegressorOutput = new("--linear-regressor-output")
    { Description = "no tanh after the regressor (the paper's tanh saturates on Bibtex and the ranking collapses to popularity)" };

    private static readonly Option<BackendKind> Backend = new("--backend") { Description = "compute backend: auto, cpu or ilgpu", DefaultValueFactory = _ => BackendKind.Auto };

    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "write the training curves as HTML (default file: training-curves.html in the model directory or here)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create(NeuralXc.MethodName,
        "NeuralXC: input and label autoencoders with a regressor between their codes (Srinivasan, Rao, Agarwal 2018)",
        [Preset, Epochs, Alpha, Beta, LearningRate, WeightDecay, BatchSize, InputEncoder, InputDecoder, LabelEncoder, LabelDecoder, Regressor, LinearRegressorOutput, Backend, Plot],
        Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var preset = NeuralXcOptions.Preset(args.GetValue(Preset)!);
        var options = preset with
        {
            Epochs = args.GetValue(Epochs) ?? preset.Epochs,
            Alpha = args.GetValue(Alpha) ?? preset.Alpha,
            Beta = args.GetValue(Beta) ?? preset.Beta,
            LearningRate = args.GetValue(LearningRate) ?? preset.LearningRate,
            WeightDecay = args.GetValue(WeightDecay) ?? preset.WeightDecay,
            BatchSize = args.GetValue(BatchSize) ?? preset.BatchSize,
            InputEncoderSizes = Widths(args.GetValue(InputEncoder), "--input-encoder"),
            InputDecoderHiddenSizes = Widths(args.GetValue(InputDecoder), "--input-decoder"),
            LabelEncoderSizes = Widths(args.GetValue(LabelEncoder), "--label-encoder"),
            LabelDecoderHiddenSizes = Widths(args.GetValue(LabelDecoder), "--label-decoder"),
            RegressorHiddenSizes = Widths(args.GetValue(Regressor), "--regressor"),
            Activations = args.GetValue(LinearRegressorOutput) ? NeuralXcActivations.LinearRegressorOutput : preset.Activations,
            Backend = args.GetValue(Backend),
            EvaluationK = Math.Max(5, run.TopK),
            Seed = run.Seed,
        };
        using var result = run.Experiment(NeuralXc.MethodName, options);
        var model = (NeuralXcModel)result.Model;
        var details = new Dictionary<string, object?>(result.Report.Details);
        run.SaveModel(model, "model.neuralxc");
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

    /// <summary>"1152,600,256" as widths; "none" as an empty list; null when the option is not given.</summary>
    internal static int[]? Widths(string? text, string option)
    {
        if (text is null) return null;
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int w) && w > 0
                ? w : throw new ArgumentException($"{option}: '{p}' is not a positive layer width"))
            .ToArray();
    }
}
