using XcNotebooks.Compute;
using XcNotebooks.Methods.Dexa;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Tests.Neural;
using Xunit;

namespace XcNotebooks.Tests.DexaTests;

/// <summary>The M1 and M-IV losses against the original code's values (spec §5.2) and finite differences.</summary>
public sealed class TripletLossTests
{
    private static readonly float[] M1Scores =
    [
        0.80f, 0.75f, 0.10f, 0.60f, 0.20f,
        0.30f, 0.50f, 0.45f, 0.70f, -0.20f,
        0.20f, 0.10f, 0.90f, 0.85f, 0.40f,
        0.10f, 0.40f, 0.30f, 0.95f, 0.90f,
        0.60f, 0.20f, 0.10f, 0.30f, 0.55f,
    ];

    private static bool[] M1Targets()
    {
        var t = new bool[25];
        for (int i = 0; i < 5; i++) t[i * 5 + i] = true;
        t[2 * 5 + 3] = true;
        return t;
    }

    private static readonly InBatchTripletOptions M1 = new(Margin: 0.3f, Negatives: 3, Temperature: 0.1f);

    [Fact]
    public void InBatchLossMatchesTheOriginalDexaCode()
    {
        var g = new float[25];
        double loss = TripletLosses.InBatch(M1Scores, M1Targets(), 5, M1, g);
        Numbers.Close(0.08554, loss, 1e-4, "loss");
        double[] expected =
        [
            -0.066667, 0.069420, 0, -0.002753, 0,
            -0.003048, -0.066667, -0.006201, 0.075916, 0,
            0, 0, 0, 0, 0,
            0, 0, 0, -0.066667, 0.066667,
            0.072540, 0, 0, -0.005874, -0.066667,
        ];
        Numbers.Close(expected, g, 2e-6, "gradient");
    }

    [Fact]
    public void InBatchLossMatchesTheOriginalNgameCode()
    {
        var g = new float[25];
        double loss = TripletLosses.InBatch(M1Scores, M1Targets(), 5, M1 with { NonViolators = NonViolatorLogit.Ngame }, g);
        Numbers.Close(0.085477, loss, 1e-5, "loss");
        double[] expected =
        [
            -0.066637, 0.069443, 0, -0.002739, 0,
            -0.003048, -0.066667, -0.006201, 0.075916, 0,
            0, 0, 0, 0, 0,
            0, 0, 0, -0.066650, 0.066691,
            0.072871, 0, 0, -0.005835, -0.066510,
        ];
        Numbers.Close(expected, g, 2e-6, "gradient");
    }

    private static readonly float[] MultiScores =
    [
        0.72f, 0.20f, 0.65f, 0.10f, 0.50f, 0.30f,
        0.10f, 0.60f, 0.55f, 0.40f, 0.05f, 0.58f,
        0.30f, 0.35f, 0.20f, 0.90f, 0.10f, 0.25f,
    ];

    private static readonly bool[] MultiTargets =
    [
        true, false, true, false, false, false,
        false, true, false, false, false, false,
        false, false, false, true, true, false,
    ];

    [Fact]
    public void MultiPositiveLossMatchesTheOriginalCode()
    {
        var g = new float[18];
        double loss = TripletLosses.MultiPositive(MultiScores, MultiTargets, 3, 6, new MultiPositiveTripletOptions(0.2f, 2, 3), g);
        Numbers.Close(0.034272, loss, 1e-5, "loss");
        double[] expected =
        [
            0, 0, -0.055556, 0, 0.055556, 0,
            0, -0.055556, 0.026945, 0, 0, 0.028611,
            0.018472, 0.020392, 0, 0, -0.055556, 0.016691,
        ];
        Numbers.Close(expected, g, 2e-6, "gradient");
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesAwayFromTies()
    {
        // Random scores (no ties, kinks unlikely within eps): the analytic gradients, weights included, against
        // central differences of the loss itself.
        var scores = Numbers.Uniform(11, 36, -0.5f, 0.9f);
        var targets = new bool[36];
        for (int i = 0; i < 6; i++) targets[i * 6 + i] = true;
        targets[1 * 6 + 4] = true;
        var options = new InBatchTripletOptions(Margin: 0.3f, Negatives: 3, Temperature: 0.5f);
        var g = new float[36];
        TripletLosses.InBatch(scores, targets, 6, options, g);
        GradientCheck.Check("in-batch", scores, s => TripletLosses.InBatch(s, targets, 6, options, new float[36]), g, eps: 1e-3, tolerance: 1e-2);

        var multi = new MultiPositiveTripletOptions(0.4f, 2, 3);
        var g2 = new float[36];
        TripletLosses.MultiPositive(scores, targets, 6, 6, multi, g2);
        GradientCheck.Check("multi-positive", scores, s => TripletLosses.MultiPositive(s, targets, 6, 6, multi, new float[36]), g2, eps: 1e-3, tolerance: 1e-2);
    }

    [Fact]
    public void TensorFormRunsOnEitherBackend()
    {
        using var cpu = new CpuBackend();
        using var s = cpu.Upload(M1Scores, 5, 5);
        using var g = cpu.Allocate(5, 5);
        double loss = TripletLosses.InBatch(s, M1Targets(), M1, g);
        var expected = new float[25];
        Assert.Equal(TripletLosses.InBatch(M1Scores, M1Targets(), 5, M1, expected), loss);
        Assert.Equal(expected, g.ToArray());
    }

    [Fact]
    public void CosineScoresBackwardMatchesFiniteDifferences()
    {
        // The similarity layer under both losses: S = norm(Q) norm(K)ᵀ, checked through Σ R ⊙ S.
        using var cpu = new CpuBackend();
        var q = Numbers.Uniform(3, 12);
        var k = Numbers.Uniform(4, 15);
        var r = Numbers.Uniform(5, 20);
        double Value(float[] qv, float[] kv)
        {
            using var qt = cpu.Upload(qv, 4, 3);
            using var kt = cpu.Upload(kv, 5, 3);
            using var c = new CosineScores(cpu, qt, kt);
            return GradientCheck.Project(c.Scores, r);
        }
        using var qt = cpu.Upload(q, 4, 3);
        using var kt = cpu.Upload(k, 5, 3);
        using var cosine = new CosineScores(cpu, qt, kt);
        cosine.Gradient.CopyFrom(r);
        using var gq = cpu.Allocate(4, 3);
        using var gk = cpu.Allocate(5, 3);
        cosine.Backward(gq, gk);
        GradientCheck.Check("queries", q, v => Value(v, k), gq.ToArray());
        GradientCheck.Check("keys", k, v => Value(q, v), gk.ToArray());
    }

    [Fact]
    public void TheDiagonalMustBeAPositive()
    {
        var t = M1Targets();
        t[12] = false;
        var e = Assert.Throws<ArgumentException>(() => TripletLosses.InBatch(M1Scores, t, 5, M1, new float[25]));
        Assert.Contains("row 2", e.Message);
    }
}
