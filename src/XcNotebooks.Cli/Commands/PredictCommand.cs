using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Experiments;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn predict --model PATH --test FILE [--topk K] [--backend cpu|ilgpu] [--filter F] --out SCORES`: applies a saved
/// model of any method (the file names its method) to a data set and writes the top k labels of each point as
/// pyxclib sparse score text, which `xcn eval --pred SCORES` reads.
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    private static readonly Option<string> Model = new("--model") { Description = "a model file saved by any method (model.wltls, model.dexa, ...)", Required = true };

    private static readonly Option<string> Test = new("--test") { Description = "data to predict: a data file, or a data set directory (its test split); texts for DEXA and DEXML", Required = true };

    private static readonly Option<string> Out = new("--out") { Description = "where the scores go (pyxclib sparse text: 'rows labels', then label:score pairs per point)", Required = true };

    private static readonly Option<BackendKind?> Backend = new("--backend") { Description = "compute backend of models with an ILGPU path: cpu or ilgpu (default: the saved or automatic choice)" };

    private static readonly Option<string?> Filter = new("--filter") { Description = "(point, label) pairs to drop from the predictions (filter_labels_test.txt; LF-* directories: read automatically)" };

    /// <summary>Methods whose models read texts: their data files are JSON lines unless --format says otherwise.</summary>
    private static readonly HashSet<string> TextMethods = ["dexa", "dexml"];

    /// <inheritdoc />
    public Command Build()
    {
        var command = new Command("predict", "Apply a saved model to a data set and write its top-k scores (for xcn eval --pred)")
        {
            Model, Test, MethodCommand.TopK, Backend, Filter, MethodCommand.Format, Out,
        };
        command.SetAction(args =>
        {
            var modelPath = args.GetValue(Model)!;
            var testPath = args.GetValue(Test)!;
            var outPath = args.GetValue(Out)!;
            var format = args.GetValue(MethodCommand.Format);
            InputFile.CheckWritableFile(outPath); // before anything is read
            using var model = XcMethods.Load(modelPath, args.GetValue(Backend));
            var (data, filter) = ConsoleMonitor.Run(monitor => Read(testPath, format, TextMethods.Contains(model.Method), monitor));
            if (args.GetValue(Filter) is { } filterPath) filter = LabelFilter.Read(filterPath);
            MethodCommand.RequirePoints(data, testPath, "test");
            var clock = Stopwatch.StartNew();
            var predictions = Experiment.Predict(model, data, args.GetValue(MethodCommand.TopK), filter);
            predictions.Save(outPath, data.NumLabels);
            Console.WriteLine($"{model.Method} model: top {predictions.K} of {data.NumPoints:N0} points in {clock.Elapsed.TotalSeconds:F2} s, written to {outPath}");
            return 0;
        });
        return command;
    }

    /// <summary>The test split of a directory (with its test filter, if any), or a data file.</summary>
    private static (Dataset Data, LabelFilter? Filter) Read(string path, DataFormat format, bool texts, TrainingMonitor monitor)
    {
        if (Directory.Exists(path))
        {
            var filters = LfTextFormat.ReadFilters(path);
            return (DatasetReader.ReadDirectory(path, format, monitor).Test, filters.Test.Count > 0 ? filters.Test : null);
        }
        if (texts && format == DataFormat.Auto) format = DataFormat.JsonLines;
        return (DatasetReader.ReadSplits(path, null, null, format, monitor).Train, null);
    }
}
