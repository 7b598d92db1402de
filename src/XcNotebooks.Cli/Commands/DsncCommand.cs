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
        var training = Dsnc.TrainDetailed(data.Train, data.Heldout, options, monitor);
        using var model = training.Model;
        var test = data.Test;

        var clock = Stopwatch.StartNew();
        var predictions = model.TopK(test, Math.Max(1, run.TopK));
        double predictSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var lookup = model.PredictByLookup(test);
        double lookupSeconds = clock.Elapsed.TotalSeconds;
        double accuracy = 100 * XcMetrics.Accuracy(test.Labels, predictions.Top1());
        double lookupAccuracy = 100 * XcMetrics.Accuracy(test.Labels, lookup.Classes);
        double decoderSpeed = PointsPerSecond(test.NumPoints, predictSeconds), lookupSpeed = PointsPerSecond(test.NumPoints, lookupSeconds);
        var stats = model.CodeStatistics;
        monitor.Write(string.Create(CultureInfo.InvariantCulture,
            $"Test accuracy: learned decoder {accuracy:F2}% ({decoderSpeed:N0} points/s), code lookup {lookupAccuracy:F2}% ({lookupSpeed:N0} points/s, {lookup.AverageNeighboursProbed:F1} neighbours probed, {100 * lookup.FallbackShare:F1}% fallbacks)"));

        run.SaveModel(model, "model.dsnc");

        var details = new Dictionary<string, object?>
        {
            ["codeBits"] = options.CodeBits,
            ["codedClasses"] = model.CodeTable.Count,
            ["codeStatistics"] = stats,
            ["decoderPointsPerSecond"] = decoderSpeed,
            ["lookupPointsPerSecond"] = lookupSpeed,
            ["lookupAverageNeighboursProbed"] = lookup.AverageNeighboursProbed,
            ["lookupFallbackShare"] = lookup.FallbackShare,
            ["lookupExactHits"] = lookup.ExactHits,
            ["epochs"] = training.Epochs,
            ["bestEpoch"] = training.BestEpoch,
            ["backend"] = model.Backend.Name,
        };

        if (args.GetValue(TradeOff) is { } bitList)
        {
            monitor.Write("Accuracy vs code length:");
            var rows = DsncTradeOff.Run(data, bitList, options, null, monitor);
            var path = args.GetValue(TradeOffHtml) ?? run.ModelPath("tradeoff.html") ?? "tradeoff.html";
            DsncTradeOff.Report(rows, data.Train.Name).Save(path);
            monitor.Write($"Trade-off charts written to {path}");
            details["tradeoff"] = rows;
            details["tradeoffHtml"] = path;
        }

        var metrics = new Dictionary<string, double> { ["accuracy"] = accuracy, ["lookup accuracy"] = lookupAccuracy };
        foreach (var (name, value) in XcMetrics.Evaluate(test.Labels, predictions, predictions.K).ToDictionary()) metrics[name] = value;
        return new RunReport
        {
            Method = Dsnc.MethodName,
            DatasetFiles = run.Files,
            Options = options,
            Metrics = metrics,
            TrainSeconds = training.TrainSeconds,
            PredictSeconds = predictSeconds,
            ModelBytes = model.ModelBytes,
            Details = details,
        };
    }

    private static double PointsPerSecond(int points, double seconds) => points / Math.Max(seconds, 1e-9);
}
