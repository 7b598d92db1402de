using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using XcNotebooks.Cli.Common;
using XcNotebooks.Core;
using XcNotebooks.Learners;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Methods.Dexml;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Methods.Parabel;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>Issue 18: command-line options made from the real options records, and bound back.</summary>
public class OptionsBinderTests
{
    /// <summary>Every method's options record (defaults as the kit ships them).</summary>
    public static TheoryData<string> Records => new(RecordsByName.Keys);

    private static readonly Dictionary<string, object> RecordsByName = new()
    {
        ["wltls"] = new WltlsOptions(),
        ["dsnc"] = new DsncOptions(),
        ["neuralxc"] = new NeuralXcOptions(),
        ["hierarchicalxc"] = new HierarchicalXcOptions(),
        ["dexa"] = new DexaOptions(),
        ["dexml"] = new DexmlOptions(),
        ["ovr"] = new OneVsRestOptions(),
        ["parabel"] = new ParabelOptions(),
        ["knn"] = new KNearestNeighboursOptions(),
        ["fusion"] = new CalibratedFusionOptions(),
    };

    private static BoundOptions<object> BinderOf(string name) => OptionsBinder.Create(RecordsByName[name].GetType(), RecordsByName[name]);

    private static object Bind(BoundOptions<object> bound, object defaults, params string[] args)
    {
        var command = new Command("x");
        foreach (var option in bound.AllOptions) command.Options.Add(option);
        var parsed = command.Parse(args);
        Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)));
        return bound.Bind(parsed, defaults);
    }

    [Fact]
    public void WltlsOptionsGetTheseOptionsByHand()
    {
        var names = OptionsBinder.Create<WltlsOptions>().Options.Select(o => o.Name);
        // Written out from WltlsOptions and BinaryLearnerOptions: ClassHierarchy (a LabelHierarchy) is skipped.
        Assert.Equal(
        [
            "--slice-width", "--decoding-loss", "--decoding-scale", "--epochs", "--early-stopping", "--path-assignment", "--codeword-of-class",
            "--similarity-child-order", "--similarity-linkage", "--score-assignment", "--score-assignment-max-classes", "--greedy-candidates",
            "--learner-kind", "--learner-margin-threshold", "--learner-arow-r", "--learner-arow-step-size", "--learner-cost",
            "--learner-tolerance", "--learner-max-iterations", "--learner-shrinking", "--learner-active-set", "--learner-prune-below",
            "--seed", "--checkpoint-path",
        ], names.Where(n => n != "--backend")); // `Backend` arrives with helper `seeds`
    }

    [Fact]
    public void NestedRecordsAreFlattenedWithTheirPropertyNameAsPrefix()
    {
        var names = OptionsBinder.Create<DexaOptions>().Options.Select(o => o.Name).ToHashSet();
        Assert.Contains("--bag-of-embeddings-dimension", names);
        Assert.Contains("--transformer-heads", names);
        Assert.Contains("--fusion-kind", names);
        Assert.Contains("--onnx-pooling", names);
        Assert.Contains("--encoder-loss-margin", names); // a positional record's properties too
        Assert.Contains("--propensity-a", names);
        Assert.DoesNotContain(names, n => n.StartsWith("--encoder-curriculum", StringComparison.Ordinal)); // NgameCurriculum: not an options record
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void EveryScalarPropertyGetsExactlyOneOptionWithAUniqueKebabName(string record)
    {
        var bound = BinderOf(record);
        // The reference: walk the record by hand, counting properties of bindable types and descending into *Options records.
        var expected = new List<string>();
        void Walk(Type type, string prefix, object value)
        {
            foreach (var p in type.GetProperties().Where(p => p.SetMethod is { IsPublic: true }))
            {
                var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                bool scalar = t.IsPrimitive && t != typeof(char) || t == typeof(string) || t.IsEnum
                    || t == typeof(IReadOnlyList<int>) || t == typeof(IReadOnlyList<double>) || t == typeof(int[]) || t == typeof(double[]);
                if (scalar) expected.Add(prefix + p.Name);
                else if (t.Name.EndsWith("Options", StringComparison.Ordinal) && p.GetValue(value) is { } nested) Walk(t, prefix + p.Name + ".", nested);
            }
        }
        Walk(RecordsByName[record].GetType(), "", RecordsByName[record]);
        Assert.Equal(expected.Order(), bound.Paths.Order());
        var names = bound.Options.Select(o => o.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^--[a-z0-9]+(-[a-z0-9]+)*$", n));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void DefaultsWrittenAsArgumentsBindBackToTheDefaults(string record)
    {
        var defaults = RecordsByName[record];
        var bound = BinderOf(record);
        var args = new List<string>();
        foreach (var (path, option) in bound.Paths.Zip(bound.Options))
            if (Path(defaults, path) is { } value) args.AddRange([option.Name, Text(value)]);
        var bound2 = Bind(bound, defaults, [.. args]);
        Assert.Equal(Json(defaults), Json(bound2));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void EveryOptionSetsItsOwnPropertyAndNoOther(string record)
    {
        var defaults = RecordsByName[record];
        var bound = BinderOf(record);
        foreach (var (path, option) in bound.Paths.Zip(bound.Options))
        {
            var other = Different(Path(defaults, path), option.ValueType);
            var result = Bind(bound, defaults, option.Name, Text(other));
            Assert.Equal(Text(other), Text(Path(result, path)!));
            foreach (var untouched in bound.Paths.Where(p => p != path))
                Assert.Equal(Json(Path(defaults, untouched)), Json(Path(result, untouched)));
        }
    }

    [Theory]
    [InlineData("squared_hinge")]
    [InlineData("squared-hinge")]
    [InlineData("SquaredHinge")]
    [InlineData("squaredhinge")]
    public void EnumsAcceptKebabSnakeAndMemberSpellings(string spelling)
    {
        var bound = OptionsBinder.Create<WltlsOptions>();
        var command = new Command("x");
        foreach (var option in bound.AllOptions) command.Options.Add(option);
        Assert.Equal(DecodingLoss.SquaredHinge, bound.Bind(command.Parse(["--decoding-loss", spelling]), new WltlsOptions()).DecodingLoss);
    }

    [Fact]
    public void AnUnknownEnumValueIsAParseErrorListingTheKebabNames()
    {
        var bound = OptionsBinder.Create<WltlsOptions>();
        var command = new Command("x");
        bound.AddTo(command, new WltlsOptions(), _ => { });
        var error = Assert.Single(command.Parse(["--decoding-loss", "cubic"]).Errors).Message;
        Assert.Equal("--decoding-loss: unknown value 'cubic': expected exponential, squared-hinge, squared", error);
    }

    [Fact]
    public void ExtraEnumSpellingsAndHiddenOldNamesBindToTheSameProperty()
    {
        var settings = new OptionsBinderSettings
        {
            EnumParsers = new Dictionary<Type, Func<string, object>> { [typeof(BinaryLearnerKind)] = s => BinaryLearnerOptions.ParseKind(s) },
            Aliases = [new("SliceWidth", "-slice_width"), new("Learner.Kind", "--binary-classifier"), new("EarlyStopping", "--no-early-stop", Negated: true)],
        };
        var bound = OptionsBinder.Create<WltlsOptions>(settings: settings);
        var command = new Command("x");
        foreach (var option in bound.AllOptions) command.Options.Add(option);
        var defaults = new WltlsOptions { EarlyStopping = true };
        var options = bound.Bind(command.Parse(["-slice_width", "3", "--binary-classifier", "svm", "--no-early-stop"]), defaults);
        Assert.Equal((3, BinaryLearnerKind.SvmL2LossDual, false), (options.SliceWidth, options.Learner.Kind, options.EarlyStopping));
        // Hidden: not among the visible options, one visible option per property still.
        Assert.DoesNotContain(bound.Options, o => o.Name is "-slice_width" or "--binary-classifier");
        Assert.All(bound.AllOptions.Except(bound.Options), o => Assert.True(o.Hidden));
        // The visible spelling wins over an old one given in the same line.
        Assert.Equal(4, bound.Bind(command.Parse(["-slice_width", "3", "--slice-width", "4"]), defaults).SliceWidth);
    }

    [Fact]
    public void DescriptionsComeFromTheXmlDocsAndDefaultsFromTheRecord()
    {
        var bound = OptionsBinder.Create<DsncOptions>();
        var bits = bound.OptionOf("CodeBits");
        Assert.Equal("Code length m (1..64; the paper uses a few times log2 K); 0: the profile's (sparse 32, dense 64).", bits.Description);
        Assert.Equal("Neighbour order of the code lookup.", bound.OptionOf("LookupOrder").Description);
        Assert.Equal("hamming-then-confidence|likelihood", bound.OptionOf("LookupOrder").HelpName);
        var command = new Command("x");
        foreach (var option in bound.AllOptions) command.Options.Add(option);
        Assert.Equal(0, command.Parse([]).GetValue((Option<int>)bits)); // 0: chosen by the input profile
        // A record built with other defaults shows those.
        var other = OptionsBinder.Create(new DsncOptions { CodeBits = 12 });
        var command2 = new Command("y");
        foreach (var option in other.AllOptions) command2.Options.Add(option);
        Assert.Equal(12, command2.Parse([]).GetValue((Option<int>)other.OptionOf("CodeBits")));
    }

    [Fact]
    public void CommaListsBindToListsAndRejectNonNumbers()
    {
        var bound = OptionsBinder.Create<DsncOptions>();
        var command = new Command("x");
        bound.AddTo(command, new DsncOptions());
        var options = bound.Bind(command.Parse(["--encoder-hidden", "512, 256"]), new DsncOptions());
        Assert.Equal([512, 256], options.EncoderHidden);
        Assert.Equal("--encoder-hidden: 'x' is not an integer", Assert.Single(command.Parse(["--encoder-hidden", "64,x"]).Errors).Message);
    }

    [Fact]
    public void AnInvalidValueIsAParseErrorNamingTheOption()
    {
        var bound = OptionsBinder.Create<DsncOptions>();
        var command = new Command("x");
        bound.AddTo(command, new DsncOptions());
        Assert.Equal("--code-bits 80: code length must be between 1 and 64 bits (0: the profile's), got 80",
            Assert.Single(command.Parse(["--code-bits", "80", "--epochs", "3"]).Errors).Message);
        Assert.Equal("--learning-rate must be a finite number, got NaN", Assert.Single(command.Parse(["--learning-rate", "NaN"]).Errors).Message);
        Assert.Empty(command.Parse(["--code-bits", "64"]).Errors);
    }

    private static object? Path(object record, string path)
    {
        object? current = record;
        foreach (var name in path.Split('.')) current = current?.GetType().GetProperty(name)!.GetValue(current);
        return current;
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value, RunReport.JsonOptions);

    /// <summary>A value as a user would type it.</summary>
    private static string Text(object value) => value switch
    {
        Enum e => OptionsBinder.KebabCase(e.ToString()),
        bool b => b ? "true" : "false",
        IEnumerable<int> ints => string.Join(",", ints),
        IEnumerable<double> doubles => string.Join(",", doubles.Select(d => d.ToString("R", CultureInfo.InvariantCulture))),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    /// <summary>A value of <paramref name="type"/> other than <paramref name="value"/>.</summary>
    private static object Different(object? value, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return value switch
        {
            _ when t == typeof(int) => (int)(value ?? 0) + 3,
            _ when t == typeof(long) => (long)(value ?? 0L) + 3,
            _ when t == typeof(double) => (double)(value ?? 0.0) + 0.25,
            _ when t == typeof(float) => (float)(value ?? 0f) + 0.25f,
            _ when t == typeof(bool) => !(bool)value!,
            _ when t == typeof(string) => "other.txt",
            _ when t.IsEnum => Enum.GetValues(t).Cast<object>().First(v => !v.Equals(value)),
            _ when t == typeof(int[]) => new[] { 7, 9 },
            _ when t == typeof(double[]) => new[] { 0.5, 1.5 },
            _ => throw new ArgumentException($"no other value of {type}"),
        };
    }
}
