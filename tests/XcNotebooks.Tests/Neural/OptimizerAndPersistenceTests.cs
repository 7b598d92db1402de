using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Tests.Compute;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Neural;

/// <summary>Lazy sparse updates, clipping, saving and loading, mini-batch plans, backend selection.</summary>
public sealed class OptimizerAndPersistenceTests
{
    private readonly CpuBackend _b = new();

    [Fact]
    public void LazyAdamLeavesRowsOfUnseenFeaturesUntouched()
    {
        using var layer = new SparseLinear(_b, 6, 2, seed: 1, bias: false);
        var initial = layer.Weight.GetValues();
        using var optimizer = new Adam(layer.Parameters, AdamOptions.AdamW(0.1f, weightDecay: 0.5f));
        using var x = _b.Upload(CsrMatrix.FromRows(6, [[(1, 1f)], [(4, 2f)]]));
        using var g = _b.Upload([1, -1, 0.5f, 2], 2, 2);
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGradients();
            layer.Forward(x);
            layer.Backward(g);
            optimizer.Step();
        }
        var after = layer.Weight.GetValues();
        for (int row = 0; row < 6; row++)
        {
            bool seen = row is 1 or 4;
            for (int c = 0; c < 2; c++)
                Assert.True(seen == (after[row * 2 + c] != initial[row * 2 + c]), $"row {row} column {c}");
        }
        // Adam moves each seen weight by about lr per step against the sign of its (constant) gradient.
        Assert.True(after[2] < initial[2] - 0.2f && after[3] > initial[3] + 0.2f);
    }

    [Fact]
    public void ClippingScalesToTheGlobalNorm()
    {
        using var p1 = new Parameter(_b, "a", 1, 2);
        using var p2 = new Parameter(_b, "b", 1, 2);
        p1.Gradient.CopyFrom([3f, 0f]);
        p2.Gradient.CopyFrom([0f, 4f]);
        Assert.Equal(5.0, GradientClipping.ClipGlobalNorm([p1, p2], 10f), 6);
        Assert.Equal([3f, 0f], p1.Gradient.ToArray());
        Assert.Equal(5.0, GradientClipping.ClipGlobalNorm([p1, p2], 1f), 6);
        Numbers.Close([0.6f, 0f, 0f, 0.8f], [.. p1.Gradient.ToArray(), .. p2.Gradient.ToArray()], 1e-5, "clipped");
    }

    [Fact]
    public void SavedParametersReloadIntoAFreshModel()
    {
        var path = Path.Combine(TestData.TempDir(), "mlp.xcn");
        using var x = _b.Upload(Numbers.Uniform(1, 8), 2, 4);
        using var trained = Mlp.Create(_b, [4, 5, 3], new MlpOptions { Seed = 1 });
        var expected = trained.Forward(x, training: false).ToArray();
        ParameterFile.Save(path, "test-mlp", 1, trained.Parameters);

        using var fresh = Mlp.Create(_b, [4, 5, 3], new MlpOptions { Seed = 2 });
        Assert.NotEqual(expected, fresh.Forward(x, training: false).ToArray());
        ParameterFile.Load(path, "test-mlp", 1, fresh.Parameters);
        Assert.Equal(expected, fresh.Forward(x, training: false).ToArray());

        using var other = Mlp.Create(_b, [4, 6, 3]);
        var e = Assert.Throws<DataFormatException>(() => ParameterFile.Load(path, "test-mlp", 1, other.Parameters));
        Assert.Equal(path, e.File);
        Assert.Contains("'mlp.0.weight' 4 x 5", e.Problem);

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..60]);
        e = Assert.Throws<DataFormatException>(() => ParameterFile.Load(path, "test-mlp", 1, fresh.Parameters));
        Assert.Contains("truncated", e.Problem);
    }

    [Fact]
    public void MiniBatchPlansCoverEveryPointOnceAndRepeatForASeed()
    {
        var options = new MiniBatchOptions { BatchSize = 4, Seed = 3 };
        var plan = MiniBatches.Plan(10, options, epoch: 0);
        Assert.Equal([4, 4, 2], plan.Select(p => p.Length).ToArray());
        Assert.Equal(Enumerable.Range(0, 10), plan.SelectMany(p => p).Order());
        Assert.Equal(plan, MiniBatches.Plan(10, options, epoch: 0));
        Assert.NotEqual(plan.SelectMany(p => p), MiniBatches.Plan(10, options, epoch: 1).SelectMany(p => p));
        Assert.Equal(2, MiniBatches.Plan(10, options with { DropLast = true }, 0).Count);
        Assert.Equal(Enumerable.Range(0, 10), MiniBatches.Plan(10, options with { Shuffle = false }, 0).SelectMany(p => p));

        var data = new Dataset(CsrMatrix.FromRows(3, Enumerable.Range(0, 5).Select(i => new[] { (i % 3, (float)i + 1) })),
            LabelMatrix.FromClasses([0, 1, 0, 1, 1], 2));
        foreach (var batch in MiniBatches.Epoch(data, options with { BatchSize = 2 }, 0))
            for (int r = 0; r < batch.Rows.Count; r++)
            {
                Assert.Equal(batch.Rows[r] + 1f, batch.Features.RowValues(r)[0]);
                Assert.Equal(data.Labels.LabelArray(batch.Rows[r]), batch.Labels.LabelArray(r));
            }
    }

    [Fact]
    public void BackendSelection()
    {
        using var cpu = ComputeBackends.Create(BackendKind.Cpu);
        Assert.IsType<CpuBackend>(cpu);
        if (ComputeBackends.KindFromEnvironment() == BackendKind.Auto && !ComputeBackends.GpuAvailable())
        {
            using var auto = ComputeBackends.Create();
            Assert.Equal(BackendKind.Cpu, auto.Kind); // the ILGPU CPU simulator is never chosen automatically
        }
    }
}
