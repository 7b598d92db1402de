namespace XcNotebooks.Methods.Wltls;

/// <summary>The binary loss L(y z) that loss-based decoding sums over the codeword bits.</summary>
public enum DecodingLoss
{
    /// <summary>exp(-y z), the exponent clipped to [-20, 20] (the original's default; works best in practice).</summary>
    Exponential,
    /// <summary>max(0, 1 - y z)^2, the natural loss for AROW.</summary>
    SquaredHinge,
    /// <summary>(1 - y z)^2, the loss of LTLS (Jasinska et al. 2016).</summary>
    Squared,
}

/// <summary>Values of the decoding losses and their names as the original CLI spells them.</summary>
public static class DecodingLosses
{
    /// <summary>The exponent clip of the exponential loss (for numerical safety).</summary>
    public const double ExponentClip = 20;

    /// <summary>L(<paramref name="margin"/>) where margin = y z (bit times response).</summary>
    public static double Value(DecodingLoss loss, double margin) => loss switch
    {
        DecodingLoss.Exponential => Math.Exp(-Math.Clamp(margin, -ExponentClip, ExponentClip)),
        DecodingLoss.SquaredHinge => margin >= 1 ? 0 : (1 - margin) * (1 - margin),
        DecodingLoss.Squared => (1 - margin) * (1 - margin),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>The name the original CLI uses: "exponential", "squared_hinge", "squared".</summary>
    public static string Name(DecodingLoss loss) => loss switch
    {
        DecodingLoss.Exponential => "exponential",
        DecodingLoss.SquaredHinge => "squared_hinge",
        DecodingLoss.Squared => "squared",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    /// <summary>Parses a loss name ("exponential", "squared_hinge" or "squared-hinge", "squared"; case-insensitive).</summary>
    public static DecodingLoss Parse(string name) => name.Trim().ToLowerInvariant().Replace('-', '_') switch
    {
        "exponential" or "exp" => DecodingLoss.Exponential,
        "squared_hinge" or "squaredhinge" => DecodingLoss.SquaredHinge,
        "squared" => DecodingLoss.Squared,
        _ => throw new ArgumentException($"unknown decoding loss '{name}': expected exponential, squared_hinge or squared"),
    };
}
