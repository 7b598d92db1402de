using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data.Formats;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn convert IN OUT [--from F] [--to F]`: rewrites a data set in another format (formats from the names unless
/// given). A directory IN converts all its splits; OUT then gets the split names (or is a directory for LF-* and raw text).
/// </summary>
public sealed class ConvertCommand : ICliCommand
{
    private static readonly Argument<string> Input = new("in") { Description = "data file or data set directory to read" };

    private static readonly Argument<string> Output = new("out") { Description = "file (or directory) to write" };

    private static readonly Option<DataFormat> From = OptionsBinder.EnumOption<DataFormat>("--from", "input format (auto-detected by default)", DataFormat.Auto);

    private static readonly Option<DataFormat> To = OptionsBinder.EnumOption<DataFormat>("--to", "output format (from OUT's extension by default)", DataFormat.Auto);

    /// <inheritdoc />
    public Command Build()
    {
        var command = new Command("convert", "Convert a data set between formats (XMLRepository, LIBSVM, pyxclib X/Y, .npz, ARFF, JSON lines, LF-*, raw text)")
        {
            Input, Output, From, To,
        };
        command.SetAction(args =>
        {
            var input = args.GetValue(Input)!;
            var output = args.GetValue(Output)!;
            var to = args.GetValue(To);
            DatasetWriter.CheckDestination(output, to, splits: Directory.Exists(input)); // before any data is read
            var splits = ConsoleMonitor.Run(monitor => DatasetReader.ReadSplits(input, null, null, args.GetValue(From), monitor));
            IReadOnlyList<string> written;
            if (Directory.Exists(input)) written = DatasetWriter.WriteSplits(output, splits, to);
            else
            {
                DatasetWriter.Write(output, splits.Train, to);
                written = [output];
            }
            foreach (var set in splits.All.Distinct()) Console.WriteLine($"Read {set}");
            foreach (var path in written) Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}
