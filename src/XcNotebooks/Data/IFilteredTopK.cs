using XcNotebooks.Core;

namespace XcNotebooks.Data;

/// <summary>
/// A model that removes filtered (point, label) pairs before ranking (DEXA's and DEXML's filter_predictions), so
/// lower labels move up into the top k; other models' predictions are filtered after ranking.
/// </summary>
public interface IFilteredTopK
{
    /// <summary>The k best labels of each point of <paramref name="data"/> without the pairs of <paramref name="filter"/>.</summary>
    TopKPredictions TopK(Dataset data, int k, LabelFilter? filter);
}
