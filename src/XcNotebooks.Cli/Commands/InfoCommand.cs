using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn info FILE [FILE...] [--format F] [--json OUT]`: the size and shape of data sets (a directory shows all its
/// splits), one column per split.
/// </summary>
public sealed class InfoCommand : ICliCommand
{
    private static readonly Argument<string[]> Files = new("files")
    {
        Description = "data files or data set directories (any format xcn reads)",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string?> Json = new("--json") { Description = "also write the statistics as JSON here" };

    /// <inheritdoc />
    public Command Build()
    {
        var command = new Command("info", "Describe data sets: points, features, labels, density, label frequencies") { Files, MethodCommand.Format, Json };
        command.SetAction(args =>
        {
            var format = args.GetValue(MethodCommand.Format);
            if (args.GetValue(Json) is { } jsonPath) InputFile.CheckWritableFile(jsonPath); // before any data is read
            var sets = new List<Dataset>();
            foreach (var path in args.GetValue(Files)!)
            {
                var splits = ConsoleMonitor.Run(monitor => DatasetReader.ReadSplits(path, null, null, format, monitor));
                sets.AddRange(Directory.Exists(path) ? splits.All : [splits.Train]);
            }
            var stats = sets.Select(DatasetStatistics.Of).ToList();
            CliConsole.Create().Write(Table(stats));
            if (args.GetValue(Json) is { } json)
                InputFile.WriteTextAtomic(json, w => w.Write(JsonSerializer.Serialize(stats, RunReport.JsonOptions)));
            return 0;
        });
        return command;
    }

    /// <summary>One row per statistic, one column per data set.</summary>
    public static Table Table(IReadOnlyList<DatasetStatistics> stats)
    {
        var table = new Table().AddColumn("");
        foreach (var s in stats) table.AddColumn(new TableColumn(Markup.Escape(s.Name)).RightAligned());
        void Row(string name, Func<DatasetStatistics, string> value) =>
            table.AddRow([Markup.Escape(name), .. stats.Select(s => Markup.Escape(value(s)))]);
        static string N(double v) => v.ToString("#,0.##", CultureInfo.InvariantCulture);
        Row("task", s => s.Task);
        Row("points", s => N(s.Points));
        Row("features", s => N(s.Features));
        Row("labels", s => N(s.Labels));
        Row("non-zeros per point", s => s.NonZerosPerPoint.ToString("F2", CultureInfo.InvariantCulture));
        Row("labels per point", s => $"{s.LabelsPerPoint.ToString("F2", CultureInfo.InvariantCulture)} (max {s.MaxLabelsPerPoint})");
        Row("points per label", s => s.PointsPerLabel.ToString("F2", CultureInfo.InvariantCulture));
        for (int q = 0; q < DatasetStatistics.ReportedQuantiles.Count; q++)
        {
            double at = DatasetStatistics.ReportedQuantiles[q];
            var name = at switch { 0 => "label frequency min", 1 => "label frequency max", _ => $"label frequency {at * 100:0.#}%" };
            int index = q;
            Row(name, s => N(s.LabelFrequencyQuantiles[index]));
        }
        Row("points without labels", s => N(s.PointsWithoutLabels));
        Row("labels without points", s => N(s.LabelsWithoutPoints));
        Row("texts", s => s.HasTexts ? "yes" : "no");
        Row("label names / texts", s => $"{(s.HasLabelNames ? "yes" : "no")} / {(s.HasLabelTexts ? "yes" : "no")}");
        Row("hierarchy edges", s => N(s.HierarchyEdges));
        return table;
    }
}
