using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;

namespace XcNotebooks.Cli.Commands;

/// <summary>
/// `xcn wltls-assignments --train F --heldout F --test F [--widths 2,3,5] [--seeds 5] [--epochs 5]`: the
/// AISTATS 2023 experiment, random against similarity-preserving codeword-to-class assignments at several slice
/// widths over several seeds; prints the table (mean ± std of test accuracy and of the Eq. 5 score) and puts it in
/// the report.
/// </summary>
public sealed class WltlsAssignmentsCommand : ICliCommand
{
    /// <summary>
    /// The experiment's options with W-LTLS's own inline (--epochs, --learner-kind, ...); the slice width, assignment
    /// policy and checkpoint are the experiment's to set.
    /// </summary>
    private static readonly OptionsBinderSettings Binding = new()
    {
        Inline = ["Wltls"],
        Exclude = ["Wltls.SliceWidth", "Wltls.PathAssignment", "Wltls.CodewordOfClass", "Wltls.CheckpointPath", "Wltls.Seed"],
        Aliases = [new("SliceWidths", "--widths"), new("Wltls.SimilarityLinkage", "--linkage"), new("Wltls.Learner.Kind", "--binary-classifier")],
    };

    /// <inheritdoc/>
    public Command Build() => MethodCommand.Create("wltls-assignments",
        "W-LTLS with random vs similarity-preserving codeword-to-class assignments (Evron et al., AISTATS 2023)",
        new AssignmentExperimentOptions(), Binding, [], Run, validate: Validate);

    private static void Validate(AssignmentExperimentOptions options)
    {
        if (options.Seeds < 1) throw new ArgumentException($"seeds must be at least 1, got {options.Seeds}");
        if (options.SliceWidths.Count == 0) throw new ArgumentException("no slice widths");
        foreach (int width in options.SliceWidths) WltlsCommand.ValidateWithoutData(options.Wltls with { SliceWidth = width });
    }

    private static RunReport Run(MethodRun run, AssignmentExperimentOptions options)
    {
        options = options with { Wltls = options.Wltls with { Seed = run.Seed } };
        var rows = WltlsAssignmentExperiment.Run(run.Data, options, run.Monitor);
        run.Monitor.Write(WltlsAssignmentExperiment.ToMarkdown(rows));
        return WltlsAssignmentExperiment.ToRunReport(rows, options, run.Files);
    }
}
