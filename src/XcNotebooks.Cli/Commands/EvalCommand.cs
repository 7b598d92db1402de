using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using XcNotebooks.Experiments;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn eval --pred P --truth T [--k 5] [--train-labels F] [--A a --B b] [--filter F] [--json OUT]`: the pyxclib
/// metric table (P, nDCG, PSP, PSnDCG, recall for k = 1..K) of a sparse score matrix (pyxclib text or .npz) against
/// the labels of a data file or label matrix.
/// </summary>
public sealed class EvalCommand : ICliCommand
{
    private static readonly Option<string> Pred = new("--pred") { Description = "predicted scores: pyxclib sparse text (rows cols, then j:v) or scipy .npz", Required = true };

    private static readonly Option<string> Truth = new("--truth") { Description = "ground truth: a data file in any format, or a label matrix (tst_X_Y.txt, Y.tst.npz)", Required = true };

    private static readonly Option<int> K = new("--k") { Description = "largest k", DefaultValueFactory = _ => 5 };

    private static readonly Option<string?> TrainLabels = new("--train-labels") { Description = "training labels (any data file or label matrix), for propensity-scored metrics" };

    private static readonly Option<double> A = new("--A") { Description = "propensity constant A (0.55; Amazon 0.6, Wikipedia 0.5)", DefaultValueFactory = _ => Propensity.Default.A };

    private static readonly Option<double> B = new("--B") { Description = "propensity constant B (1.5; Amazon 2.6, Wikipedia 0.4)", DefaultValueFactory = _ => Propensity.Default.B };

    private static readonly Option<string?> Filter = new("--filter") { Description = "(point, label) pairs to drop from the predictions (filter_labels_test.txt)" };

    private static readonly Option<string?> Json = new("--json") { Description = "also write the metrics (fractions, k = 1..K) as JSON here" };

    /// <inheritdoc />
    public Command Build()
    {
        var command = new Command("eval", "Evaluate predicted scores: P@k, nDCG@k, PSP@k, PSnDCG@k, recall@k (pyxclib)")
        {
            Pred, Truth, K, TrainLabels, A, B, Filter, Json, MethodCommand.Format,
        };
        command.SetAction(args =>
        {
            int k = args.GetValue(K);
            if (k < 1) throw new ArgumentException($"--k must be at least 1, got {k}");
            var format = args.GetValue(MethodCommand.Format);
            var truth = ConsoleMonitor.Run(monitor => DatasetReader.ReadSplits(args.GetValue(Truth)!, null, null, format, monitor)).Train.Labels;
            var predPath = args.GetValue(Pred)!;
            var predictions = ReadPredictions(predPath);
            if (predictions.Rows != truth.Rows)
                throw new DataFormatException(predPath, 0, $"{predictions.Rows} rows of predictions, but the ground truth has {truth.Rows} points");
            int largest = predictions.Labels.Length == 0 ? -1 : predictions.Labels.Max();
            if (largest >= truth.NumLabels)
                throw new DataFormatException(predPath, 0, $"label {largest} is predicted, but the ground truth has {truth.NumLabels} labels");
            // Every stored entry is kept until here, so filtered pairs leave the ranking and lower entries move up.
            if (args.GetValue(Filter) is { } filterPath) predictions = LabelFilter.Read(filterPath).Apply(predictions);
            LabelMatrix? trainLabels = null;
            if (args.GetValue(TrainLabels) is { } trainPath)
            {
                trainLabels = DatasetReader.Read(trainPath, format).Labels;
                if (trainLabels.NumLabels != truth.NumLabels)
                    throw new DataFormatException(trainPath, 0, $"{trainLabels.NumLabels} labels, but the ground truth has {truth.NumLabels}");
            }
            var settings = new ExperimentSettings { Ks = [k], PropensityA = args.GetValue(A), PropensityB = args.GetValue(B) };
            var report = Experiment.Evaluate(truth, predictions, settings, trainLabels);
            CliConsole.Create().Write(Table(report));
            if (args.GetValue(Json) is { } json)
                InputFile.WriteTextAtomic(json, w => w.Write(JsonSerializer.Serialize(report, RunReport.JsonOptions)));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Every stored entry of a score file, ranked per point: pyxclib sparse text keeps its order among equal scores
    /// (what `xcn predict` and the training run ranked); a scipy .npz is ranked by score, then label.
    /// </summary>
    public static TopKPredictions ReadPredictions(string path)
    {
        if (!InputFile.StripCompression(path).EndsWith(".npz", StringComparison.OrdinalIgnoreCase)) return TopKPredictions.Load(path);
        var scores = NpzFormat.ReadMatrix(path);
        int longest = Enumerable.Range(0, scores.Rows).Select(scores.RowLength).DefaultIfEmpty(0).Max();
        return TopKPredictions.FromSparseScores(scores, Math.Max(1, longest));
    }

    /// <summary>One row per metric, one column per k, in percent.</summary>
    public static Table Table(MetricReport report)
    {
        var table = new Table().AddColumn("metric");
        for (int k = 1; k <= report.K; k++) table.AddColumn(new TableColumn($"@{k}").RightAligned());
        void Row(string name, IReadOnlyList<double>? values)
        {
            if (values is not null) table.AddRow([name, .. values.Select(v => (v * 100).ToString("F2", CultureInfo.InvariantCulture))]);
        }
        Row("P", report.Precision);
        Row("nDCG", report.Ndcg);
        Row("PSP", report.PropensityPrecision);
        Row("PSnDCG", report.PropensityNdcg);
        Row("R", report.Recall);
        return table;
    }
}
