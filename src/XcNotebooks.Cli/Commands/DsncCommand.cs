using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Experiments;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn dsnc`: trains and tests DSNC, reports the accuracy of both decodings (learned decoder, code lookup), the code
/// statistics (length, distinct codes, collisions, classes without a code) and the prediction speed of each decoding;
/// `--tradeoff 8,16,32,64` adds the accuracy-versus-code-length experiment against W-LTLS and writes its charts.
/// </summary>
public sealed class DsncCommand : ICliCommand
{
    private static readonly Option<int[]> TradeOff = OptionsBinder.IntListOption("--tradeoff",
        "also run the accuracy-vs-code-length experiment at these code lengths against W-LTLS, e.g. 8,16,32,64");

    private static readonly Option<string?> TradeOffHtml = new("--tradeoff-html")
    { Description = "where the experiment's charts go (default: tradeoff.html in the model directory, or here)" };

    private static readonly OptionsBinderSettings Binding = new()
    {
        Aliases = [new("CodeBits", "--bits"), new("CodeBits", "-m"), new("LearningRate", "--lr")],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dsnc",
        "DSNC: deep stochastic binary codes learned end to end, learned decoder and code lookup (Gerald et al. 2019)",
        new DsncOptions(), Binding, [TradeOff, TradeOffHtml], Run);

    private static RunReport Run(MethodRun run, DsncOptions options)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        using var result = run.RunExperiment(Dsnc.MethodName, options);
        var details = new Dictionary<string, object?>(result.Report.Details);

        if (args.GetValue(TradeOff) is { Length: > 0 } bitList)
        {
            monitor.Write("Accuracy vs code length:");
            var rows = DsncTradeOff.Run(data, bitList, options, null, monitor);
            var path = args.GetValue(TradeOffHtml) ?? run.ModelPath("tradeoff.html") ?? "tradeoff.html";
            DsncTradeOff.Report(rows, data.Train.Name).Save(path);
            monitor.Write($"Trade-off charts written to {path}");
            details["tradeoff"] = rows;
            details["tradeoffHtml"] = path;
        }

        return result.Report with { Details = details };
    }
}
