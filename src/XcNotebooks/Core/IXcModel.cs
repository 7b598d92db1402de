namespace XcNotebooks.Core;

/// <summary>
/// What every trained model offers (napkinXC's shape): top-k prediction on a data set (features, or texts for text
/// encoders), and saving. Each method's static Load restores its model.
/// </summary>
public interface IXcModel
{
    /// <summary>The method's name as the CLI spells it ("wltls", "dsnc", ...).</summary>
    string Method { get; }

    /// <summary>The k best labels of each point of <paramref name="data"/>.</summary>
    TopKPredictions TopK(Dataset data, int k);

    /// <summary>Writes the model atomically to <paramref name="path"/>.</summary>
    void Save(string path);
}
