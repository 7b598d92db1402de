using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace XcNotebooks.Reports;

/// <summary>
/// A table of columns and rows: the one table renderer behind every notebook formatter and HTML report (HTML with
/// numbers right-aligned, or aligned plain text). Build it from records (their public properties and fields become
/// columns), from name/value pairs, or from explicit rows.
/// </summary>
public sealed record HtmlTable
{
    /// <summary>A table with the given column headers and rows (each row as long as <paramref name="columns"/>).</summary>
    public HtmlTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Count != columns.Count)
                throw new ArgumentException($"table row {r} has {rows[r].Count} cells for {columns.Count} columns");
        Columns = columns;
        Rows = rows;
    }

    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Cell values, row by row (formatted by <see cref="FormatCell"/>).</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }

    /// <summary>A caption shown above the table.</summary>
    public string? Caption { get; init; }

    /// <summary>Rows left out of <see cref="Rows"/> (shown as "… N more rows").</summary>
    public long OmittedRows { get; init; }

    /// <summary>A .NET format for real-valued cells ("F2" for percentages); null: <see cref="FormatCell"/>'s rule.</summary>
    public string? RealFormat { get; init; }

    /// <summary>
    /// Reals for reading rather than for checking (reports): no decimals from 1,000 up, two below, three
    /// significant digits under 1 (47.3333 → 47.33, 147,885.2411 → 147,885, 0.01234 → 0.0123); <see cref="RealFormat"/>
    /// still wins when set.
    /// </summary>
    public bool Rounded { get; init; }

    /// <summary>This table as reports show it: <see cref="Rounded"/> numbers and readable headers (<see cref="ReadableHeader"/>).</summary>
    public HtmlTable ForReading() =>
        new(Columns.Select(ReadableHeader).ToArray(), Rows) { Caption = Caption, OmittedRows = OmittedRows, RealFormat = RealFormat, Rounded = true };

    /// <summary>
    /// A member name as a header: "TestAccuracy" → "test accuracy", "PointsPerSecond" → "points per second",
    /// "ModelMB" → "model MB". Headers that are not a bare identifier ("P@1", "train s") are kept as they are.
    /// </summary>
    public static string ReadableHeader(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Length == 0 || !header.All(char.IsAsciiLetterOrDigit) || !header.Any(char.IsAsciiLetterLower)) return header;
        var words = System.Text.RegularExpressions.Regex.Matches(header, "[A-Z]{2,}(?=[A-Z][a-z]|[0-9]|$)|[A-Z]?[a-z]+|[A-Z]|[0-9]+")
            .Select(m => m.Value.Length > 1 && m.Value.All(char.IsAsciiLetterUpper) ? m.Value : m.Value.ToLowerInvariant());
        return string.Join(' ', words);
    }

    /// <summary>A real as <see cref="Rounded"/> tables print it.</summary>
    public static string FormatRounded(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return value.ToString(CultureInfo.InvariantCulture);
        double a = Math.Abs(value);
        if (a >= 1e12 || (a > 0 && a < 1e-4)) return value.ToString("G3", CultureInfo.InvariantCulture);
        if (a >= 1000) return value.ToString("#,0", CultureInfo.InvariantCulture);
        if (a >= 1 || a == 0) return value.ToString("#,0.##", CultureInfo.InvariantCulture);
        return Math.Round(value, 2 - (int)Math.Floor(Math.Log10(a)), MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);
    }

    /// <summary>The CSS the tables use (class <c>xcn-table</c>); pages that hold many tables include it once.</summary>
    public const string Css =
        ".xcn-table { border-collapse: collapse; font-family: Helvetica, Arial, sans-serif; font-size: 13px; margin: 4px 0 12px 0; }\n" +
        ".xcn-table caption { text-align: left; font-weight: bold; padding: 2px 0 6px 0; }\n" +
        ".xcn-table th, .xcn-table td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; vertical-align: top; }\n" +
        ".xcn-table th { background: #f2f2f2; }\n" +
        ".xcn-table td.num { text-align: right; font-variant-numeric: tabular-nums; }\n" +
        ".xcn-table td.more { color: #777; font-style: italic; }\n";

    /// <summary>The table as an HTML fragment; <paramref name="includeStyle"/> adds its CSS (for a lone table).</summary>
    public string ToHtml(bool includeStyle = true)
    {
        var sb = new StringBuilder();
        if (includeStyle) sb.Append("<style>\n").Append(Css).Append("</style>\n");
        sb.Append("<table class=\"xcn-table\">\n");
        if (Caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(Caption)).Append("</caption>\n");
        sb.Append("<thead><tr>");
        foreach (var c in Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row)
                sb.Append(IsNumber(cell) ? "<td class=\"num\">" : "<td>").Append(WebUtility.HtmlEncode(Format(cell))).Append("</td>");
            sb.Append("</tr>\n");
        }
        if (OmittedRows > 0)
            sb.Append("<tr><td class=\"more\" colspan=\"").Append(Math.Max(1, Columns.Count)).Append("\">… ")
              .Append(OmittedRows.ToString("N0", CultureInfo.InvariantCulture)).Append(" more rows</td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
        return sb.ToString();
    }

    /// <summary>The table as aligned plain text (numbers right-aligned), for consoles and text/plain outputs.</summary>
    public string ToText()
    {
        var cells = Rows.Select(r => r.Select(Format).ToArray()).ToArray();
        var widths = Columns.Select((c, j) => cells.Select(r => r[j].Length).Append(c.Length).Max()).ToArray();
        var sb = new StringBuilder();
        if (Caption is not null) sb.Append(Caption).Append('\n');
        sb.Append(string.Join("  ", Columns.Select((c, j) => c.PadRight(widths[j]))).TrimEnd()).Append('\n');
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        for (int r = 0; r < cells.Length; r++)
            sb.Append(string.Join("  ", cells[r].Select((s, j) => IsNumber(Rows[r][j]) ? s.PadLeft(widths[j]) : s.PadRight(widths[j]))).TrimEnd()).Append('\n');
        if (OmittedRows > 0) sb.Append("… ").Append(OmittedRows.ToString("N0", CultureInfo.InvariantCulture)).Append(" more rows\n");
        return sb.ToString();
    }

    /// <summary>The plain-text table.</summary>
    public override string ToString() => ToText();

    /// <summary>
    /// How a cell value prints: integers with thousands separators, reals with up to 4 decimals (G4 when tiny or
    /// huge), sequences as "[a, b, …]" (first 8 items), null as empty.
    /// </summary>
    public static string FormatCell(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatReal(d),
        float f => FormatReal(f),
        decimal m => FormatReal((double)m),
        sbyte or byte or short or ushort or int or uint or long or ulong => ((IFormattable)value).ToString("N0", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => FormatSequence(e),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// One row per record, one column per public property or field of the records' type (declaration order). A
    /// sequence of plain values (numbers, strings) gives one "value" column. At most <paramref name="maxRows"/> rows
    /// are kept; the rest are counted in <see cref="OmittedRows"/>.
    /// </summary>
    public static HtmlTable FromRecords<T>(IEnumerable<T> records, int maxRows = 100)
    {
        ArgumentNullException.ThrowIfNull(records);
        var kept = new List<T>();
        long omitted = 0;
        foreach (var r in records)
        {
            if (kept.Count < maxRows) kept.Add(r);
            else omitted++;
        }
        var type = typeof(T) == typeof(object) ? kept.FirstOrDefault(r => r is not null)?.GetType() ?? typeof(object) : typeof(T);
        if (IsScalar(type))
            return new HtmlTable(["value"], kept.Select(r => (IReadOnlyList<object?>)[r]).ToArray()) { OmittedRows = omitted };
        var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo { CanRead: true } p && p.GetIndexParameters().Length == 0 || m is FieldInfo)
            .OrderBy(m => m.MetadataToken)
            .ToArray();
        var rows = kept.Select(r => (IReadOnlyList<object?>)members.Select(m => r is null ? null : m switch
        {
            PropertyInfo p => p.GetValue(r),
            FieldInfo f => f.GetValue(r),
            _ => null,
        }).ToArray()).ToArray();
        return new HtmlTable(members.Select(m => m.Name).ToArray(), rows) { OmittedRows = omitted };
    }

    /// <summary>A two-column table of name/value pairs (a dictionary of metrics, options, counts).</summary>
    public static HtmlTable FromPairs<TValue>(IEnumerable<KeyValuePair<string, TValue>> pairs, string nameColumn = "name", string valueColumn = "value") =>
        new([nameColumn, valueColumn], pairs.Select(kv => (IReadOnlyList<object?>)[kv.Key, kv.Value]).ToArray());

    /// <summary>A two-column table of (name, value) pairs in their order: F# passes <c>[ "epochs", 5; "seed", 1 ]</c> as it is.</summary>
    public static HtmlTable FromPairs<TValue>(IEnumerable<Tuple<string, TValue>> pairs, string nameColumn = "name", string valueColumn = "value") =>
        FromPairs(pairs.Select(p => KeyValuePair.Create(p.Item1, p.Item2)), nameColumn, valueColumn);

    private string Format(object? cell) => cell is double or float && (RealFormat is not null || Rounded)
        ? RealFormat is not null
            ? Convert.ToDouble(cell, CultureInfo.InvariantCulture).ToString(RealFormat, CultureInfo.InvariantCulture)
            : FormatRounded(Convert.ToDouble(cell, CultureInfo.InvariantCulture))
        : FormatCell(cell);

    private static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(TimeSpan) || t == typeof(object);

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private static string FormatReal(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d)) return d.ToString(CultureInfo.InvariantCulture);
        double a = Math.Abs(d);
        return a == 0 || (a >= 1e-3 && a < 1e12) ? d.ToString("#,0.####", CultureInfo.InvariantCulture) : d.ToString("G4", CultureInfo.InvariantCulture);
    }

    private static string FormatSequence(IEnumerable items)
    {
        var parts = new List<string>();
        bool more = false;
        foreach (var item in items)
        {
            if (parts.Count == 8) { more = true; break; }
            parts.Add(FormatCell(item));
        }
        return "[" + string.Join(", ", parts) + (more ? ", …]" : "]");
    }
}
