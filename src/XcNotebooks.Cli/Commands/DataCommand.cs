using System.CommandLine;
using System.Globalization;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data.WordNet;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn data wordnet --dict DIR --out DIR [--pos noun|verb] [--task hypernym|ancestors] [--seed S]
/// [--split 0.7,0.1,0.2] [--label-sample N]`: builds an XC data set from the WordNet database files (see <see cref="WordNetDatasets"/>).
/// </summary>
public sealed class DataCommand : ICliCommand
{
    private static readonly Option<string> Dictionary = new("--dict")
    { Description = "WordNet dictionary directory holding data.noun / data.verb", DefaultValueFactory = _ => WordNetDatasets.DebianDictionary };

    private static readonly Option<string> Out = new("--out") { Description = "directory to write the splits, label texts, hierarchy, stats.json and PROVENANCE.txt to", Required = true };

    private static readonly Option<WordNetPartOfSpeech> PartOfSpeech = new("--pos")
    { Description = "data file: noun or verb", DefaultValueFactory = _ => WordNetPartOfSpeech.Noun };

    private static readonly Option<WordNetTask> Task = new("--task")
    { Description = "hypernym (multi-class: first direct hypernym) or ancestors (multi-label: every hypernym ancestor)", DefaultValueFactory = _ => WordNetTask.Hypernym };

    private static readonly Option<int> Seed = new("--seed") { Description = "seed of the split by synset", DefaultValueFactory = _ => 0 };

    private static readonly Option<string> Split = new("--split")
    { Description = "fractions train,heldout,test", DefaultValueFactory = _ => "0.7,0.1,0.2" };

    private static readonly Option<int?> LabelSample = new("--label-sample")
    { Description = "keep a random sample of this many labels (seeded by --seed) and their points; default: every label" };

    private static readonly Option<int?> PointSample = new("--point-sample")
    { Description = "keep a random sample of this many points (seeded by --seed) with all their labels; default: every point" };

    /// <inheritdoc />
    public Command Build()
    {
        var wordnet = new Command("wordnet", "build the WordNet hypernym (17k classes) or ancestors (multi-label) data set with its class hierarchy")
        {
            Dictionary, Out, PartOfSpeech, Task, Seed, Split, LabelSample, PointSample,
        };
        wordnet.SetAction(args =>
        {
            var options = new WordNetDatasetOptions
            {
                PartOfSpeech = args.GetValue(PartOfSpeech),
                Task = args.GetValue(Task),
                Seed = args.GetValue(Seed),
                Split = ParseFractions(args.GetValue(Split)!),
                LabelSample = args.GetValue(LabelSample),
                PointSample = args.GetValue(PointSample),
            };
            options.Validate();
            var set = ConsoleMonitor.Run(monitor => WordNetDatasets.Build(args.GetValue(Dictionary)!, options, monitor));
            foreach (var split in set.Splits.All) Console.WriteLine(split);
            var s = set.Statistics;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Labels:N0} labels ({s.LabelsInTrain:N0} in train), median {s.MedianPointsPerLabel:G4} points per label; " +
                $"{s.TestPointsWithUnseenLabel:N0} test points with a label unseen in training; hierarchy {s.HierarchyEdges:N0} edges, {s.HierarchyRoots} root(s), height {s.HierarchyHeight}"));
            foreach (var path in WordNetDatasets.Write(set, args.GetValue(Out)!)) Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return new Command("data", "build data sets from public databases") { wordnet };
    }

    private static double[] ParseFractions(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var fractions = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out fractions[i]))
                throw new ArgumentException($"--split: '{parts[i]}' is not a number (expected train,heldout,test fractions such as 0.7,0.1,0.2)");
        if (fractions.Length != 3) throw new ArgumentException($"--split: expected three fractions train,heldout,test, got {fractions.Length}");
        return fractions;
    }
}
