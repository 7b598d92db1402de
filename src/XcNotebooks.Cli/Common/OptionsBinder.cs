using System.Collections.Concurrent;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace XcNotebooks.Cli.Common;

/// <summary>
/// A hidden extra spelling of a bound property: an old option name that still works but is not shown in help.
/// </summary>
/// <param name="Path">The property path, e.g. "SliceWidth" or "Learner.Kind".</param>
/// <param name="Name">The old spelling, e.g. "-slice_width".</param>
/// <param name="Negated">For a bool property: the alias is a flag that sets the property to false (e.g. --no-aux for Auxiliary).</param>
public sealed record HiddenAlias(string Path, string Name, bool Negated = false);

/// <summary>
/// How <see cref="OptionsBinder"/> turns an options record into command-line options. Every setting has a default,
/// so <c>new OptionsBinderSettings()</c> binds every bindable property under its kebab-case name.
/// </summary>
public sealed record OptionsBinderSettings
{
    /// <summary>Put before every option name ("dexa" gives --dexa-epochs); empty: none.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Property paths that get no option (the command sets them itself, e.g. "Seed" from the common --seed).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Paths of nested records whose properties are bound without the record's prefix (e.g. "Wltls" in an experiment's options).</summary>
    public IReadOnlyList<string> Inline { get; init; } = [];

    /// <summary>Property path → option name without the dashes, where the kebab-case name would be unclear.</summary>
    public IReadOnlyDictionary<string, string> Names { get; init; } = new Dictionary<string, string>();

    /// <summary>Old spellings that keep working, hidden from help.</summary>
    public IReadOnlyList<HiddenAlias> Aliases { get; init; } = [];

    /// <summary>
    /// Extra spellings of enums beyond their member names (e.g. "svm" for <c>BinaryLearnerKind.SvmL2LossDual</c>):
    /// a parser per enum type that throws ArgumentException on an unknown name.
    /// </summary>
    public IReadOnlyDictionary<Type, Func<string, object>> EnumParsers { get; init; } = new Dictionary<Type, Func<string, object>>();

    /// <summary>
    /// The record's check that needs no data (throws ArgumentException). Null: the record's parameterless
    /// <c>Validate()</c> when it has one.
    /// </summary>
    public Action<object>? Validate { get; init; }
}

/// <summary>
/// Command-line options made from an options record by reflection over its public init properties: one
/// <c>--kebab-case</c> option per property, its description from the kit's XML documentation and its default from the
/// record's defaults. Bindable property types: int, long, double, float, bool, string, enums (member names in any of
/// the spellings SliceWidth, slice-width, slice_width, slicewidth; plus <see cref="OptionsBinderSettings.EnumParsers"/>),
/// nullable forms of those, and int or double lists (comma-separated). A nested record whose type name ends in
/// "Options" (BinaryLearnerOptions, BagOfEmbeddingsOptions, ...) is flattened with its property name as a prefix
/// (Learner.Kind → --learner-kind); every other type (hierarchies, architectures, activations, curricula: structured
/// values with their own constructors or files) is skipped and left at its default, to be set from code or by a
/// command option of its own.
/// </summary>
public static class OptionsBinder
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="defaults"/> (the record's own defaults when null).</summary>
    public static BoundOptions<T> Create<T>(T? defaults = null, OptionsBinderSettings? settings = null) where T : class =>
        new(Build(typeof(T), defaults ?? Activator.CreateInstance<T>(), settings ?? new OptionsBinderSettings()));

    /// <summary>The untyped form, for an options type known only at run time (e.g. a method table's entry).</summary>
    public static BoundOptions<object> Create(Type type, object defaults, OptionsBinderSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(defaults);
        if (!type.IsInstanceOfType(defaults)) throw new ArgumentException($"the defaults are a {defaults.GetType().Name}, not a {type.Name}");
        return new(Build(type, defaults, settings ?? new OptionsBinderSettings()));
    }

    /// <summary>An option taking a comma list of integers ("2,4,8"; "none": empty), checked at parse time.</summary>
    public static Option<int[]> IntListOption(string name, string description) =>
        (Option<int[]>)MakeOption(typeof(int[]), name, description, null, ParserOf(typeof(int[]), new OptionsBinderSettings()));

    /// <summary>An enum option that accepts the spellings <see cref="ParseEnum"/> does (kebab, snake, any case, unambiguous parts).</summary>
    public static Option<TEnum> EnumOption<TEnum>(string name, string description, TEnum? defaultValue = null) where TEnum : struct, Enum =>
        (Option<TEnum>)MakeOption(typeof(TEnum), name, description, defaultValue, ParserOf(typeof(TEnum), new OptionsBinderSettings()));

    /// <summary>"SliceWidth" → "slice-width", "PropensityA" → "propensity-a", "MaxLeafLabels" → "max-leaf-labels".</summary>
    public static string KebabCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Regex.Replace(Regex.Replace(name, "([a-z0-9])([A-Z])", "$1-$2"), "([A-Z])([A-Z][a-z])", "$1-$2").ToLowerInvariant();
    }

    /// <summary>Whether a property's type is one a single option can hold.</summary>
    internal static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(bool)
            || t == typeof(string) || t.IsEnum || ListElement(t) is not null;
    }

    /// <summary>int or double for int[] / IReadOnlyList&lt;int&gt; / double[] / IReadOnlyList&lt;double&gt;; else null.</summary>
    private static Type? ListElement(Type type)
    {
        var element = type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;
        return element == typeof(int) || element == typeof(double) ? element : null;
    }

    /// <summary>A nested options record to flatten: a record (it has a compiler-made clone) whose type name ends in "Options".</summary>
    internal static bool IsNestedOptions(Type type) =>
        type.IsClass && type.Name.EndsWith("Options", StringComparison.Ordinal) && CloneMethod(type) is not null;

    /// <summary>Public properties with an init (or set) accessor, base record's first.</summary>
    internal static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => Depth(p.DeclaringType!))
            .ThenBy(p => p.MetadataToken);

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType) depth++;
        return depth;
    }

    private static MethodInfo? CloneMethod(Type type) => type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance);

    private static List<BoundProperty> Build(Type type, object defaults, OptionsBinderSettings settings)
    {
        var leaves = new List<BoundProperty>();
        Collect(type, defaults, [], settings, leaves);
        foreach (var alias in settings.Aliases)
        {
            var leaf = leaves.FirstOrDefault(l => l.Path == alias.Path)
                ?? throw new ArgumentException($"alias {alias.Name}: no bound property {alias.Path}");
            if (alias.Negated && leaf.ValueType != typeof(bool)) throw new ArgumentException($"alias {alias.Name}: only a bool property can be negated");
            var option = alias.Negated ? NegatedFlag(alias.Name) : MakeOption(leaf.ValueType, alias.Name, leaf.Option.Description!, null, leaf.Parse);
            option.Hidden = true;
            leaf.Aliases.Add((option, alias.Negated));
        }
        var duplicate = leaves.SelectMany(l => l.Aliases.Select(a => a.Option.Name).Prepend(l.Option.Name))
            .GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"two properties of {type.Name} get the option {duplicate.Key}");
        return leaves;
    }

    private static void Collect(Type type, object defaults, PropertyInfo[] chain, OptionsBinderSettings settings, List<BoundProperty> leaves)
    {
        foreach (var property in SettableProperties(type))
        {
            PropertyInfo[] path = [.. chain, property];
            var dotted = string.Join('.', path.Select(p => p.Name));
            if (settings.Exclude.Contains(dotted)) continue;
            var value = property.GetValue(defaults);
            if (IsScalar(property.PropertyType))
            {
                var name = settings.Names.TryGetValue(dotted, out var given) ? given
                    : string.Join('-', path.Where((_, i) => !settings.Inline.Contains(string.Join('.', path[..(i + 1)].Select(p => p.Name))))
                        .Select(p => KebabCase(p.Name)));
                if (settings.Prefix.Length > 0) name = settings.Prefix + "-" + name;
                var valueType = ValueTypeOf(property.PropertyType);
                var parse = ParserOf(valueType, settings);
                var description = XmlDocs.Summary(property) + ValuesHint(valueType);
                leaves.Add(new BoundProperty(dotted, path, valueType, MakeOption(valueType, "--" + name, description, ToOptionValue(value, valueType), parse), parse));
            }
            else if (IsNestedOptions(property.PropertyType) && value is not null)
                Collect(property.PropertyType, value, path, settings, leaves);
        }
    }

    /// <summary>The option's value type: lists become arrays (the option parses a comma list into one).</summary>
    private static Type ValueTypeOf(Type propertyType)
    {
        var underlying = Nullable.GetUnderlyingType(propertyType);
        var t = underlying ?? propertyType;
        if (ListElement(t) is { } element) return element.MakeArrayType();
        return propertyType;
    }

    private static object? ToOptionValue(object? value, Type valueType) =>
        value is System.Collections.IEnumerable list and not string && valueType.IsArray
            ? ListElement(valueType) == typeof(int) ? ((IEnumerable<int>)list).ToArray() : ((IEnumerable<double>)list).ToArray()
            : value;

    private static string ValuesHint(Type valueType)
    {
        var t = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (t.IsArray) return " (comma-separated)";
        return "";
    }

    /// <summary>A token → value parser for types System.CommandLine does not parse as wanted (enums, comma lists); null for the rest.</summary>
    private static Func<string, object>? ParserOf(Type valueType, OptionsBinderSettings settings)
    {
        var t = Nullable.GetUnderlyingType(valueType) ?? valueType;
        if (t.IsEnum) return text => ParseEnum(t, text, settings.EnumParsers.GetValueOrDefault(t));
        if (t == typeof(int[])) return text => SplitList(text).Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new ArgumentException($"'{p}' is not an integer")).ToArray();
        if (t == typeof(double[])) return text => SplitList(text).Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new ArgumentException($"'{p}' is not a finite number")).ToArray();
        return null;
    }

    /// <summary>"512,256" → ["512", "256"]; "" and "none" are the empty list.</summary>
    private static string[] SplitList(string text) =>
        text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// An enum member from its name in any case and with or without '-', '_' or spaces between words, from an
    /// unambiguous start or end of a name, or from the type's extra parser; the error lists the kebab-case names.
    /// </summary>
    internal static object ParseEnum(Type enumType, string text, Func<string, object>? extra = null)
    {
        static string Squash(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var wanted = Squash(text);
        var names = Enum.GetNames(enumType);
        foreach (var name in names)
            if (Squash(name) == wanted) return Enum.Parse(enumType, name);
        // An unambiguous start or end of a name: "count" for NegativeCount, "hamming" for HammingThenConfidence.
        var partial = wanted.Length < 2 ? [] : names.Where(n => Squash(n).StartsWith(wanted, StringComparison.Ordinal) || Squash(n).EndsWith(wanted, StringComparison.Ordinal)).ToList();
        if (partial.Count == 1) return Enum.Parse(enumType, partial[0]);
        if (extra is not null) return extra(text);
        throw new ArgumentException($"unknown value '{text}': expected {string.Join(", ", Enum.GetNames(enumType).Select(KebabCase))}");
    }

    private static Option MakeOption(Type valueType, string name, string description, object? defaultValue, Func<string, object>? parse) =>
        (Option)typeof(OptionsBinder).GetMethod(nameof(MakeTypedOption), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(valueType).Invoke(null, [name, description, defaultValue, parse])!;

    private static Option<TValue> MakeTypedOption<TValue>(string name, string description, object? defaultValue, Func<string, object>? parse)
    {
        var option = new Option<TValue>(name) { Description = description };
        var enumType = Nullable.GetUnderlyingType(typeof(TValue)) ?? typeof(TValue);
        if (enumType.IsEnum) option.HelpName = string.Join('|', Enum.GetNames(enumType).Select(KebabCase)); // the spellings users type
        if (defaultValue is not null) option.DefaultValueFactory = _ => (TValue)defaultValue;
        if (parse is not null)
        {
            option.CustomParser = result =>
            {
                if (result.Tokens.Count == 0) return defaultValue is null ? default : (TValue)defaultValue;
                try { return (TValue)parse(result.Tokens[0].Value); }
                catch (ArgumentException e)
                {
                    result.AddError($"{name}: {e.Message}");
                    return default;
                }
            };
        }
        return option;
    }

    private static Option NegatedFlag(string name) => new Option<bool>(name) { Description = "(sets the property to false)" };

    /// <summary>The value of <paramref name="path"/> in <paramref name="record"/>.</summary>
    internal static object? GetPath(object record, IReadOnlyList<PropertyInfo> path)
    {
        object? current = record;
        foreach (var p in path) current = current is null ? null : p.GetValue(current);
        return current;
    }

    /// <summary>A copy of <paramref name="record"/> with the property at the dotted <paramref name="path"/> ("Transformer.Dimension") set to <paramref name="value"/>.</summary>
    public static T With<T>(T record, string path, object? value) where T : class
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(path);
        var chain = new List<PropertyInfo>();
        var type = record.GetType();
        foreach (var name in path.Split('.'))
        {
            var property = type.GetProperty(name) ?? throw new ArgumentException($"{type.Name} has no property {name}");
            chain.Add(property);
            type = property.PropertyType;
        }
        return (T)WithPath(record, chain.ToArray(), value);
    }

    /// <summary>A copy of <paramref name="record"/> (records are cloned, never changed) with <paramref name="path"/> set to <paramref name="value"/>.</summary>
    internal static object WithPath(object record, ReadOnlySpan<PropertyInfo> path, object? value)
    {
        var copy = CloneMethod(record.GetType())!.Invoke(record, null)!;
        var property = path[0];
        var assigned = path.Length == 1 ? ConvertForProperty(value, property.PropertyType) : WithPath(property.GetValue(record)!, path[1..], value);
        property.SetValue(copy, assigned);
        return copy;
    }

    private static object? ConvertForProperty(object? value, Type propertyType) => value switch
    {
        null => null,
        int[] ints when !propertyType.IsArray => (IReadOnlyList<int>)ints,
        double[] doubles when !propertyType.IsArray => (IReadOnlyList<double>)doubles,
        _ => value,
    };

    /// <summary>Summaries of public members from the XML documentation file beside their assembly.</summary>
    private static class XmlDocs
    {
        private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, string>> Files = new();

        public static string Summary(PropertyInfo property)
        {
            var docs = Files.GetOrAdd(property.DeclaringType!.Assembly, Load);
            var key = $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}";
            return docs.TryGetValue(key, out var text) && text.Length > 0 ? text : property.Name;
        }

        private static IReadOnlyDictionary<string, string> Load(Assembly assembly)
        {
            var path = Path.ChangeExtension(assembly.Location, ".xml");
            if (string.IsNullOrEmpty(assembly.Location) || !File.Exists(path)) return new Dictionary<string, string>();
            return XDocument.Load(path).Descendants("member")
                .Where(m => m.Attribute("name") is not null && m.Element("summary") is not null)
                .GroupBy(m => m.Attribute("name")!.Value)
                .ToDictionary(g => g.Key, g => PlainText(g.First().Element("summary")!));
        }

        /// <summary>The summary as one line: cref targets by their last name, &lt;c&gt; and other tags by their text.</summary>
        private static string PlainText(XElement summary)
        {
            var text = new StringBuilder();
            foreach (var node in summary.DescendantNodes())
            {
                if (node is XText t && node.Parent is not null) text.Append(t.Value);
                else if (node is XElement { Name.LocalName: "see" or "paramref" or "typeparamref" } e && !e.Nodes().Any())
                {
                    var target = e.Attribute("cref")?.Value ?? e.Attribute("name")?.Value ?? e.Attribute("langword")?.Value ?? "";
                    text.Append(target[(target.LastIndexOf('.') + 1)..]);
                }
            }
            return Regex.Replace(text.ToString(), @"\s+", " ").Trim();
        }
    }
}

/// <summary>One bound property: its path in the record, its visible option and its hidden old spellings.</summary>
internal sealed record BoundProperty(string Path, PropertyInfo[] Chain, Type ValueType, Option Option, Func<string, object>? Parse)
{
    public List<(Option Option, bool Negated)> Aliases { get; } = [];
}

/// <summary>
/// The options made from one options record, and the way back: <see cref="Bind"/> gives the defaults <c>with</c> the
/// values given on the command line.
/// </summary>
/// <typeparam name="T">The options record.</typeparam>
public sealed class BoundOptions<T> where T : class
{
    private readonly List<BoundProperty> _properties;

    internal BoundOptions(List<BoundProperty> properties) => _properties = properties;

    /// <summary>The visible options, one per bound property, in declaration order.</summary>
    public IReadOnlyList<Option> Options => _properties.Select(p => p.Option).ToList();

    /// <summary>Every option, the hidden old spellings included (what a command must add).</summary>
    public IReadOnlyList<Option> AllOptions => _properties.SelectMany(p => p.Aliases.Select(a => a.Option).Prepend(p.Option)).ToList();

    /// <summary>The bound property paths ("SliceWidth", "Learner.Kind"), in the order of <see cref="Options"/>.</summary>
    public IReadOnlyList<string> Paths => _properties.Select(p => p.Path).ToList();

    /// <summary>The visible option of the property at <paramref name="path"/>.</summary>
    public Option OptionOf(string path) =>
        _properties.FirstOrDefault(p => p.Path == path)?.Option ?? throw new ArgumentException($"no option for {path}");

    /// <summary>
    /// Adds every option to <paramref name="command"/>, and a check that runs at parse time (before the command's
    /// action, so before any data is read): the bound record must pass <paramref name="defaults"/>' validation. A
    /// failure is a usage error naming the option.
    /// </summary>
    public void AddTo(Command command, T defaults, Action<T>? validate = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in AllOptions) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            string? problem;
            try { problem = Check(result, defaults, validate); }
            catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException) { return; } // a value the parser rejected: reported already
            if (problem is not null) result.AddError(problem);
        });
    }

    /// <summary>The record: <paramref name="defaults"/> with every value given on the command line.</summary>
    public T Bind(ParseResult parsed, T defaults)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(defaults);
        object record = defaults;
        foreach (var (property, value) in Given(parsed.GetResult)) record = OptionsBinder.WithPath(record, property.Chain, value);
        return (T)record;
    }

    /// <summary>Null when the bound record validates, else the problem naming the option at fault.</summary>
    private string? Check(CommandResult result, T defaults, Action<T>? validate)
    {
        var given = Given(option => result.GetResult(option)).ToList();
        // The parser accepts "NaN" and "Infinity"; no option of the kit means either.
        foreach (var (property, value) in given)
            if (value is double or float && !double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)))
                return $"{property.Option.Name} must be a finite number, got {Show(value)}";
        object record = defaults;
        foreach (var (property, value) in given) record = OptionsBinder.WithPath(record, property.Chain, value);
        var failure = Failure((T)record, validate);
        if (failure is null) return null;
        // Name the option whose value alone fails; a failure of a combination names every given option.
        foreach (var (property, value) in given)
            if (Failure((T)OptionsBinder.WithPath(defaults, property.Chain, value), validate) is { } alone)
                return $"{property.Option.Name} {Show(value)}: {alone}";
        return given.Count == 0 ? failure : $"{string.Join(", ", given.Select(g => g.Property.Option.Name))}: {failure}";
    }

    private static string Show(object? value) => value switch
    {
        null => "(none)",
        Enum e => OptionsBinder.KebabCase(e.ToString()),
        int[] ints => string.Join(",", ints),
        double[] doubles => string.Join(",", doubles.Select(d => d.ToString(CultureInfo.InvariantCulture))),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string? Failure(T record, Action<T>? validate)
    {
        try
        {
            if (validate is not null) validate(record);
            else record.GetType().GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)?.Invoke(record, null);
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner) { return inner.Message; }
        catch (ArgumentException e) { return e.Message; }
    }

    /// <summary>The properties given explicitly (by their option or an old spelling) and their values.</summary>
    private IEnumerable<(BoundProperty Property, object? Value)> Given(Func<Option, OptionResult?> resultOf)
    {
        foreach (var property in _properties)
        {
            if (resultOf(property.Option) is { Implicit: false } primary)
            {
                yield return (property, ValueOf(primary));
                continue;
            }
            foreach (var (alias, negated) in property.Aliases)
                if (resultOf(alias) is { Implicit: false } given)
                {
                    var value = ValueOf(given);
                    yield return (property, negated ? !(bool)value! : value);
                    break;
                }
        }
    }

    private static object? ValueOf(OptionResult result) =>
        typeof(OptionResult).GetMethod(nameof(OptionResult.GetValueOrDefault))!.MakeGenericMethod(result.Option.ValueType).Invoke(result, null);
}
