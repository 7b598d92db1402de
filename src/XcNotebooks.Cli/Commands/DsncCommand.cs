using System.CommandLine;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Methods.Dsnc;
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
    private static readonly Option<int> Bits = new("--bits", "-m") { Description = "code length m (1..64)", DefaultValueFactory = _ => 32 };

    private static readonly Option<string> EncoderHidden = new("--encoder-hidden")
    { Description = "hidden layer sizes of the encoder, e.g. 256 or 512,256 (default: none, a linear encoder)", DefaultValueFactory = _ => "" };

    private static readonly Option<string> DecoderHidden = new("--decoder-hidden")
    { Description = "hidden layer sizes of the decoder (default: none, a linear decoder)", DefaultValueFactory = _ => "" };

    private static readonly Option<string> Estimator = new("--estimator")
    { Description = "gradient estimator across the sampled bits: straight-through or reinforce", DefaultValueFactory = _ => "straight-through" };

    private static readonly Option<int> Epochs = new("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 20 };

    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "points per mini-batch", DefaultValueFactory = _ => 64 };

    private static readonly Option<float> LearningRate = new("--lr") { Description = "Adam step size", DefaultValueFactory = _ => 0.03f };

    private static readonly Option<float> WeightDecay = new("--weight-decay") { Description = "decoupled weight decay (AdamW)", DefaultValueFactory = _ => 0f };

    private static readonly Option<string> LookupOrder = new("--lookup-order")
    { Description = "neighbour order of the code lookup: hamming (radius first) or likelihood (most probable code first)", DefaultValueFactory = _ => "hamming" };

    private static readonly Option<int> MaxNeighbours = new("--max-neighbours")
    { Description = "neighbours a lookup probes before falling back to a scan of the code table (same answer, bounded cost)", DefaultValueFactory = _ => 256 };

    private static readonly Option<BackendKind> Backend = new("--backend")
    { Description = "compute backend: auto (ILGPU on a GPU, else CPU), cpu or ilgpu", DefaultValueFactory = _ => BackendKind.Auto };

    private static readonly Option<string?> TradeOff = new("--tradeoff")
    { Description = "also run the accuracy-vs-code-length experiment at these code lengths against W-LTLS, e.g. 8,16,32,64" };

    private static readonly Option<string?> TradeOffHtml = new("--tradeoff-html")
    { Description = "where the experiment's charts go (default: tradeoff.html in the model directory, or here)" };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dsnc",
        "DSNC: deep stochastic binary codes learned end to end, learned decoder and code lookup (Gerald et al. 2019)",
        [Bits, EncoderHidden, DecoderHidden, Estimator, Epochs, BatchSize, LearningRate, WeightDecay, LookupOrder, MaxNeighbours, Backend, TradeOff, TradeOffHtml],
        Run);

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        var options = new DsncOptions
        {
            CodeBits = args.GetValue(Bits),
            EncoderHidden = ParseSizes(args.GetValue(EncoderHidden)!, "--encoder-hidden"),
            DecoderHidden = ParseSizes(args.GetValue(DecoderHidden)!, "--decoder-hidden"),
            Estimator = ParseEstimator(args.GetValue(Estimator)!),
            Epochs = args.GetValue(Epochs),
            BatchSize = args.GetValue(BatchSize),
            LearningRate = args.GetValue(LearningRate),
            WeightDecay = args.GetValue(WeightDecay),
            LookupOrder = ParseOrder(args.GetValue(LookupOrder)!),
            MaxNeighbours = args.GetValue(MaxNeighbours),
            Backend = args.GetValue(Backend),
            Seed = run.Seed,
        }.Validate();

        using var result = run.Experiment(Dsnc.MethodName, options);
        run.SaveModel(result.Model, "model.dsnc");
        var details = new Dictionary<string, object?>(result.Report.Details);

        if (args.GetValue(TradeOff) is { } bitList)
        {
            monitor.Write("Accuracy vs code length:");
            var rows = DsncTradeOff.Run(data, ParseSizes(bitList, "--tradeoff"), options, null, monitor);
            var path = args.GetValue(TradeOffHtml) ?? run.ModelPath("tradeoff.html") ?? "tradeoff.html";
            DsncTradeOff.Report(rows, data.Train.Name).Save(path);
            monitor.Write($"Trade-off charts written to {path}");
            details["tradeoff"] = rows;
            details["tradeoffHtml"] = path;
        }

        return result.Report with { Details = details };
    }

    private static int[] ParseSizes(string text, string option) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
                ? n : throw new ArgumentException($"{option}: '{p}' is not a positive integer"))
            .ToArray();

    private static BinaryGradientEstimator ParseEstimator(string name) => name.Trim().ToLowerInvariant() switch
    {
        "straight-through" or "straight_through" or "st" => BinaryGradientEstimator.StraightThrough,
        "reinforce" => BinaryGradientEstimator.Reinforce,
        _ => throw new ArgumentException($"unknown estimator '{name}': expected straight-through or reinforce"),
    };

    private static NeighbourOrder ParseOrder(string name) => name.Trim().ToLowerInvariant() switch
    {
        "hamming" => NeighbourOrder.HammingThenConfidence,
        "likelihood" => NeighbourOrder.Likelihood,
        _ => throw new ArgumentException($"unknown lookup order '{name}': expected hamming or likelihood"),
    };
}
