using System.Numerics.Tensors;
using XcNotebooks.Compute.Kernels;
using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// The CPU backend: tensors are host arrays; operations use TensorPrimitives SIMD, a blocked SIMD GEMM and
/// Parallel.For over rows (or over column blocks where rows must be summed), never float atomics, so the same
/// inputs give the same bits on every run.
/// </summary>
public sealed class CpuBackend : ComputeBackend
{
    // Below this many values an operation runs on the calling thread: a parallel loop would cost more than it saves.
    private const int ParallelThreshold = 1 << 15;

    /// <inheritdoc />
    public override string Name => "cpu";

    /// <inheritdoc />
    public override BackendKind Kind => BackendKind.Cpu;

    /// <inheritdoc />
    public override TOperations Select<TOperations>(IBackendOperations<TOperations> implementations) =>
        (implementations ?? throw new ArgumentNullException(nameof(implementations))).ForCpu(this);

    /// <inheritdoc />
    public override void Synchronize() { }

    /// <summary>Nothing to release.</summary>
    public override void Dispose() { }

    /// <inheritdoc />
    protected override Tensor AllocateCore(int rows, int cols) => new(this, rows, cols, new float[rows * cols], null);

    /// <inheritdoc />
    protected override IntTensor AllocateIntCore(int rows, int cols) => new(this, rows, cols, new int[rows * cols], null);

    /// <inheritdoc />
    protected override void FillCore(Tensor target, float value) => target.AsSpan().Fill(value);

    /// <inheritdoc />
    protected override void CopyCore(Tensor source, Tensor target) => source.AsSpan().CopyTo(target.AsSpan());

    /// <inheritdoc />
    protected override void AxpbyCore(float alpha, Tensor x, float beta, Tensor y)
    {
        var xs = x.Host;
        var ys = y.Host;
        ForChunks(y.Length, (start, length) =>
        {
            var xc = xs.AsSpan(start, length);
            var yc = ys.AsSpan(start, length);
            if (beta == 0f) TensorPrimitives.Multiply(xc, alpha, yc);
            else if (alpha == 0f) TensorPrimitives.Multiply(yc, beta, yc);
            else
            {
                if (beta != 1f) TensorPrimitives.Multiply(yc, beta, yc);
                TensorPrimitives.MultiplyAdd(xc, alpha, yc, yc);
            }
        });
    }

    /// <inheritdoc />
    protected override void MultiplyCore(Tensor a, Tensor b, Tensor output)
    {
        var (av, bv, ov) = (a.Host, b.Host, output.Host);
        ForChunks(output.Length, (start, length) =>
            TensorPrimitives.Multiply(av.AsSpan(start, length), bv.AsSpan(start, length), ov.AsSpan(start, length)));
    }

    /// <inheritdoc />
    protected override void GemmCore(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, int m, int n, int k, float alpha, float beta) =>
        CpuGemm.Multiply(a.Host, a.Cols, transposeA, b.Host, b.Cols, transposeB, c.Host, m, n, k, alpha, beta);

    /// <inheritdoc />
    protected override void AddRowVectorCore(Tensor vector, Tensor target)
    {
        var v = vector.Host;
        var t = target.Host;
        int cols = target.Cols;
        ForRows(target.Rows, cols, i => TensorPrimitives.Add(t.AsSpan(i * cols, cols), v.AsSpan(0, cols), t.AsSpan(i * cols, cols)));
    }

    /// <inheritdoc />
    protected override void ColumnSumsCore(Tensor input, Tensor output, float beta)
    {
        var x = input.Host;
        var o = output.Host;
        int rows = input.Rows, cols = input.Cols;
        // Parallel over column blocks, rows summed in order inside each: a fixed summation order.
        ForColumnBlocks(rows, cols, (c0, width) =>
        {
            var sum = o.AsSpan(c0, width);
            if (beta == 0f) sum.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(sum, beta, sum);
            for (int i = 0; i < rows; i++) TensorPrimitives.Add(x.AsSpan(i * cols + c0, width), sum, sum);
        });
    }

    /// <inheritdoc />
    protected override void SparseMultiplyCore(SparseTensor x, Tensor weights, Tensor output)
    {
        var w = weights.HostMatrix;
        var o = output.Host;
        int cols = output.Cols;
        var source = x.Source;
        ForRows(x.Rows, Math.Max(1, x.NonZeros / Math.Max(1, x.Rows)) * cols, i => source.MultiplyRowInto(i, w, o.AsSpan(i * cols, cols)));
    }

    /// <inheritdoc />
    protected override void SparseTransposeMultiplyCore(SparseTensor x, Tensor gradient, Tensor output, bool compact)
    {
        var pointers = x.TransposePointers.Host;
        var rows = x.TransposeRows.Host;
        var values = x.TransposeValues.Host;
        var touched = x.TouchedIndex.Host;
        var g = gradient.Host;
        var o = output.Host;
        int cols = output.Cols;
        ForRows(x.TouchedColumns.Count, Math.Max(1, x.NonZeros / Math.Max(1, x.TouchedColumns.Count)) * cols, t =>
        {
            var target = o.AsSpan((compact ? t : touched[t]) * cols, cols);
            for (int e = pointers[t]; e < pointers[t + 1]; e++)
                LaneMath.AddScaled(target, g.AsSpan(rows[e] * cols, cols), values[e]); // optimised at first call, unlike tier-0 TensorPrimitives
        });
    }

    /// <inheritdoc />
    protected override void ToDenseCore(SparseTensor x, Tensor output)
    {
        var o = output.Host;
        var source = x.Source;
        for (int i = 0; i < source.Rows; i++)
        {
            var idx = source.RowIndices(i);
            var val = source.RowValues(i);
            for (int j = 0; j < idx.Length; j++) o[i * source.Cols + idx[j]] = val[j];
        }
    }

    /// <inheritdoc />
    protected override void EmbeddingBagCore(IntTensor tokens, IntTensor lengths, Tensor table, Tensor output, EmbeddingBagMode mode)
    {
        CheckTokens(tokens, lengths, table.Rows);
        var ids = tokens.Host;
        var len = lengths.Host;
        var t = table.Host;
        var o = output.Host;
        int d = output.Cols, maxLength = tokens.Cols;
        ForRows(tokens.Rows, maxLength * d, i =>
        {
            var row = o.AsSpan(i * d, d);
            row.Clear();
            for (int p = 0; p < len[i]; p++) TensorPrimitives.Add(t.AsSpan(ids[i * maxLength + p] * d, d), row, row);
            if (mode == EmbeddingBagMode.Mean && len[i] > 0) TensorPrimitives.Multiply(row, 1f / len[i], row);
        });
    }

    /// <inheritdoc />
    protected override void EmbeddingBagBackwardCore(IntTensor tokens, IntTensor lengths, Tensor gradOutput, Tensor gradTable, EmbeddingBagMode mode)
    {
        CheckTokens(tokens, lengths, gradTable.Rows);
        var ids = tokens.Host;
        var len = lengths.Host;
        var g = gradOutput.Host;
        var gt = gradTable.Host;
        int d = gradOutput.Cols, maxLength = tokens.Cols, rows = tokens.Rows;
        // A token may appear in many rows: parallel over column blocks, rows and tokens visited in order inside
        // each, so the scatter-add has a fixed order and needs no atomics.
        ForColumnBlocks(rows * maxLength, d, (c0, width) =>
        {
            for (int i = 0; i < rows; i++)
            {
                if (len[i] == 0) continue;
                float scale = mode == EmbeddingBagMode.Mean ? 1f / len[i] : 1f;
                var source = g.AsSpan(i * d + c0, width);
                for (int p = 0; p < len[i]; p++)
                {
                    var target = gt.AsSpan(ids[i * maxLength + p] * d + c0, width);
                    LaneMath.AddScaled(target, source, scale);
                }
            }
        });
    }

    /// <inheritdoc />
    protected override void ActivateCore(Activation activation, Tensor input, Tensor output)
    {
        var x = input.Host;
        var y = output.Host;
        int kind = (int)activation.Kind;
        float slope = activation.NegativeSlope;
        ForChunks(output.Length, (start, length) =>
        {
            var xs = x.AsSpan(start, length);
            var ys = y.AsSpan(start, length);
            switch (activation.Kind)
            {
                case ActivationKind.Identity: xs.CopyTo(ys); break;
                case ActivationKind.Relu: TensorPrimitives.Max(xs, 0f, ys); break;
                case ActivationKind.Tanh: TensorPrimitives.Tanh(xs, ys); break;
                case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
                default:
                    for (int j = 0; j < xs.Length; j++) ys[j] = ActivationMath.Forward(kind, slope, xs[j]);
                    break;
            }
        });
    }

    /// <inheritdoc />
    protected override void ActivationBackwardCore(Activation activation, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        var (x, y, g, gi) = (input.Host, output.Host, gradOutput.Host, gradInput.Host);
        int kind = (int)activation.Kind;
        float slope = activation.NegativeSlope;
        ForChunks(input.Length, (start, length) =>
        {
            for (int j = start; j < start + length; j++) gi[j] = g[j] * ActivationMath.Derivative(kind, slope, x[j], y[j]);
        });
    }

    /// <inheritdoc />
    protected override void SoftmaxCore(Tensor input, Tensor output, bool log)
    {
        var (x, y) = (input.Host, output.Host);
        int cols = input.Cols;
        ForRows(input.Rows, cols, i =>
        {
            var xs = x.AsSpan(i * cols, cols);
            var ys = y.AsSpan(i * cols, cols);
            if (cols == 0) return;
            float max = TensorPrimitives.Max(xs);
            TensorPrimitives.Subtract(xs, max, ys);
            TensorPrimitives.Exp(ys, ys);
            float sum = TensorPrimitives.Sum(ys);
            if (log) TensorPrimitives.Subtract(xs, max + MathF.Log(sum), ys);
            else TensorPrimitives.Divide(ys, sum, ys);
        });
    }

    /// <inheritdoc />
    protected override void SoftmaxBackwardCore(Tensor output, Tensor gradOutput, Tensor gradInput, bool log)
    {
        var (y, g, gi) = (output.Host, gradOutput.Host, gradInput.Host);
        int cols = output.Cols;
        ForRows(output.Rows, cols, i =>
        {
            var ys = y.AsSpan(i * cols, cols);
            var gs = g.AsSpan(i * cols, cols);
            var gis = gi.AsSpan(i * cols, cols);
            if (log)
            {
                float sum = TensorPrimitives.Sum(gs);
                for (int j = 0; j < cols; j++) gis[j] = gs[j] - MathF.Exp(ys[j]) * sum;
            }
            else
            {
                float dot = TensorPrimitives.Dot(gs, ys);
                for (int j = 0; j < cols; j++) gis[j] = ys[j] * (gs[j] - dot);
            }
        });
    }

    /// <inheritdoc />
    protected override void LayerNormCore(Tensor input, Tensor gain, Tensor bias, Tensor output, Tensor statistics, float epsilon)
    {
        var (x, y, gv, bv, st) = (input.Host, output.Host, gain.Host, bias.Host, statistics.Host);
        int cols = input.Cols;
        ForRows(input.Rows, cols, i =>
        {
            var xs = x.AsSpan(i * cols, cols);
            var ys = y.AsSpan(i * cols, cols);
            float mean = cols == 0 ? 0f : TensorPrimitives.Sum(xs) / cols;
            TensorPrimitives.Subtract(xs, mean, ys);
            float variance = cols == 0 ? 0f : TensorPrimitives.SumOfSquares(ys) / cols;
            float inverseStd = 1f / MathF.Sqrt(variance + epsilon);
            TensorPrimitives.Multiply(ys, inverseStd, ys);
            TensorPrimitives.Multiply(ys, gv.AsSpan(0, cols), ys);
            TensorPrimitives.Add(ys, bv.AsSpan(0, cols), ys);
            st[2 * i] = mean;
            st[2 * i + 1] = inverseStd;
        });
    }

    /// <inheritdoc />
    protected override void LayerNormBackwardCore(Tensor input, Tensor gain, Tensor statistics, Tensor gradOutput, Tensor gradInput,
        Tensor gradGain, Tensor gradBias)
    {
        var (x, gv, st, g, gi) = (input.Host, gain.Host, statistics.Host, gradOutput.Host, gradInput.Host);
        int rows = input.Rows, cols = input.Cols;
        ForRows(rows, cols, i =>
        {
            float mean = st[2 * i], inverseStd = st[2 * i + 1];
            float sum = 0f, sumXhat = 0f;
            for (int j = 0; j < cols; j++)
            {
                float dxhat = g[i * cols + j] * gv[j];
                sum += dxhat;
                sumXhat += dxhat * (x[i * cols + j] - mean) * inverseStd;
            }
            float meanDxhat = sum / cols, meanDxhatXhat = sumXhat / cols;
            for (int j = 0; j < cols; j++)
            {
                float xhat = (x[i * cols + j] - mean) * inverseStd;
                gi[i * cols + j] = inverseStd * (g[i * cols + j] * gv[j] - meanDxhat - xhat * meanDxhatXhat);
            }
        });
        var (dg, db) = (gradGain.Host, gradBias.Host);
        ForColumnBlocks(rows, cols, (c0, width) =>
        {
            for (int i = 0; i < rows; i++)
            {
                float mean = st[2 * i], inverseStd = st[2 * i + 1];
                for (int j = c0; j < c0 + width; j++)
                {
                    dg[j] += g[i * cols + j] * (x[i * cols + j] - mean) * inverseStd;
                    db[j] += g[i * cols + j];
                }
            }
        });
    }

    /// <inheritdoc />
    protected override void L2NormalizeCore(Tensor input, Tensor output, Tensor norms, float epsilon)
    {
        var (x, y, nv) = (input.Host, output.Host, norms.Host);
        int cols = input.Cols;
        ForRows(input.Rows, cols, i =>
        {
            var xs = x.AsSpan(i * cols, cols);
            float norm = MathF.Max(TensorPrimitives.Norm(xs), epsilon);
            nv[i] = norm;
            TensorPrimitives.Divide(xs, norm, y.AsSpan(i * cols, cols));
        });
    }

    /// <inheritdoc />
    protected override void L2NormalizeBackwardCore(Tensor output, Tensor norms, Tensor gradOutput, Tensor gradInput)
    {
        var (y, nv, g, gi) = (output.Host, norms.Host, gradOutput.Host, gradInput.Host);
        int cols = output.Cols;
        ForRows(output.Rows, cols, i =>
        {
            var ys = y.AsSpan(i * cols, cols);
            var gs = g.AsSpan(i * cols, cols);
            float dot = TensorPrimitives.Dot(ys, gs), inverseNorm = 1f / nv[i];
            for (int j = 0; j < cols; j++) gi[i * cols + j] = (gs[j] - ys[j] * dot) * inverseNorm;
        });
    }

    /// <inheritdoc />
    protected override void TopKCore(Tensor scores, Tensor values, IntTensor indices)
    {
        var (s, v, idx) = (scores.Host, values.Host, indices.Host);
        int cols = scores.Cols, k = values.Cols;
        ForRows(scores.Rows, cols, i => TopKSelector.Select(s.AsSpan(i * cols, cols), idx.AsSpan(i * k, k), v.AsSpan(i * k, k)));
    }

    /// <inheritdoc />
    protected override double LossCore(LossKind kind, Tensor prediction, Tensor? denseTargets, IntTensor? classTargets, Tensor gradient, float gradientScale)
    {
        var (z, grad) = (prediction.Host, gradient.Host);
        int rows = prediction.Rows, cols = prediction.Cols;
        var rowLoss = new double[rows];
        if (kind == LossKind.SoftmaxCrossEntropy)
        {
            var targets = classTargets!.Host;
            for (int i = 0; i < rows; i++)
                if ((uint)targets[i] >= (uint)cols)
                    throw new ArgumentException($"SoftmaxCrossEntropy: row {i} has class {targets[i]} outside 0..{cols - 1}");
            ForRows(rows, cols, i =>
            {
                var zs = z.AsSpan(i * cols, cols);
                var gs = grad.AsSpan(i * cols, cols);
                float max = TensorPrimitives.Max(zs);
                TensorPrimitives.Subtract(zs, max, gs);
                TensorPrimitives.Exp(gs, gs);
                float sum = TensorPrimitives.Sum(gs);
                TensorPrimitives.Multiply(gs, gradientScale / sum, gs);
                gs[targets[i]] -= gradientScale;
                rowLoss[i] = max + MathF.Log(sum) - zs[targets[i]];
            });
        }
        else
        {
            var t = denseTargets!.Host;
            bool bce = kind == LossKind.BinaryCrossEntropy;
            ForRows(rows, cols, i =>
            {
                float loss = 0f;
                for (int j = i * cols; j < (i + 1) * cols; j++)
                {
                    if (bce)
                    {
                        loss += LossMath.BinaryCrossEntropy(z[j], t[j]);
                        grad[j] = (ActivationMath.Sigmoid(z[j]) - t[j]) * gradientScale;
                    }
                    else
                    {
                        float d = z[j] - t[j];
                        loss += d * d;
                        grad[j] = 2f * d * gradientScale;
                    }
                }
                rowLoss[i] = loss;
            });
        }
        return SumInOrder(rowLoss);
    }

    /// <inheritdoc />
    protected override double SumOfSquaresCore(Tensor input)
    {
        var x = input.Host;
        const int Chunk = 1 << 14;
        var partial = new double[(input.Length + Chunk - 1) / Chunk];
        ForRows(partial.Length, Chunk, c =>
        {
            int start = c * Chunk;
            partial[c] = TensorPrimitives.SumOfSquares(x.AsSpan(start, Math.Min(Chunk, input.Length - start)));
        });
        return SumInOrder(partial);
    }

    /// <inheritdoc />
    protected override void DropoutMaskCore(Tensor mask, float dropProbability, ulong seed)
    {
        var m = mask.Host;
        float keepScale = 1f / (1f - dropProbability);
        ForChunks(mask.Length, (start, length) =>
        {
            for (int j = start; j < start + length; j++) m[j] = CounterRandom.DropoutMultiplier(seed, j, dropProbability, keepScale);
        });
    }

    /// <inheritdoc />
    protected override void AdamUpdateCore(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step, IntTensor? rows)
    {
        var (p, g, m, v) = (parameter.Host, gradient.Host, firstMoment.Host, secondMoment.Host);
        var args = AdamArgs.From(step);
        ForSelectedRows(parameter, rows, (start, length) =>
        {
            for (int j = start; j < start + length; j++)
            {
                var s = OptimizerMath.Adam(p[j], g[j], m[j], v[j], args);
                (p[j], m[j], v[j]) = (s.Parameter, s.First, s.Second);
            }
        });
    }

    /// <inheritdoc />
    protected override void SgdUpdateCore(Tensor parameter, Tensor gradient, Tensor velocity, SgdStep step, IntTensor? rows)
    {
        var (p, g, vel) = (parameter.Host, gradient.Host, velocity.Host);
        var args = SgdArgs.From(step);
        ForSelectedRows(parameter, rows, (start, length) =>
        {
            for (int j = start; j < start + length; j++)
            {
                var s = OptimizerMath.Sgd(p[j], g[j], vel[j], args);
                (p[j], vel[j]) = (s.Parameter, s.First);
            }
        });
    }

    /// <inheritdoc />
    protected override void FillRowsCore(Tensor target, IntTensor rows, float value)
    {
        var t = target.Host;
        int cols = target.Cols;
        foreach (var r in rows.AsSpan())
        {
            CheckRow(r, target.Rows);
            t.AsSpan(r * cols, cols).Fill(value);
        }
    }

    private static double SumInOrder(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }

    private static void CheckRow(int row, int rows)
    {
        if ((uint)row >= (uint)rows) throw new ArgumentException($"row {row} outside 0..{rows - 1}");
    }

    private static void CheckTokens(IntTensor tokens, IntTensor lengths, int vocabulary)
    {
        var ids = tokens.Host;
        var len = lengths.Host;
        for (int i = 0; i < tokens.Rows; i++)
        {
            if (len[i] < 0 || len[i] > tokens.Cols)
                throw new ArgumentException($"embedding bag: row {i} has length {len[i]} outside 0..{tokens.Cols}");
            for (int p = 0; p < len[i]; p++)
            {
                int id = ids[i * tokens.Cols + p];
                if ((uint)id >= (uint)vocabulary)
                    throw new ArgumentException($"embedding bag: row {i}, position {p}: token {id} outside 0..{vocabulary - 1}");
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> over whole rows, or over the listed rows' spans.</summary>
    private static void ForSelectedRows(Tensor tensor, IntTensor? rows, Action<int, int> body)
    {
        if (rows is null)
        {
            ForChunks(tensor.Length, body);
            return;
        }
        var list = rows.Host;
        int cols = tensor.Cols;
        foreach (var r in list) CheckRow(r, tensor.Rows);
        ForRows(list.Length, cols, i => body(list[i] * cols, cols));
    }

    private static void ForRows(int rows, long workPerRow, Action<int> body)
    {
        if (rows * Math.Max(1, workPerRow) < ParallelThreshold || rows == 1)
        {
            for (int i = 0; i < rows; i++) body(i);
        }
        else
        {
            Parallel.For(0, rows, body);
        }
    }

    private static void ForChunks(int length, Action<int, int> body)
    {
        const int Chunk = 1 << 16;
        if (length <= Chunk)
        {
            body(0, length);
            return;
        }
        Parallel.For(0, (length + Chunk - 1) / Chunk, c => body(c * Chunk, Math.Min(Chunk, length - c * Chunk)));
    }

    /// <summary>Splits the columns into blocks (one per core when the work is large) and runs each block.</summary>
    private static void ForColumnBlocks(int rows, int cols, Action<int, int> body)
    {
        int blocks = (long)rows * cols < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount * 2, Math.Max(1, cols / 16));
        int width = (cols + blocks - 1) / Math.Max(1, blocks);
        if (blocks <= 1 || width == 0)
        {
            if (cols > 0) body(0, cols);
            return;
        }
        Parallel.For(0, (cols + width - 1) / width, b => body(b * width, Math.Min(width, cols - b * width)));
    }
}
