using Xunit;
using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Tests.Compute;

/// <summary>
/// Every backend operation on the CPU backend and on ILGPU's CPU accelerator, against a naive double-precision
/// reference, and the two backends against each other.
/// </summary>
[Collection("backends")]
public sealed class BackendKernelTests(BackendFixture fixture)
{
    private const double Tol = 2e-5;

    /// <summary>Runs <paramref name="run"/> on both backends; checks each against the reference and against each other.</summary>
    private void Both(Func<IComputeBackend, float[]> run, IReadOnlyList<double> expected, string what, double tolerance = Tol)
    {
        var cpu = run(fixture.Cpu);
        var gpu = run(fixture.Ilgpu);
        Numbers.Close(expected, cpu, tolerance, $"{what} (cpu)");
        Numbers.Close(expected, gpu, tolerance, $"{what} (ilgpu)");
        Numbers.Close(cpu, gpu, tolerance, $"{what} (cpu vs ilgpu)");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GemmWithTransposesAlphaAndBeta(bool ta, bool tb)
    {
        foreach (var (m, n, k) in new[] { (7, 9, 5), (13, 21, 17), (1, 3, 1) })
        {
            var a = Numbers.Uniform(1, m * k);
            var b = Numbers.Uniform(2, k * n);
            var c0 = Numbers.Uniform(3, m * n);
            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
            var expected = Naive.Gemm(a, aRows, aCols, ta, b, bRows, bCols, tb, c0, 0.5f, 2f);
            Both(backend =>
            {
                using var ta_ = backend.Upload(a, aRows, aCols);
                using var tb_ = backend.Upload(b, bRows, bCols);
                using var c = backend.Upload(c0, m, n);
                backend.Gemm(ta_, ta, tb_, tb, c, alpha: 0.5f, beta: 2f);
                return c.ToArray();
            }, expected, $"gemm {m}x{n}x{k} ta={ta} tb={tb}");
        }
    }

    [Fact]
    public void GemmWithZeroBetaIgnoresGarbageInOutput()
    {
        var a = Numbers.Uniform(4, 6 * 4);
        var b = Numbers.Uniform(5, 4 * 5);
        var expected = Naive.Gemm(a, 6, 4, false, b, 4, 5, false, new float[30], 1f, 0f);
        Both(backend =>
        {
            using var ta = backend.Upload(a, 6, 4);
            using var tb = backend.Upload(b, 4, 5);
            using var c = backend.Allocate(6, 5);
            backend.Fill(c, float.NaN);
            backend.Gemm(ta, false, tb, false, c);
            return c.ToArray();
        }, expected, "gemm beta=0 over NaN");
    }

    private static CsrMatrix RandomSparse(int seed, int rows, int cols, double density)
    {
        var rng = new Random(seed);
        var dense = new float[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (rng.NextDouble() < density) dense[i, j] = (float)(rng.NextDouble() * 2 - 1);
        return CsrMatrix.FromDense(dense);
    }

    [Fact]
    public void SparseTimesDenseAndTransposeProducts()
    {
        var x = RandomSparse(6, 9, 14, 0.25); // some columns untouched
        var dense = x.ToDense();
        int n = 5;
        var w = Numbers.Uniform(7, 14 * n);
        var g = Numbers.Uniform(8, 9 * n);
        var prior = Numbers.Uniform(9, 14 * n);
        Both(backend =>
        {
            using var xs = backend.Upload(x);
            using var tw = backend.Upload(w, 14, n);
            using var y = backend.Allocate(9, n);
            backend.SparseMultiply(xs, tw, y);
            return y.ToArray();
        }, Naive.SparseTimesDense(dense, w, n), "X W");

        var xtg = Naive.TransposeTimes(dense, g, n);
        Both(backend =>
        {
            using var xs = backend.Upload(x);
            using var tg = backend.Upload(g, 9, n);
            using var o = backend.Upload(prior, 14, n);
            backend.SparseTransposeMultiply(xs, tg, o);
            return o.ToArray();
        }, xtg, "X^T G (beta 0)");
        Both(backend =>
        {
            using var xs = backend.Upload(x);
            using var tg = backend.Upload(g, 9, n);
            using var o = backend.Upload(prior, 14, n);
            backend.SparseTransposeMultiply(xs, tg, o, beta: 1f);
            return o.ToArray();
        }, xtg.Select((v, i) => v + prior[i]).ToArray(), "X^T G accumulated");

        var touched = Enumerable.Range(0, 14).Where(c => Enumerable.Range(0, 9).Any(r => dense[r, c] != 0)).ToArray();
        Assert.Equal(touched, fixture.Cpu.Upload(x).TouchedColumns);
        Both(backend =>
        {
            using var xs = backend.Upload(x);
            using var tg = backend.Upload(g, 9, n);
            using var o = backend.Allocate(touched.Length, n);
            backend.SparseTransposeMultiplyTouched(xs, tg, o);
            return o.ToArray();
        }, touched.SelectMany(c => xtg.Skip(c * n).Take(n)).ToArray(), "compact X^T G");

        Both(backend =>
        {
            using var xs = backend.Upload(x);
            using var o = backend.Allocate(9, 14);
            backend.ToDense(xs, o);
            return o.ToArray();
        }, dense.Cast<float>().Select(v => (double)v).ToArray(), "to dense");
    }

    [Theory]
    [InlineData(EmbeddingBagMode.Sum)]
    [InlineData(EmbeddingBagMode.Mean)]
    public void EmbeddingBagForwardAndScatterAddBackward(EmbeddingBagMode mode)
    {
        int vocabulary = 6, d = 3, maxLength = 4;
        // Row 1 repeats token 2; row 2 is empty; entries past a row's length are padding and must be ignored.
        int[] tokens = [0, 2, 5, 99, 2, 2, 1, 3, 77, 77, 77, 77, 4, 0, 4, 4];
        int[] lengths = [3, 4, 0, 4];
        var table = Numbers.Uniform(10, vocabulary * d);
        var gradOut = Numbers.Uniform(11, 4 * d);
        var prior = Numbers.Uniform(12, vocabulary * d);
        var forward = new double[4 * d];
        var backward = prior.Select(v => (double)v).ToArray();
        for (int i = 0; i < 4; i++)
        {
            for (int p = 0; p < lengths[i]; p++)
            {
                int t = tokens[i * maxLength + p];
                double scale = mode == EmbeddingBagMode.Mean ? 1.0 / lengths[i] : 1.0;
                for (int j = 0; j < d; j++)
                {
                    forward[i * d + j] += scale * table[t * d + j];
                    backward[t * d + j] += scale * gradOut[i * d + j];
                }
            }
        }
        Both(backend =>
        {
            using var tt = backend.UploadInt(tokens, 4, maxLength);
            using var tl = backend.UploadInt(lengths, 4, 1);
            using var tab = backend.Upload(table, vocabulary, d);
            using var o = backend.Allocate(4, d);
            backend.EmbeddingBag(tt, tl, tab, o, mode);
            return o.ToArray();
        }, forward, $"embedding bag {mode}");
        Both(backend =>
        {
            using var tt = backend.UploadInt(tokens, 4, maxLength);
            using var tl = backend.UploadInt(lengths, 4, 1);
            using var g = backend.Upload(gradOut, 4, d);
            using var gt = backend.Upload(prior, vocabulary, d);
            backend.EmbeddingBagBackward(tt, tl, g, gt, mode);
            return gt.ToArray();
        }, backward, $"embedding bag backward {mode}");
    }

    [Fact]
    public void EmbeddingBagRejectsTokensOutsideTheVocabulary()
    {
        var b = fixture.Cpu;
        using var tokens = b.UploadInt([0, 7], 1, 2);
        using var lengths = b.UploadInt([2], 1, 1);
        using var table = b.Allocate(5, 2);
        using var output = b.Allocate(1, 2);
        var e = Assert.Throws<ArgumentException>(() => b.EmbeddingBag(tokens, lengths, table, output, EmbeddingBagMode.Sum));
        Assert.Contains("token 7 outside 0..4", e.Message);
    }

    [Theory]
    [InlineData(ActivationKind.Identity, "id")]
    [InlineData(ActivationKind.Relu, "relu")]
    [InlineData(ActivationKind.LeakyRelu, "leaky")]
    [InlineData(ActivationKind.Gelu, "gelu")]
    [InlineData(ActivationKind.Tanh, "tanh")]
    [InlineData(ActivationKind.Sigmoid, "sigmoid")]
    public void ActivationsAndTheirDerivatives(ActivationKind kind, string name)
    {
        var activation = new Activation(kind, 0.2f);
        var x = Numbers.AwayFromZero(13, 4 * 7, 0.05f).Select(v => v * 3).ToArray();
        var g = Numbers.Uniform(14, x.Length);
        Both(backend =>
        {
            using var tx = backend.Upload(x, 4, 7);
            using var ty = backend.Allocate(4, 7);
            backend.Activate(activation, tx, ty);
            return ty.ToArray();
        }, x.Select(v => Naive.Activate(name, v, 0.2)).ToArray(), $"{kind} forward", 1e-5);
        Both(backend =>
        {
            using var tx = backend.Upload(x, 4, 7);
            using var ty = backend.Allocate(4, 7);
            using var tg = backend.Upload(g, 4, 7);
            using var gi = backend.Allocate(4, 7);
            backend.Activate(activation, tx, ty);
            backend.ActivationBackward(activation, tx, ty, tg, gi);
            return gi.ToArray();
        }, x.Select((v, i) => g[i] * Naive.Derivative(name, v, 0.2)).ToArray(), $"{kind} backward", 1e-5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SoftmaxAndLogSoftmaxWithBackward(bool log)
    {
        int rows = 3, cols = 37; // wider than a group: exercises the strided reduction
        var x = Numbers.Uniform(15, rows * cols, -4, 4);
        var g = Numbers.Uniform(16, rows * cols);
        var y = Naive.Softmax(x, rows, cols, log);
        var expectedGrad = new double[x.Length];
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < cols; j++) s += log ? g[i * cols + j] : g[i * cols + j] * y[i * cols + j];
            for (int j = 0; j < cols; j++)
            {
                int at = i * cols + j;
                expectedGrad[at] = log ? g[at] - Math.Exp(y[at]) * s : y[at] * (g[at] - s);
            }
        }
        Both(backend =>
        {
            using var tx = backend.Upload(x, rows, cols);
            using var ty = backend.Allocate(rows, cols);
            if (log) backend.LogSoftmax(tx, ty); else backend.Softmax(tx, ty);
            return ty.ToArray();
        }, y, log ? "log-softmax" : "softmax");
        Both(backend =>
        {
            using var tx = backend.Upload(x, rows, cols);
            using var ty = backend.Allocate(rows, cols);
            using var tg = backend.Upload(g, rows, cols);
            using var gi = backend.Allocate(rows, cols);
            if (log) { backend.LogSoftmax(tx, ty); backend.LogSoftmaxBackward(ty, tg, gi); }
            else { backend.Softmax(tx, ty); backend.SoftmaxBackward(ty, tg, gi); }
            return gi.ToArray();
        }, expectedGrad, log ? "log-softmax backward" : "softmax backward");
    }

    [Fact]
    public void LayerNormForwardAndBackward()
    {
        int rows = 4, cols = 19;
        var x = Numbers.Uniform(17, rows * cols, -2, 3);
        var gain = Numbers.Uniform(18, cols, 0.5f, 1.5f);
        var bias = Numbers.Uniform(19, cols);
        var g = Numbers.Uniform(20, rows * cols);
        const double eps = 1e-5;
        var y = new double[x.Length];
        var gradIn = new double[x.Length];
        var gradGain = Enumerable.Repeat(1.0, cols).ToArray(); // accumulated onto prior values of 1
        var gradBias = Enumerable.Repeat(1.0, cols).ToArray();
        for (int i = 0; i < rows; i++)
        {
            var row = Enumerable.Range(0, cols).Select(j => (double)x[i * cols + j]).ToArray();
            double mean = row.Average(), variance = row.Select(v => (v - mean) * (v - mean)).Average();
            double rstd = 1 / Math.Sqrt(variance + eps);
            var xhat = row.Select(v => (v - mean) * rstd).ToArray();
            var dxhat = Enumerable.Range(0, cols).Select(j => g[i * cols + j] * (double)gain[j]).ToArray();
            double m1 = dxhat.Average(), m2 = dxhat.Select((d, j) => d * xhat[j]).Average();
            for (int j = 0; j < cols; j++)
            {
                y[i * cols + j] = xhat[j] * gain[j] + bias[j];
                gradIn[i * cols + j] = rstd * (dxhat[j] - m1 - xhat[j] * m2);
                gradGain[j] += g[i * cols + j] * xhat[j];
                gradBias[j] += g[i * cols + j];
            }
        }
        var outputs = new Dictionary<string, float[]>();
        Both(backend =>
        {
            using var tx = backend.Upload(x, rows, cols);
            using var tgain = backend.Upload(gain, 1, cols);
            using var tbias = backend.Upload(bias, 1, cols);
            using var ty = backend.Allocate(rows, cols);
            using var stats = backend.Allocate(rows, 2);
            using var tg = backend.Upload(g, rows, cols);
            using var gi = backend.Allocate(rows, cols);
            using var gg = backend.Upload(Enumerable.Repeat(1f, cols).ToArray(), 1, cols);
            using var gb = backend.Upload(Enumerable.Repeat(1f, cols).ToArray(), 1, cols);
            backend.LayerNorm(tx, tgain, tbias, ty, stats);
            backend.LayerNormBackward(tx, tgain, stats, tg, gi, gg, gb);
            return [.. ty.ToArray(), .. gi.ToArray(), .. gg.ToArray(), .. gb.ToArray()];
        }, [.. y, .. gradIn, .. gradGain, .. gradBias], "layer norm forward, input, gain and bias gradients", 1e-4);
    }

    [Fact]
    public void L2NormalizeForwardAndBackward()
    {
        int rows = 3, cols = 23;
        var x = Numbers.Uniform(21, rows * cols);
        var g = Numbers.Uniform(22, rows * cols);
        var y = new double[x.Length];
        var gi = new double[x.Length];
        for (int i = 0; i < rows; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, cols).Sum(j => (double)x[i * cols + j] * x[i * cols + j]));
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += x[i * cols + j] / norm * g[i * cols + j];
            for (int j = 0; j < cols; j++)
            {
                y[i * cols + j] = x[i * cols + j] / norm;
                gi[i * cols + j] = (g[i * cols + j] - y[i * cols + j] * dot) / norm;
            }
        }
        Both(backend =>
        {
            using var tx = backend.Upload(x, rows, cols);
            using var ty = backend.Allocate(rows, cols);
            using var norms = backend.Allocate(rows, 1);
            using var tg = backend.Upload(g, rows, cols);
            using var tgi = backend.Allocate(rows, cols);
            backend.L2Normalize(tx, ty, norms);
            backend.L2NormalizeBackward(ty, norms, tg, tgi);
            return [.. ty.ToArray(), .. tgi.ToArray()];
        }, [.. y, .. gi], "l2 normalise and backward");
    }

    [Fact]
    public void LossesReturnTheirSumAndGradient()
    {
        int rows = 3, cols = 11;
        var z = Numbers.Uniform(23, rows * cols, -5, 5);
        var t = Numbers.Uniform(24, rows * cols, 0, 1);
        int[] classes = [4, 0, 10];
        const float scale = 0.25f;
        double bce = 0, se = 0, ce = 0;
        var bceGrad = new double[z.Length];
        var seGrad = new double[z.Length];
        var soft = Naive.Softmax(z, rows, cols, log: false);
        var ceGrad = new double[z.Length];
        for (int at = 0; at < z.Length; at++)
        {
            double p = 1 / (1 + Math.Exp(-z[at]));
            bce += -(t[at] * Math.Log(p) + (1 - t[at]) * Math.Log(1 - p));
            bceGrad[at] = (p - t[at]) * scale;
            se += (z[at] - t[at]) * (double)(z[at] - t[at]);
            seGrad[at] = 2 * (z[at] - t[at]) * scale;
            ceGrad[at] = (soft[at] - (at % cols == classes[at / cols] ? 1 : 0)) * scale;
        }
        for (int i = 0; i < rows; i++) ce += -Math.Log(soft[i * cols + classes[i]]);

        foreach (var backend in fixture.Both)
        {
            using var tz = backend.Upload(z, rows, cols);
            using var tt = backend.Upload(t, rows, cols);
            using var tc = backend.UploadInt(classes, rows, 1);
            using var grad = backend.Allocate(rows, cols);
            Numbers.Close(bce, backend.BinaryCrossEntropyWithLogits(tz, tt, grad, scale), 1e-5, $"bce loss {backend}");
            Numbers.Close(bceGrad, grad.ToArray(), 1e-5, $"bce gradient {backend}");
            Numbers.Close(se, backend.SquaredError(tz, tt, grad, scale), 1e-5, $"squared error {backend}");
            Numbers.Close(seGrad, grad.ToArray(), 1e-5, $"squared error gradient {backend}");
            Numbers.Close(ce, backend.SoftmaxCrossEntropy(tz, tc, grad, scale), 1e-5, $"cross-entropy {backend}");
            Numbers.Close(ceGrad, grad.ToArray(), 1e-5, $"cross-entropy gradient {backend}");
        }
    }

    [Fact]
    public void TopKOrdersByScoreThenColumnAndSkipsNaN()
    {
        int rows = 4, cols = 9;
        var s = Numbers.Uniform(25, rows * cols);
        s[2] = s[5] = 0.9f;            // a tie: column 2 first
        s[cols + 3] = float.NaN;       // never selected
        s[2 * cols + 1] = float.NegativeInfinity;
        foreach (var k in new[] { 3, 12 }) // 12 > cols: padded with -1
        {
            var (indices, values) = Naive.TopK(s, rows, cols, k);
            foreach (var backend in fixture.Both)
            {
                using var ts = backend.Upload(s, rows, cols);
                using var tv = backend.Allocate(rows, k);
                using var ti = backend.AllocateInt(rows, k);
                backend.TopK(ts, tv, ti);
                Assert.Equal(indices, ti.ToArray());
                Assert.Equal(values, tv.ToArray());
            }
        }
    }

    [Fact]
    public void ElementwiseRowAndColumnOperations()
    {
        int rows = 5, cols = 6;
        var x = Numbers.Uniform(26, rows * cols);
        var y = Numbers.Uniform(27, rows * cols);
        var v = Numbers.Uniform(28, cols);
        var colSums = Enumerable.Range(0, cols).Select(j => Enumerable.Range(0, rows).Sum(i => (double)x[i * cols + j]) + 0.5 * v[j]).ToArray();
        Both(backend =>
        {
            using var tx = backend.Upload(x, rows, cols);
            using var ty = backend.Upload(y, rows, cols);
            using var tv = backend.Upload(v, 1, cols);
            using var prod = backend.Allocate(rows, cols);
            using var sums = backend.Upload(v, 1, cols);
            using var rowList = backend.UploadInt([3, 1], 1, 2);
            backend.Axpby(2f, tx, -1f, ty);           // ty = 2x - y
            backend.Multiply(tx, ty, prod);           // x (2x - y)
            backend.AddRowVector(tv, prod);           // + v per row
            backend.ColumnSums(tx, sums, beta: 0.5f); // Σ rows x + 0.5 v
            backend.Scale(tx, 3f);
            backend.FillRows(tx, rowList, 7f);
            using var copy = backend.Allocate(rows, cols);
            backend.Copy(tx, copy);
            return [.. ty.ToArray(), .. prod.ToArray(), .. sums.ToArray(), .. copy.ToArray()];
        },
        [
            .. x.Select((a, i) => 2.0 * a - y[i]),
            .. x.Select((a, i) => a * (2.0 * a - y[i]) + v[i % cols]),
            .. colSums,
            .. x.Select((a, i) => i / cols is 1 or 3 ? 7.0 : 3.0 * a),
        ], "axpby, multiply, row vector, column sums, scale, fill rows, copy");
    }

    [Fact]
    public void SumOfSquaresAcrossChunks()
    {
        var x = Numbers.Uniform(29, 3 * 12_000); // more than one 16K chunk
        double expected = x.Sum(v => (double)v * v);
        foreach (var backend in fixture.Both)
        {
            using var t = backend.Upload(x, 3, 12_000);
            Numbers.Close(expected, backend.SumOfSquares(t), 1e-5, $"sum of squares {backend}");
        }
    }

    [Fact]
    public void DropoutMaskIsTheSameOnBothBackendsAndDropsAboutP()
    {
        const float p = 0.3f;
        var masks = fixture.Both.Select(backend =>
        {
            using var mask = backend.Allocate(40, 50);
            backend.DropoutMask(mask, p, seed: 42);
            return mask.ToArray();
        }).ToArray();
        Assert.Equal(masks[0], masks[1]);
        Assert.All(masks[0], m => Assert.True(m == 0f || Math.Abs(m - 1 / (1 - p)) < 1e-6));
        double dropped = masks[0].Count(m => m == 0f) / 2000.0;
        Assert.InRange(dropped, 0.27, 0.33); // 2000 draws: 3 standard deviations is 0.031
        using var other = fixture.Cpu.Allocate(40, 50);
        fixture.Cpu.DropoutMask(other, p, seed: 43);
        Assert.NotEqual(masks[0], other.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AdamMatchesPyTorchFormulaAndRowsLimitTheUpdate(bool decoupled)
    {
        int rows = 4, cols = 3;
        var p = Numbers.Uniform(30, rows * cols);
        var g = Numbers.Uniform(31, rows * cols);
        var step = new AdamStep(0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, Step: 1);
        // Two steps with the same gradient, by hand (PyTorch's Adam/AdamW).
        var expected = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double pv = p[i], m = 0, v = 0;
            for (int t = 1; t <= 2; t++)
            {
                double grad = g[i];
                if (decoupled) pv *= 1 - 0.01 * 0.1; else grad += 0.1 * pv;
                m = 0.9 * m + 0.1 * grad;
                v = 0.999 * v + 0.001 * grad * grad;
                pv -= 0.01 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
            expected[i] = i / cols is 0 or 2 ? pv : p[i];
        }
        Both(backend =>
        {
            using var tp = backend.Upload(p, rows, cols);
            using var tg = backend.Upload(g, rows, cols);
            using var m = backend.Allocate(rows, cols);
            using var v = backend.Allocate(rows, cols);
            using var list = backend.UploadInt([2, 0], 1, 2);
            backend.AdamUpdate(tp, tg, m, v, step, list);
            backend.AdamUpdate(tp, tg, m, v, step with { Step = 2 }, list);
            return tp.ToArray();
        }, expected, $"adam decoupled={decoupled}", 1e-5);
    }

    [Fact]
    public void SgdWithMomentumAndWeightDecay()
    {
        var p = Numbers.Uniform(32, 8);
        var g = Numbers.Uniform(33, 8);
        var expected = p.Select((pv, i) =>
        {
            double x = pv, vel = 0;
            for (int t = 0; t < 3; t++)
            {
                vel = 0.9 * vel + g[i] + 0.01 * x;
                x -= 0.1 * vel;
            }
            return x;
        }).ToArray();
        Both(backend =>
        {
            using var tp = backend.Upload(p, 2, 4);
            using var tg = backend.Upload(g, 2, 4);
            using var vel = backend.Allocate(2, 4);
            for (int t = 0; t < 3; t++) backend.SgdUpdate(tp, tg, vel, new SgdStep(0.1f, 0.9f, 0.01f));
            return tp.ToArray();
        }, expected, "sgd");
    }

    [Fact]
    public void ShapeAndOwnershipErrorsNameTheProblem()
    {
        var cpu = fixture.Cpu;
        using var a = cpu.Allocate(2, 3);
        using var b = cpu.Allocate(4, 5);
        using var c = cpu.Allocate(2, 5);
        var e = Assert.Throws<ArgumentException>(() => cpu.Gemm(a, false, b, false, c));
        Assert.Contains("inner dimensions differ", e.Message);
        using var foreign = fixture.Ilgpu.Allocate(2, 3);
        e = Assert.Throws<ArgumentException>(() => cpu.Copy(foreign, a));
        Assert.Contains("belongs to another backend", e.Message);
        e = Assert.Throws<ArgumentException>(() => cpu.Softmax(a, a));
        Assert.Contains("must not be the same tensor", e.Message);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cpu.Fill(a, 1f));
        Assert.Throws<ArgumentException>(() => cpu.DropoutMask(b, 1f, 0));
    }
}
