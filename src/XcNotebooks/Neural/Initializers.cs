namespace XcNotebooks.Neural;

/// <summary>How a weight matrix is initialised (biases always use PyTorch's U(±1/√fan_in)).</summary>
public enum WeightInit
{
    /// <summary>PyTorch's nn.Linear default, kaiming_uniform(a=√5): U(±1/√fan_in).</summary>
    PyTorchDefault,
    /// <summary>Glorot/Xavier uniform: U(±√(6/(fan_in + fan_out))).</summary>
    XavierUniform,
    /// <summary>He/Kaiming uniform for ReLU: U(±√(6/fan_in)).</summary>
    KaimingUniform,
    /// <summary>Standard normal N(0, 1) (PyTorch's nn.Embedding default).</summary>
    StandardNormal,
}

/// <summary>Seeded initial values, generated on the host (once per model) and uploaded.</summary>
public static class Initializers
{
    /// <summary><paramref name="count"/> values for a weight with the given fans.</summary>
    public static float[] Weights(WeightInit init, int fanIn, int fanOut, int count, int seed)
    {
        var rng = new Random(seed);
        var values = new float[count];
        if (init == WeightInit.StandardNormal)
        {
            for (int i = 0; i < count; i++) values[i] = (float)Gaussian(rng);
            return values;
        }
        double bound = init switch
        {
            WeightInit.XavierUniform => Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut)),
            WeightInit.KaimingUniform => Math.Sqrt(6.0 / Math.Max(1, fanIn)),
            _ => 1.0 / Math.Sqrt(Math.Max(1, fanIn)),
        };
        for (int i = 0; i < count; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
        return values;
    }

    /// <summary>PyTorch's bias default: U(±1/√fan_in).</summary>
    public static float[] Bias(int fanIn, int count, int seed) => Weights(WeightInit.PyTorchDefault, fanIn, count, count, seed);

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
