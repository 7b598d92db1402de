using XcNotebooks.Learners;

namespace XcNotebooks.Methods.Baselines;

/// <summary>How each feature column is weighted before rows are scaled to unit length.</summary>
public enum FeatureWeighting
{
    /// <summary>Chosen on the held-out data among <see cref="None"/>, <see cref="Idf"/> and <see cref="MaxAbs"/>.</summary>
    Auto,
    /// <summary>The features as they are.</summary>
    None,
    /// <summary>
    /// Inverse document frequency of the training points, ln((1 + N) / (1 + n_j)) + 1 with n_j the points where feature
    /// j is non-zero (scikit-learn's smoothed idf): rare words weigh more on bag-of-words data.
    /// </summary>
    Idf,
    /// <summary>Each column divided by its largest absolute training value (dense features of unlike scales).</summary>
    MaxAbs,
}

/// <summary>
/// Settings of the calibrated fusion of one-vs-rest and k-nearest neighbours. Lists are candidates: every combination
/// is scored on held-out data carved from the training set (or the caller's held-out split) and the best at
/// P@<see cref="SelectAt"/> is kept.
/// </summary>
public sealed record CalibratedFusionOptions
{
    /// <summary>The column weighting (Auto: chosen on held-out data).</summary>
    public FeatureWeighting Weighting { get; init; } = FeatureWeighting.Auto;

    /// <summary>The one-vs-rest learners (learner kind, bias, unit rows); their cost C comes from <see cref="Costs"/>.</summary>
    public OneVsRestOptions OneVsRest { get; init; } = new();

    /// <summary>Candidate costs C of the one-vs-rest learners.</summary>
    public IReadOnlyList<double> Costs { get; init; } = [0.25, 0.5, 1, 2];

    /// <summary>Candidate numbers of neighbours.</summary>
    public IReadOnlyList<int> Neighbours { get; init; } = [10, 20, 40];

    /// <summary>Candidate weights of the neighbours' vote share beside the calibrated probability (0: one-vs-rest alone).</summary>
    public IReadOnlyList<double> NeighbourWeights { get; init; } = [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1];

    /// <summary>
    /// Cross-validation folds carved from the training set (seeded) when no held-out split is given: every training
    /// point is scored once by models that did not see it, and settings and calibration are fit on those scores.
    /// </summary>
    public int Folds { get; init; } = 3;

    /// <summary>The k of the held-out precision P@k that picks the settings.</summary>
    public int SelectAt { get; init; } = 1;

    /// <summary>Seed of the folds and of the learners.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the values, throwing ArgumentException on nonsense.</summary>
    public CalibratedFusionOptions Validate()
    {
        if (!Enum.IsDefined(Weighting)) throw new ArgumentException($"unknown feature weighting {Weighting}");
        (OneVsRest ?? throw new ArgumentException("one-vs-rest options are missing")).Validate();
        if (OneVsRest.Learner.IsOnline)
            throw new ArgumentException($"the fusion tunes the cost C of a dual coordinate descent learner; {OneVsRest.Learner.DisplayName} has none");
        Check(Costs, "costs", c => c > 0 && double.IsFinite(c), "positive");
        Check(Neighbours, "neighbours", k => k >= 1, "at least 1");
        Check(NeighbourWeights, "neighbour weights", w => w >= 0 && double.IsFinite(w), "0 or positive");
        if (Folds < 2) throw new ArgumentException($"folds must be at least 2, got {Folds}");
        if (SelectAt < 1) throw new ArgumentException($"select-at must be at least 1, got {SelectAt}");
        return this;
    }

    private static void Check<T>(IReadOnlyList<T>? values, string name, Func<T, bool> valid, string requirement)
    {
        if (values is null || values.Count == 0) throw new ArgumentException($"{name}: at least one candidate is needed");
        foreach (var v in values)
            if (!valid(v)) throw new ArgumentException($"{name} must be {requirement}, got {v}");
    }
}
