using System.Globalization;
using System.Text.Json;
using XcNotebooks.Metrics;
using XcNotebooks.Core;

namespace XcNotebooks.Reports;

/// <summary>
/// The kit's objects as <see cref="HtmlTable"/>s: what notebook formatters show and HTML reports print. One place
/// decides how a data set, a metric report or a run report reads.
/// </summary>
public static class ReportTables
{
    /// <summary>A data set summary: sizes, densities and label frequencies.</summary>
    public static HtmlTable Dataset(Dataset data)
    {
        var counts = data.Labels.LabelCounts();
        Array.Sort(counts);
        var rows = new List<KeyValuePair<string, object?>>
        {
            new("points", data.NumPoints),
            new("features", data.NumFeatures),
            new("labels", data.NumLabels),
            new("non-zeros per point", data.NumPoints == 0 ? 0.0 : (double)data.Features.NonZeros / data.NumPoints),
            new("labels per point", data.Labels.LabelsPerPoint),
            new("points per label (min / median / max)", counts.Length == 0 ? "" : $"{counts[0]} / {counts[counts.Length / 2]} / {counts[^1]}"),
            new("multi-class", data.NumPoints > 0 && data.Labels.IsMultiClass),
            new("texts", data.Texts is not null),
            new("label names", data.LabelNames is not null),
        };
        return HtmlTable.FromPairs(rows, "property", "value") with { Caption = data.Name };
    }

    /// <summary>pyxclib's table: one row per metric (P, nDCG, R, PSP, PSnDCG), one column per k, in percent with two decimals.</summary>
    public static HtmlTable Metrics(MetricReport report)
    {
        var columns = new List<string> { "metric" };
        columns.AddRange(Enumerable.Range(1, report.K).Select(k => $"@{k}"));
        var rows = new List<IReadOnlyList<object?>>();
        void Add(string name, IReadOnlyList<double>? values)
        {
            if (values is null) return;
            var row = new object?[report.K + 1];
            row[0] = name;
            for (int k = 0; k < report.K; k++) row[k + 1] = values[k] * 100;
            rows.Add(row);
        }
        Add("P", report.Precision);
        Add("nDCG", report.Ndcg);
        Add("R", report.Recall);
        Add("PSP", report.PropensityPrecision);
        Add("PSnDCG", report.PropensityNdcg);
        return new HtmlTable(columns, rows) { RealFormat = "F2" };
    }

    /// <summary>
    /// A run report as tables: metrics, costs, data files, options and scalar details (sequences shortened).
    /// Tables without rows are left out.
    /// </summary>
    public static IReadOnlyList<HtmlTable> RunReport(RunReport report)
    {
        var tables = new List<HtmlTable>
        {
            HtmlTable.FromPairs(report.Metrics, "metric", "value") with { Caption = $"{report.Method}: metrics (%)", RealFormat = "F2" },
            HtmlTable.FromPairs(new Dictionary<string, object?>
            {
                ["train seconds"] = report.TrainSeconds,
                ["predict seconds"] = report.PredictSeconds,
                ["model MB"] = report.ModelBytes / 1e6,
                ["peak memory MB"] = report.PeakMemoryBytes / 1e6,
            }, "cost", "value") with { Caption = $"{report.Method}: costs (XcNotebooks {report.Version})" },
            HtmlTable.FromPairs(report.DatasetFiles, "split", "file") with { Caption = "data" },
        };
        if (report.Options is not null)
        {
            var json = JsonSerializer.SerializeToElement(report.Options, report.Options.GetType(), Core.RunReport.JsonOptions);
            var options = json.ValueKind == JsonValueKind.Object
                ? json.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, JsonCell(p.Value)))
                : [new KeyValuePair<string, object?>("options", json.GetRawText())];
            tables.Add(HtmlTable.FromPairs(options, "option", "value") with { Caption = "options" });
        }
        tables.Add(HtmlTable.FromPairs(report.Details, "detail", "value") with { Caption = "details" });
        return tables.Where(t => t.Rows.Count > 0).ToArray();
    }

    /// <summary>
    /// One row per method of a comparison, saying whose numbers they are: its headline metric and, where known, its
    /// training seconds and model size.
    /// </summary>
    public static HtmlTable MethodSummary(IEnumerable<MethodSummaryRow> rows, string? caption = null) =>
        new(["method", "metric", "value", "train seconds", "model MB"],
            rows.Select(r => (IReadOnlyList<object?>)[r.Method, r.Metric, r.Value, r.TrainSeconds, r.ModelBytes is { } b ? b / 1e6 : null]).ToArray())
        { Caption = caption, Rounded = true };

    /// <summary>The first <paramref name="rows"/> points' predictions: labels best first and their scores.</summary>
    public static HtmlTable TopK(TopKPredictions predictions, int rows = 10)
    {
        int shown = Math.Min(rows, predictions.Rows);
        var table = Enumerable.Range(0, shown).Select(i => (IReadOnlyList<object?>)
        [
            i,
            string.Join(", ", predictions.LabelArray(i)),
            string.Join(", ", predictions.ScoresOf(i).ToArray().Where((_, r) => predictions.LabelsOf(i)[r] >= 0)
                .Select(s => s.ToString("0.###", CultureInfo.InvariantCulture))),
        ]).ToArray();
        return new HtmlTable(["point", "labels", "scores"], table) { Caption = predictions.ToString(), OmittedRows = predictions.Rows - shown };
    }

    /// <summary>The first <paramref name="rows"/> rows of a sparse matrix as "column:value" lists (first 8 entries).</summary>
    public static HtmlTable Sparse(CsrMatrix matrix, int rows = 10, string? caption = null)
    {
        int shown = Math.Min(rows, matrix.Rows);
        var table = Enumerable.Range(0, shown).Select(i =>
        {
            var entries = matrix.RowEntries(i);
            var text = string.Join(" ", entries.Take(8).Select(e => $"{e.Column}:{e.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));
            return (IReadOnlyList<object?>)[i, entries.Count, entries.Count > 8 ? text + " …" : text];
        }).ToArray();
        return new HtmlTable(["row", "non-zeros", "entries"], table) { Caption = caption ?? matrix.ToString(), OmittedRows = matrix.Rows - shown };
    }

    /// <summary>The top-left <paramref name="rows"/> x <paramref name="cols"/> corner of a dense matrix.</summary>
    public static HtmlTable Dense(RowMajorMatrix matrix, int rows = 10, int cols = 8)
    {
        int shownRows = Math.Min(rows, matrix.Rows), shownCols = Math.Min(cols, matrix.Cols);
        var columns = new List<string> { "row" };
        columns.AddRange(Enumerable.Range(0, shownCols).Select(c => c.ToString(CultureInfo.InvariantCulture)));
        if (shownCols < matrix.Cols) columns.Add("…");
        var table = Enumerable.Range(0, shownRows).Select(r =>
        {
            var row = new List<object?> { r };
            for (int c = 0; c < shownCols; c++) row.Add(matrix[r, c]);
            if (shownCols < matrix.Cols) row.Add("…");
            return (IReadOnlyList<object?>)row;
        }).ToArray();
        return new HtmlTable(columns, table) { Caption = matrix.ToString(), OmittedRows = matrix.Rows - shownRows, RealFormat = "G4" };
    }

    private static object? JsonCell(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.TryGetInt64(out long l) ? l : e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => e.GetRawText(),
    };
}

/// <summary>A method's line of a summary: whose numbers (<paramref name="Method"/>), which metric, and its costs where known.</summary>
public sealed record MethodSummaryRow(string Method, string Metric, double Value, double? TrainSeconds = null, long? ModelBytes = null);
