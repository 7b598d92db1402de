namespace XcNotebooks.Core;

/// <summary>Train, optional validation (heldout) and test splits that share feature and label spaces.</summary>
public sealed record DataSplits(Dataset Train, Dataset? Heldout, Dataset Test)
{
    /// <summary>All splits present, in order train, heldout, test.</summary>
    public IReadOnlyList<Dataset> All => Heldout is null ? [Train, Test] : [Train, Heldout, Test];
}
