using System.CommandLine;
using System.Diagnostics;
using XcNotebooks.Cli.Common;
using XcNotebooks.Data.Formats;
using XcNotebooks.Hierarchies;
using XcNotebooks.Plotting;
using XcNotebooks.Methods.Wltls;

namespace XcNotebooks.Cli.Commands;

/// <summary>Which class distances `xcn hierarchy` clusters.</summary>
public enum HierarchyDistance
{
    /// <summary>Euclidean distances between class means of the features (the W-LTLS authors' choice).</summary>
    Means,
    /// <summary>Negative co-occurrence counts of labels (HierarchicalXC).</summary>
    Cooccurrence,
    /// <summary>Negative intersection-over-union of label occurrences.</summary>
    Iou,
}

/// <summary>
/// `xcn hierarchy --train F [--distance means|cooccurrence|iou] [--linkage average|complete|single] [--dot F]
/// [--html F] [--assignment F.json --name KEY]`: clusters the classes of a data set into a binary tree, prints its
/// shape and the pre-order of the classes, and writes it as Graphviz DOT, as a dendrogram page, and as a
/// similarity-preserving codeword assignment in the W-LTLS authors' JSON format.
/// </summary>
public sealed class HierarchyCommand : ICliCommand
{
    private static readonly Option<string> Train = new("--train") { Description = "data file whose classes are clustered", Required = true };
    private static readonly Option<HierarchyDistance> Distance = OptionsBinder.EnumOption<HierarchyDistance>("--distance",
        "class distances: means (Euclidean between class means), cooccurrence or iou (negative label co-occurrence)", HierarchyDistance.Means);
    private static readonly Option<LinkageMethod> Linkage = OptionsBinder.EnumOption<LinkageMethod>("--linkage",
        "linkage: average (W-LTLS authors), complete (HierarchicalXC) or single", LinkageMethod.Average);
    private static readonly Option<string?> Dot = new("--dot") { Description = "write the tree as Graphviz DOT here" };
    private static readonly Option<string?> Html = new("--html") { Description = "write the dendrogram as a standalone HTML page (plotly.js inlined) here" };
    private static readonly Option<string?> Assignment = new("--assignment") { Description = "write the similarity-preserving assignment (class of each codeword) as JSON here" };
    private static readonly Option<string> Name = new("--name") { Description = "key of the assignment in the JSON file", DefaultValueFactory = _ => "assignment" };

    /// <inheritdoc />
    public Command Build()
    {
        var command = new Command("hierarchy", "cluster the classes of a data set into a tree; export DOT and a similarity-preserving codeword assignment")
        {
            Train, MethodCommand.Format, Distance, Linkage, Dot, Html, Assignment, Name,
        };
        command.SetAction(args =>
        {
            var sw = Stopwatch.StartNew();
            var data = DatasetReader.Read(args.GetValue(Train)!, args.GetValue(MethodCommand.Format));
            Console.WriteLine($"Loaded {data} in {sw.Elapsed.TotalSeconds:F1} s");
            sw.Restart();
            var distances = args.GetValue(Distance) switch
            {
                HierarchyDistance.Means => ClassDistances.EuclideanBetweenMeans(data),
                HierarchyDistance.Cooccurrence => ClassDistances.CoOccurrence(data.Labels, CoOccurrenceDistance.NegativeCount),
                _ => ClassDistances.CoOccurrence(data.Labels, CoOccurrenceDistance.NegativeIou),
            };
            var tree = AgglomerativeClustering.Fit(distances, args.GetValue(Linkage));
            var hierarchy = tree.ToHierarchy(data.LabelNames);
            Console.WriteLine($"{hierarchy} in {sw.Elapsed.TotalSeconds:F1} s");
            var order = hierarchy.LabelsInPreOrder;
            Console.WriteLine($"Classes in pre-order: {string.Join(" ", order.Take(30).Select(hierarchy.NodeName))}{(order.Count > 30 ? " ..." : "")}");
            if (args.GetValue(Dot) is { } dot)
            {
                hierarchy.SaveDot(dot);
                Console.WriteLine($"DOT written to {dot}");
            }
            if (args.GetValue(Html) is { } html)
            {
                ChartHtml.SaveHtml(HierarchyCharts.Dendrogram(tree, data.LabelNames), html, $"{data.Name}: class dendrogram");
                Console.WriteLine($"Dendrogram written to {html}");
            }
            if (args.GetValue(Assignment) is { } path)
            {
                PrecomputedAssignments.Save(path, new Dictionary<string, PathAssignment> { [args.GetValue(Name)!] = SimilarityAssignment.FromHierarchy(hierarchy) });
                Console.WriteLine($"Assignment written to {path}");
            }
            return 0;
        });
        return command;
    }
}
