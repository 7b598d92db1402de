using XcNotebooks.Methods.TwoTower;
using System.CommandLine;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Encoders;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn dexa`: trains DEXA on a text data set with label texts (an LF-* directory of json.gz files, a DEXML raw-text
/// directory with .npz labels, Reuters-21578, CLINC150, or JSON lines files) and tests it; `--ablation` adds the
/// paper's ablation table (encoder only / + auxiliary vectors / + classifiers) to the report.
/// </summary>
public sealed class DexaCommand : ICliCommand
{
    private static readonly Option<string> Encoder = new("--encoder")
    { Description = "text encoder: bag (bag of embeddings + residual MLP), transformer (small, from scratch) or onnx (frozen, with --onnx-model and --vocab)", DefaultValueFactory = _ => "bag" };

    private static readonly Option<string?> OnnxModel = new("--onnx-model") { Description = "ONNX encoder (e.g. an export of msmarco-distilbert-base-v4); its vocab.txt goes in --vocab" };

    private static readonly Option<string> OnnxPoolingOption = new("--onnx-pooling") { Description = "pooling of the ONNX model's token states: mean, cls or none", DefaultValueFactory = _ => "mean" };

    internal static readonly Option<int> Layers = new("--layers") { Description = "transformer layers", DefaultValueFactory = _ => 2 };

    internal static readonly Option<int> Heads = new("--heads") { Description = "transformer attention heads", DefaultValueFactory = _ => 4 };

    internal static readonly Option<string> Tokenizer = new("--tokenizer")
    { Description = "tokens: words (corpus vocabulary), hashed (word n-grams), wordpiece (needs --vocab); auto: wordpiece with --vocab, else words", DefaultValueFactory = _ => "auto" };

    internal static readonly Option<string?> Vocabulary = new("--vocab") { Description = "WordPiece vocab.txt" };

    internal static readonly Option<int?> MaxLength = new("--max-length") { Description = "tokens per text (default: 32 for *title* data sets, else 128)" };

    internal static readonly Option<int> Dimension = new("--dim") { Description = "embedding dimension", DefaultValueFactory = _ => 256 };

    private static readonly Option<int> Epochs = new("--epochs") { Description = "M1 (encoder) epochs", DefaultValueFactory = _ => 40 };

    private static readonly Option<int> ClassifierEpochs = new("--classifier-epochs") { Description = "M-IV (classifier) epochs", DefaultValueFactory = _ => 30 };

    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "M1 batch size", DefaultValueFactory = _ => 256 };

    private static readonly Option<float> LearningRate = new("--lr") { Description = "M1 learning rate", DefaultValueFactory = _ => 2e-3f };

    private static readonly Option<bool> NoAuxiliary = new("--no-aux") { Description = "train without auxiliary vectors (NGAME's M1)" };

    private static readonly Option<bool> NoClassifiers = new("--no-classifiers") { Description = "skip M-IV: rank by label embeddings" };

    private static readonly Option<int> Shortlist = new("--shortlist") { Description = "labels retrieved per index and point", DefaultValueFactory = _ => 100 };

    private static readonly Option<string> Fusion = new("--fusion") { Description = "score fusion: tree (DEXA) or sum (weighted)", DefaultValueFactory = _ => "tree" };

    internal static readonly Option<string?> Propensity = new("--propensity") { Description = "A,B of the inverse propensity (default 0.55,1.5)" };

    internal static readonly Option<BackendKind> Backend = new("--backend") { Description = "compute backend: Auto, Cpu or Ilgpu", DefaultValueFactory = _ => BackendKind.Auto };

    internal static readonly Option<string?> TestFilter = new("--filter") { Description = "filter_labels_test.txt pairs to drop from test predictions (LF-* directories: read automatically)" };

    private static readonly Option<bool> AblationOption = new("--ablation") { Description = "also run the ablation: encoder only, + auxiliary vectors, + classifiers" };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("dexa",
        "DEXA: deep encoders with auxiliary parameters (Dahiya et al., KDD 2023), with NGAME mini-batches; text data with label texts",
        [Encoder, Layers, Heads, OnnxModel, OnnxPoolingOption, Tokenizer, Vocabulary, MaxLength, Dimension, Epochs, ClassifierEpochs, BatchSize, LearningRate, NoAuxiliary, NoClassifiers,
         Shortlist, Fusion, Propensity, Backend, TestFilter, AblationOption],
        Run, Load);

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

    private static RunReport Run(MethodRun run)
    {
        var args = run.Args;
        var data = run.Data;
        var monitor = run.Monitor;
        var options = new DexaOptions
        {
            Encoder = args.GetValue(Encoder)!.Trim().ToLowerInvariant() switch
            {
                "bag" or "boe" or "bag-of-embeddings" => TextEncoderKind.BagOfEmbeddings,
                "transformer" => TextEncoderKind.Transformer,
                "onnx" => TextEncoderKind.Onnx,
                var other => throw new ArgumentException($"unknown encoder '{other}': expected bag, transformer or onnx"),
            },
            OnnxModel = args.GetValue(OnnxModel),
            Onnx = new OnnxEncoderOptions
            {
                Pooling = args.GetValue(OnnxPoolingOption)!.Trim().ToLowerInvariant() switch
                {
                    "mean" => OnnxPooling.Mean,
                    "cls" => OnnxPooling.Cls,
                    "none" => OnnxPooling.None,
                    var other => throw new ArgumentException($"unknown ONNX pooling '{other}': expected mean, cls or none"),
                },
            },
            Tokenizer = ParseTokenizer(args.GetValue(Tokenizer)!, args.GetValue(Vocabulary)),
            WordPieceVocabulary = args.GetValue(Vocabulary),
            MaxLength = args.GetValue(MaxLength),
            BagOfEmbeddings = new BagOfEmbeddingsOptions { Dimension = args.GetValue(Dimension) },
            Transformer = new TransformerEncoderOptions
            {
                Dimension = args.GetValue(Dimension), Layers = args.GetValue(Layers), Heads = args.GetValue(Heads), FeedForward = 4 * args.GetValue(Dimension),
            },
            EncoderEpochs = args.GetValue(Epochs),
            ClassifierEpochs = args.GetValue(ClassifierEpochs),
            EncoderBatchSize = args.GetValue(BatchSize),
            EncoderLearningRate = args.GetValue(LearningRate),
            Auxiliary = !args.GetValue(NoAuxiliary),
            Classifiers = !args.GetValue(NoClassifiers),
            ShortlistSize = args.GetValue(Shortlist),
            Fusion = new FusionOptions
            {
                Kind = args.GetValue(Fusion)!.Trim().ToLowerInvariant() switch
                {
                    "tree" => FusionKind.DecisionTree,
                    "sum" => FusionKind.WeightedSum,
                    var other => throw new ArgumentException($"unknown fusion '{other}': expected tree or sum"),
                },
            },
            Backend = args.GetValue(Backend),
            Seed = run.Seed,
        };
        if (ParsePropensity(args.GetValue(Propensity)) is var (a, b)) options = options with { PropensityA = a, PropensityB = b };
        options.Validate();
        var filters = FiltersOf(run.Files["train"], args.GetValue(TestFilter));
        options = options with { FusionFilter = data.Heldout is null ? filters.Train : null };

        int topK = Math.Max(5, run.TopK);
        var settings = run.Settings with
        {
            TopK = topK, Ks = new[] { 1, 3, 5, topK }.Where(k => k <= topK).Distinct().ToArray(),
            PropensityA = options.PropensityA, PropensityB = options.PropensityB, Filter = filters.Test,
        };
        using var result = run.Experiment("dexa", options, settings);
        run.SaveModel(result.Model, "model.dexa");
        var details = new Dictionary<string, object?>(result.Report.Details);
        if (args.GetValue(AblationOption))
        {
            var ablation = Dexa.Ablation(data, options, monitor, filters.Test);
            monitor.Write(ablation.ToString());
            details["ablation"] = ablation.Details();
        }
        return result.Report with { Details = details };
    }

    /// <summary>--tokenizer: auto (WordPiece with a vocabulary, else words), words, hashed or wordpiece.</summary>
    internal static TextTokenizerKind ParseTokenizer(string value, string? vocabulary) =>
        value.Trim().ToLowerInvariant() switch
        {
            "auto" => vocabulary is null ? TextTokenizerKind.Words : TextTokenizerKind.WordPiece,
            "words" => TextTokenizerKind.Words,
            "hashed" => TextTokenizerKind.HashedNgrams,
            "wordpiece" => TextTokenizerKind.WordPiece,
            var other => throw new ArgumentException($"unknown tokenizer '{other}': expected auto, words, hashed or wordpiece"),
        };

    /// <summary>--propensity A,B, or null when not given.</summary>
    internal static (double A, double B)? ParsePropensity(string? ab)
    {
        if (ab is null) return null;
        var parts = ab.Split(',');
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b))
            throw new ArgumentException($"--propensity: expected A,B (e.g. 0.6,2.6), got '{ab}'");
        return (a, b);
    }

    /// <summary>The LF-* directory's filter files when present, and an explicit test filter file.</summary>
    internal static LabelFilters FiltersOf(string train, string? testFilter)
    {
        var filters = Directory.Exists(train) ? LfTextFormat.ReadFilters(train) : LabelFilters.None;
        return testFilter is null ? filters : filters with { Test = LabelFilter.Read(testFilter) };
    }
}
