using System.CommandLine;
using System.Globalization;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Metrics;
using XcNotebooks.Methods.TwoTower;

namespace XcNotebooks.Cli.Common;

/// <summary>
/// What `xcn dexa` and `xcn dexml` share beyond their bound options (both records derive from
/// <see cref="SiameseTextOptions"/>): the earlier short spellings, the one --dim of both encoders, --propensity A,B,
/// the test filter, and the WordPiece tokenizer chosen by a given vocabulary.
/// </summary>
public static class TextMethodOptions
{
    /// <summary>--dim: sets the bag of embeddings' and the transformer's width (feed-forward 4x), as before the bound options.</summary>
    public static readonly Option<int?> Dimension = new("--dim") { Description = "embedding dimension of either encoder (transformer feed-forward: 4x)", Hidden = true };

    /// <summary>--propensity A,B: both propensity parameters in one option, as before the bound options.</summary>
    public static readonly Option<string?> Propensity = Checked(new("--propensity") { Description = "A,B of the inverse propensity", Hidden = true });

    /// <summary>--filter: label pairs dropped from the test predictions.</summary>
    public static readonly Option<string?> TestFilter = new("--filter") { Description = "filter_labels_test.txt pairs to drop from test predictions (LF-* directories: read automatically)" };

    /// <summary>The command options of both text methods.</summary>
    public static IReadOnlyList<Option> CommandOptions => [Dimension, Propensity, TestFilter];

    /// <summary>The encoders' own seeds, which the methods derive from their Seed (an option for them would do nothing).</summary>
    public static IReadOnlyList<string> Exclude => ["BagOfEmbeddings.Seed", "Transformer.Seed"];

    /// <summary>Earlier spellings of the shared text options.</summary>
    public static IReadOnlyList<HiddenAlias> Aliases =>
        [new("Transformer.Layers", "--layers"), new("Transformer.Heads", "--heads"), new("WordPieceVocabulary", "--vocab")];

    /// <summary>
    /// The CLI's defaults: the record's, with the transformer as wide as the bag of embeddings (256, feed-forward
    /// 1,024), which is what one --dim gave before the options were bound.
    /// </summary>
    public static T Defaults<T>(T options) where T : SiameseTextOptions =>
        OptionsBinder.With(options, "Transformer", options.Transformer with { Dimension = options.BagOfEmbeddings.Dimension, FeedForward = 4 * options.BagOfEmbeddings.Dimension });

    /// <summary>The options a run starts from: <paramref name="defaults"/>, tokenized by WordPiece when a vocabulary is given.</summary>
    public static T BaseOptions<T>(ParseResult args, T defaults) where T : SiameseTextOptions
    {
        ArgumentNullException.ThrowIfNull(args);
        bool vocabulary = args.GetValue<string?>("--word-piece-vocabulary") is not null || args.GetValue<string?>("--vocab") is not null;
        return vocabulary ? OptionsBinder.With(defaults, "Tokenizer", TextTokenizerKind.WordPiece) : defaults;
    }

    /// <summary>Applies --dim to both encoders.</summary>
    public static T ApplyDimension<T>(ParseResult args, T options) where T : SiameseTextOptions
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.GetValue(Dimension) is not { } dimension) return options;
        options = OptionsBinder.With(options, "BagOfEmbeddings.Dimension", dimension);
        return OptionsBinder.With(options, "Transformer", options.Transformer with { Dimension = dimension, FeedForward = 4 * dimension });
    }

    /// <summary>--propensity A,B, or null when not given.</summary>
    public static (double A, double B)? ParsePropensity(ParseResult args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.GetValue(Propensity) is { } ab ? ParsePropensity(ab) : null;
    }

    /// <summary>A bad A,B is a usage error at parse time, before any data is read.</summary>
    private static Option<string?> Checked(Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            try { ParsePropensity(result.GetValueOrDefault<string?>() ?? "0,0"); }
            catch (ArgumentException e) { result.AddError(e.Message); }
        });
        return option;
    }

    private static (double A, double B) ParsePropensity(string ab)
    {
        var parts = ab.Split(',');
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b))
            throw new ArgumentException($"--propensity: expected A,B (e.g. 0.6,2.6), got '{ab}'");
        return (a, b);
    }

    /// <summary>The LF-* directory's filter files when present, and an explicit test filter file.</summary>
    public static LabelFilters FiltersOf(string train, ParseResult args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var filters = Directory.Exists(train) ? LfTextFormat.ReadFilters(train) : LabelFilters.None;
        return args.GetValue(TestFilter) is { } testFilter ? filters with { Test = LabelFilter.Read(testFilter) } : filters;
    }
}
