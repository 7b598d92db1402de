using System.CommandLine;
using XcNotebooks.Cli.Common;
using XcNotebooks.Core;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Tests.Compute;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>DSNC's settings by input profile: the auto rule, resolution of unset values, the presets, and a dense run.</summary>
[Collection("backends")]
public sealed class DsncProfileTests(BackendFixture fixture)
{
    /// <summary>
    /// Dense two-dimensional points in four classes by the quadrant's sign parity and radius (class = parity + 2 ·
    /// [r &gt; 1]): no half-plane separates a parity, so a bit must be a non-linear function of the features.
    /// Features: x, y and a constant 1 (all non-zero).
    /// </summary>
    private static Dataset Quadrants(int points, int seed, string name)
    {
        var rng = new Random(seed);
        var rows = new (int, float)[points][];
        var classes = new int[points];
        for (int i = 0; i < points; i++)
        {
            double angle = rng.NextDouble() * 2 * Math.PI, radius = rng.Next(2) == 0 ? 0.3 + 0.5 * rng.NextDouble() : 1.2 + 0.5 * rng.NextDouble();
            float x = (float)(radius * Math.Cos(angle)), y = (float)(radius * Math.Sin(angle));
            // Keep points off the axes so that no feature is an exact zero.
            if (Math.Abs(x) < 0.05f) x = 0.05f * MathF.Sign(x + 1e-9f);
            if (Math.Abs(y) < 0.05f) y = 0.05f * MathF.Sign(y + 1e-9f);
            rows[i] = [(0, x), (1, y), (2, 1f)];
            classes[i] = ((x > 0) ^ (y > 0) ? 1 : 0) + (radius > 1 ? 2 : 0);
        }
        return new Dataset(CsrMatrix.FromRows(3, rows), LabelMatrix.FromClasses(classes, 4)) { Name = name };
    }

    [Theory]
    [InlineData(80, 57.2, true)]          // ImCLEF07A
    [InlineData(371, 328.3, true)]        // Diatoms
    [InlineData(55_197, 163.9, false)]    // sector
    [InlineData(100, 50.0, true)]         // exactly half non-zero
    [InlineData(100, 49.9, false)]
    [InlineData(10_000, 10_000, true)]
    [InlineData(10_001, 10_001, false)]   // dense but not low-dimensional
    public void TheAutoRuleIsDenseAndLowDimensional(int features, double meanNonZeros, bool dense) =>
        Assert.Equal(dense, DsncOptions.IsDenseInput(features, meanNonZeros));

    [Fact]
    public void ResolveFillsOnlyUnsetValuesFromTheProfileTheInputPicks()
    {
        var dense = Quadrants(20, 1, "dense").Features;
        var sparse = CsrMatrix.FromRows(50, Enumerable.Range(0, 20).Select(i => new[] { (i % 50, 1f) }).ToArray());
        Assert.Equal(DsncProfile.Dense, DsncOptions.ProfileFor(dense));
        Assert.Equal(DsncProfile.Sparse, DsncOptions.ProfileFor(sparse));

        var onSparse = new DsncOptions { Seed = 9 }.Resolve(sparse);
        Assert.Equal((DsncProfile.Sparse, 9), (onSparse.Profile, onSparse.Seed));
        Assert.Equal((32, 0.03f, 64, 20), (onSparse.CodeBits, onSparse.LearningRate, onSparse.BatchSize, onSparse.Epochs));
        Assert.Empty(onSparse.EncoderHidden!);

        var onDense = new DsncOptions { LearningRate = 0.01f, EncoderHidden = [] }.Resolve(dense);
        Assert.Equal(DsncProfile.Dense, onDense.Profile);
        // 20 points make one batch of 32: 12,000 updates take 12,000 epochs.
        Assert.Equal((64, 0.01f, 32, 12_000), (onDense.CodeBits, onDense.LearningRate, onDense.BatchSize, onDense.Epochs));
        Assert.Empty(onDense.EncoderHidden!); // an explicit linear encoder stays linear
        Assert.True(onDense.IsResolved);
        Assert.False(new DsncOptions().IsResolved);

        // A profile named explicitly wins over the rule.
        var forced = new DsncOptions { Profile = DsncProfile.Sparse }.Resolve(dense);
        Assert.Equal((DsncProfile.Sparse, 32, 0.03f), (forced.Profile, forced.CodeBits, forced.LearningRate));
        Assert.Equal([512], new DsncOptions { Profile = DsncProfile.Dense }.Resolve(sparse).EncoderHidden);
        // Resolved options resolve to themselves.
        Assert.Equal(DsncOptions.DenseInput, DsncOptions.DenseInput.Resolve(sparse));
        Assert.Equal(DsncOptions.LinearEncoder, DsncOptions.LinearEncoder.Resolve(dense));
    }

    [Theory]
    [InlineData(9_000, 32, 100)]   // ImCLEF07A's training split: 282 batches, 100 epochs are 28,200 updates
    [InlineData(1_859, 32, 204)]   // Diatoms': 59 batches, ceil(12,000 / 59) = 204
    [InlineData(64, 32, 6_000)]
    [InlineData(0, 32, 12_000)]
    public void TheDenseProfileTrainsAtLeast100EpochsAnd12000Updates(int points, int batch, int epochs) =>
        Assert.Equal(epochs, DsncOptions.DenseEpochs(points, batch));

    [Fact]
    public void TheCommandLineNamesAProfileAndOverridesSingleValues()
    {
        var bound = OptionsBinder.Create<DsncOptions>();
        var command = new Command("x");
        bound.AddTo(command, new DsncOptions());
        var options = bound.Bind(command.Parse(["--profile", "dense", "--learning-rate", "0.01"]), new DsncOptions());
        Assert.Equal((DsncProfile.Dense, 0.01f, 0, 0), (options.Profile, options.LearningRate, options.CodeBits, options.Epochs));
        Assert.Null(options.EncoderHidden);
        Assert.Equal(DsncProfile.Auto, bound.Bind(command.Parse([]), new DsncOptions()).Profile);
    }

    [Fact]
    public void TheLinearEncoderPresetIsTheFormerDefaults()
    {
        var p = DsncOptions.LinearEncoder;
        Assert.Equal((32, 0.03f, 64, 20, 0f), (p.CodeBits, p.LearningRate, p.BatchSize, p.Epochs, p.WeightDecay));
        Assert.Empty(p.EncoderHidden!);
        Assert.Empty(p.DecoderHidden);
        Assert.Throws<ArgumentException>(() => new DsncOptions { CodeBits = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new DsncOptions { LearningRate = -0.1f }.Validate());
        Assert.Throws<ArgumentException>(() => new DsncOptions { Profile = (DsncProfile)7 }.Validate());
    }

    [Fact]
    public void DefaultsOnDenseInputLearnANonLinearClassAndTheModelKeepsTheResolvedOptions()
    {
        var train = Quadrants(400, 2, "quadrants.train");
        var test = Quadrants(200, 3, "quadrants.test");
        // The dense profile's shape, fewer epochs and bits to stay fast; the encoder and learning rate come from the profile.
        var options = new DsncOptions { CodeBits = 16, Epochs = 30, Seed = 4 };
        using var model = Dsnc.Train(train, null, options, backend: fixture.Cpu);
        Assert.Equal(DsncProfile.Dense, model.Options.Profile);
        Assert.Equal([512], model.Options.EncoderHidden);
        Assert.Equal((16, 30, 32, 0.003f), (model.Options.CodeBits, model.Options.Epochs, model.Options.BatchSize, model.Options.LearningRate));
        // The classes are a deterministic function of the point (Bayes accuracy 100%).
        Assert.True(model.Accuracy(test) >= 90, $"dense-profile accuracy {model.Accuracy(test):F1}%");

        var path = Path.Combine(TestData.TempDir(), "dense.dsnc");
        model.Save(path);
        using var loaded = DsncModel.Load(path, fixture.Cpu);
        Assert.Equal(model.Options, loaded.Options with { EncoderHidden = model.Options.EncoderHidden, DecoderHidden = model.Options.DecoderHidden });
        Assert.Equal(model.Options.EncoderHidden, loaded.Options.EncoderHidden);
        Assert.Equal(model.TopK(test, 2).Scores, loaded.TopK(test, 2).Scores);
    }
}
