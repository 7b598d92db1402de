using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Experiments;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn predict --model PATH --test FILE [--topk K] --out SCORES`: applies a saved model of any method (the file names
/// its method) to a data set and writes the top K labels of each point as pyxclib sparse score text, which
/// `xcn eval --pred SCORES` reads: with the same data it gives the metrics of the training run's report.
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    private static readonly Option<string> ModelFile = new("--model") { Description = "a model file saved by a method command's --model (model.wltls, model.dexa, ...)", Required = true };

    private static readonly Option<string> Test = new("--test")
    { Description = "data to predict: a data file, or a data set directory (its test split)", Required = true };

    private static readonly Option<string> Out = new("--out") { Description = "write the scores here (pyxclib sparse text: rows cols, then label:score per point)", Required = true };

    private static readonly Option<BackendKind> Backend = OptionsBinder.EnumOption<BackendKind>("--backend", "compute backend of the model (default: the one it was saved with, or the CPU)");

    private static readonly Option<string?> Filter = new("--filter") { Description = "(point, label) pairs removed from the predictions (filter_labels_test.txt; LF-* directories: read automatically)" };

    /// <inheritdoc/>
    public Command Build()
    {
        var command = new Command("predict", "Apply a saved model to a data set and write its top-k scores (for xcn eval)")
        {
            ModelFile, Test, Out, MethodCommand.TopK, MethodCommand.Format, Backend, Filter,
        };
        command.SetAction(args =>
        {
            var output = args.GetValue(Out)!;
            InputFile.CheckWritableFile(output); // before the model and data are read
            var test = args.GetValue(Test)!;
            BackendKind? backend = args.GetResult(Backend) is { Implicit: false } ? args.GetValue(Backend) : null;
            using var model = XcMethods.Load(args.GetValue(ModelFile)!, backend);
            var data = ConsoleMonitor.Run(monitor => Directory.Exists(test)
                ? DatasetReader.ReadDirectory(test, args.GetValue(MethodCommand.Format), monitor).Test
                : DatasetReader.ReadSplits(test, null, null, args.GetValue(MethodCommand.Format), monitor).Train);
            MethodCommand.RequirePoints(data, test, "test");
            var filter = args.GetValue(Filter) is { } filterFile ? LabelFilter.Read(filterFile)
                : Directory.Exists(test) ? LfTextFormat.ReadFilters(test).Test : null;
            var predictions = Experiment.Predict(model, data, args.GetValue(MethodCommand.TopK), filter);
            predictions.Save(output, data.NumLabels);
            Console.WriteLine($"{model.Method}: top {predictions.K} of {data} written to {output}");
            return 0;
        });
        return command;
    }
}
