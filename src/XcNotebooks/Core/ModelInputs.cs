namespace XcNotebooks.Core;

/// <summary>Checks shared by the linear models' prediction paths.</summary>
internal static class ModelInputs
{
    /// <summary>
    /// <paramref name="features"/> seen in the model's feature space: data read on its own may know fewer features
    /// (unseen high ids) and is widened; more features than the model was trained on is an error.
    /// </summary>
    public static CsrMatrix InFeatureSpace(CsrMatrix features, int modelFeatures)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Cols == modelFeatures) return features;
        if (features.Cols < modelFeatures) return features.WithColumns(modelFeatures);
        throw new ArgumentException($"the data has {features.Cols} features, the model was trained on {modelFeatures}");
    }
}
