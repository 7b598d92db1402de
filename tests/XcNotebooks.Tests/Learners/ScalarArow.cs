namespace XcNotebooks.Tests.Learners;

/// <summary>The spec's AROW update written out plainly for one learner: the tests' independent reference.</summary>
internal sealed class ScalarArow(int dimension)
{
    public float[] Mean { get; } = new float[dimension];

    public float[] Covariance { get; } = Enumerable.Repeat(1f, dimension).ToArray();

    public float Margin(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        float sum = 0;
        for (int j = 0; j < indices.Length; j++) sum += values[j] * Mean[indices[j]];
        return sum;
    }

    /// <summary>r = 1, margin threshold 1, step 1.</summary>
    public void Update(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int label, float margin)
    {
        double m = label * (double)margin;
        if (m > 1) return;
        float v = 0;
        for (int j = 0; j < indices.Length; j++) v += values[j] * values[j] * Covariance[indices[j]];
        double beta = 1.0 / (v + 1.0); // in double, as the library
        float alpha = (float)(Math.Max(0, 1 - m) * beta * label);
        for (int j = 0; j < indices.Length; j++)
        {
            float covX = Covariance[indices[j]] * values[j];
            Mean[indices[j]] += alpha * covX;
            Covariance[indices[j]] -= (float)beta * covX * covX;
        }
    }
}
