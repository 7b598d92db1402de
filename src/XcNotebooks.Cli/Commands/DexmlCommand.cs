using XcNotebooks.Methods.TwoTower;
using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Encoders;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn dexml`: trains DEXML's dual encoder on a text data set with label texts (the data sets `xcn dexa` reads) and
/// tests it by exact nearest-label search; `--loss` picks Softmax, DecoupledSoftmax or SoftTop-k, and `--compare`
/// trains all three and adds the comparison table to the report.
/// </summary>
public sealed class DexmlCommand : ICliCommand
{
    private static readonly Option<string> Loss = new("--loss")
    { Description = "loss: decoupled (DecoupledSoftmax, the paper's), softmax (InfoNCE) or softtopk (SoftTop-k)", DefaultValueFactory = _ => "decoupled" };

    private static readonly Option<bool> Compare = new("--compare", "--ablation") { Description = "also train all three losses and report the comparison table" };

    private static readonly Option<float> Temperature = new("--tau") { Description = "temperature: scores are cosine / tau", DefaultValueFactory = _ => 0.05f };

    private static readonly Option<int> TopkK = new("--topk-k") { Description = "K of the SoftTop-k loss", DefaultValueFactory = _ => 5 };

    private static readonly Option<float> TopkAlpha = new("--topk-alpha") { Description = "alpha (sharpness) of the SoftTop-k memberships", DefaultValueFactory = _ => 2f };

    private static readonly Option<string> Negatives = new("--negatives")
    { Description = "label pool per step: all (every label, with gradient caching), in-batch, or hard (shortlists of nearest wrong labels)", DefaultValueFactory = _ => "all" };

    private static readonly Option<int> HardShortlist = new("--hard-shortlist") { Description = "nearest wrong labels kept per point (hard negatives)", DefaultValueFactory = _ => 100 };

    private static readonly Option<int> HardStart = new("--hard-start") { Description = "first epoch with hard negatives", DefaultValueFactory = _ => 5 };

    private static readonly Option<bool> NoSample = new("--all-positives") { Description = "every positive is a target (no sampling of one positive per query)" };

    private static readonly Option<bool> NoCache = new("--no-cache") { Description = "one pass over the label pool with its activations instead of gradient caching" };

    private static readonly Option<int> CacheChunk = new("--cache-chunk") { Description = "labels per gradient-cache chunk", DefaultValueFactory = _ => 1024 };

    private static readonly Option<string> Encoder = new("--encoder") { Description = "text encoder: bag (bag of embeddings + residual MLP) or transformer (small, from scratch)", DefaultValueFactory = _ => "bag" };

    private static readonly Option<int> Epochs = new("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 30 };

    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "queries per step", DefaultValueFactory = _ => 256 };

    private static readonly Option<float> LearningRate = new("--lr") { Description = "peak learning rate (AdamW, 10% warm-up, linear decay)", DefaultValueFactory = _ => 2e-3f };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dexml",
        "DEXML: dual encoders with DecoupledSoftmax over all labels through gradient caching (Gupta et al., ICLR 2024); text data with label texts",
        [Loss, Compare, Temperature, TopkK, TopkAlpha, Negatives, HardShortlist, HardStart, NoSample, NoCache, CacheChunk, Encoder, DexaCommand.Layers,
         DexaCommand.Heads, DexaCommand.Tokenizer, DexaCommand.Vocabulary, DexaCommand.MaxLength, DexaCommand.Dimension, Epochs, BatchSize, LearningRate,
         DexaCommand.Propensity, DexaCommand.Backend, DexaCommand.TestFilter],
        Run, DexaCommand.Load);

    /// <summary>--loss as the enum.</summary>
    internal static DexmlLoss ParseLoss(string value) => value.Trim().ToLowerInvariant() switch
    {
        "decoupled" or "decoupled-softmax" or "decoupledsoftmax" => DexmlLoss.DecoupledSoftmax,
        "softmax" or "infonce" => DexmlLoss.Softmax,
        "softtopk" or "topk" or "soft-topk" => DexmlLoss.SoftTopk,
        var other => throw new ArgumentException($"unknown loss '{other}': expected softmax, decoupled or softtopk"),
    };

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        int dimension = args.GetValue(DexaCommand.Dimension);
        var options = new DexmlOptions
        {
            Loss = ParseLoss(args.GetValue(Loss)!),
            Temperature = args.GetValue(Temperature),
            SoftTopk = new SoftTopkOptions(args.GetValue(TopkK), args.GetValue(TopkAlpha)),
            Negatives = args.GetValue(Negatives)!.Trim().ToLowerInvariant() switch
            {
                "all" => DexmlNegatives.AllLabels,
                "in-batch" or "inbatch" => DexmlNegatives.InBatch,
                "hard" or "hard-mined" => DexmlNegatives.HardMined,
                var other => throw new ArgumentException($"unknown negatives '{other}': expected all, in-batch or hard"),
            },
            HardNegativeShortlist = args.GetValue(HardShortlist),
            HardNegativeStart = args.GetValue(HardStart),
            SamplePositives = !args.GetValue(NoSample),
            GradientCaching = !args.GetValue(NoCache),
            GradientCacheChunk = args.GetValue(CacheChunk),
            Encoder = args.GetValue(Encoder)!.Trim().ToLowerInvariant() switch
            {
                "bag" or "boe" or "bag-of-embeddings" => TextEncoderKind.BagOfEmbeddings,
                "transformer" => TextEncoderKind.Transformer,
                var other => throw new ArgumentException($"unknown encoder '{other}': expected bag or transformer"),
            },
            Tokenizer = DexaCommand.ParseTokenizer(args.GetValue(DexaCommand.Tokenizer)!, args.GetValue(DexaCommand.Vocabulary)),
            WordPieceVocabulary = args.GetValue(DexaCommand.Vocabulary),
            MaxLength = args.GetValue(DexaCommand.MaxLength),
            BagOfEmbeddings = new BagOfEmbeddingsOptions { Dimension = dimension },
            Transformer = new TransformerEncoderOptions { Dimension = dimension, Layers = args.GetValue(DexaCommand.Layers), Heads = args.GetValue(DexaCommand.Heads), FeedForward = 4 * dimension },
            Epochs = args.GetValue(Epochs),
            BatchSize = args.GetValue(BatchSize),
            LearningRate = args.GetValue(LearningRate),
            Backend = args.GetValue(DexaCommand.Backend),
            Seed = run.Seed,
        };
        if (DexaCommand.ParsePropensity(args.GetValue(DexaCommand.Propensity)) is var (a, b)) options = options with { PropensityA = a, PropensityB = b };
        options.Validate();
        var filters = DexaCommand.FiltersOf(run.Files["train"], args.GetValue(DexaCommand.TestFilter));

        var settings = run.Settings with
        {
            TopK = Math.Max(10, run.TopK), Ks = [1, 3, 5, 10], PropensityA = options.PropensityA, PropensityB = options.PropensityB, Filter = filters.Test,
        };
        using var result = run.Experiment("dexml", options, settings);
        run.SaveModel(result.Model, "model.dexml");
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
