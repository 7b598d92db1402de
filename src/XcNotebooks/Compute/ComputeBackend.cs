using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// The shared half of every backend: argument and shape checks with clear messages, then the backend's own
/// implementation (the protected *Core methods). Derive from it to add a backend.
/// </summary>
public abstract class ComputeBackend : IComputeBackend
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract BackendKind Kind { get; }

    /// <inheritdoc />
    public abstract TOperations Select<TOperations>(IBackendOperations<TOperations> implementations);

    private long _liveBytes, _peakBytes;

    /// <inheritdoc />
    public Tensor Allocate(int rows, int cols)
    {
        CheckShape(rows, cols);
        var tensor = AllocateCore(rows, cols);
        Track((long)rows * cols * sizeof(float));
        return tensor;
    }

    /// <inheritdoc />
    public IntTensor AllocateInt(int rows, int cols)
    {
        CheckShape(rows, cols);
        var tensor = AllocateIntCore(rows, cols);
        Track((long)rows * cols * sizeof(int));
        return tensor;
    }

    /// <summary>
    /// Bytes of the tensors this backend allocated that are not disposed yet (host arrays on the CPU, device buffers
    /// on ILGPU): what a training step holds, independent of the garbage collector's timing.
    /// </summary>
    public long LiveTensorBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>The highest <see cref="LiveTensorBytes"/> since the backend was made or <see cref="ResetPeakTensorBytes"/>.</summary>
    public long PeakTensorBytes => Interlocked.Read(ref _peakBytes);

    /// <summary>Starts a new peak measurement at the current live bytes.</summary>
    public void ResetPeakTensorBytes() => Interlocked.Exchange(ref _peakBytes, LiveTensorBytes);

    /// <summary>A tensor of this backend was disposed (called once per tensor by <see cref="TensorStorage{T}.Dispose"/>).</summary>
    internal void Released(long bytes) => Interlocked.Add(ref _liveBytes, -bytes);

    private void Track(long bytes)
    {
        long live = Interlocked.Add(ref _liveBytes, bytes);
        long peak;
        while (live > (peak = Interlocked.Read(ref _peakBytes)) && Interlocked.CompareExchange(ref _peakBytes, live, peak) != peak) { }
    }

    /// <inheritdoc />
    public SparseTensor Upload(CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new SparseTensor(this, matrix);
    }

    /// <inheritdoc />
    public abstract void Synchronize();

    /// <inheritdoc />
    public void Fill(Tensor target, float value)
    {
        Own(target, nameof(target));
        FillCore(target, value);
    }

    /// <inheritdoc />
    public void Copy(Tensor source, Tensor target)
    {
        SameShape(source, nameof(source), target, nameof(target));
        if (!ReferenceEquals(source, target)) CopyCore(source, target);
    }

    /// <inheritdoc />
    public void Scale(Tensor target, float factor)
    {
        Own(target, nameof(target));
        AxpbyCore(0f, target, factor, target);
    }

    /// <inheritdoc />
    public void Axpby(float alpha, Tensor x, float beta, Tensor y)
    {
        SameShape(x, nameof(x), y, nameof(y));
        AxpbyCore(alpha, x, beta, y);
    }

    /// <inheritdoc />
    public void Multiply(Tensor a, Tensor b, Tensor output)
    {
        SameShape(a, nameof(a), b, nameof(b));
        SameShape(a, nameof(a), output, nameof(output));
        MultiplyCore(a, b, output);
    }

    /// <inheritdoc />
    public void Gemm(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, float alpha = 1f, float beta = 0f)
    {
        Own(a, nameof(a));
        Own(b, nameof(b));
        Own(c, nameof(c));
        int m = transposeA ? a.Cols : a.Rows, k = transposeA ? a.Rows : a.Cols;
        int kb = transposeB ? b.Cols : b.Rows, n = transposeB ? b.Rows : b.Cols;
        if (k != kb)
            throw new ArgumentException($"Gemm: op(a) is {m} x {k} but op(b) is {kb} x {n} (inner dimensions differ)");
        if (c.Rows != m || c.Cols != n)
            throw new ArgumentException($"Gemm: the product is {m} x {n} but c is {c.Rows} x {c.Cols}");
        NoAlias(c, nameof(c), a, nameof(a));
        NoAlias(c, nameof(c), b, nameof(b));
        GemmCore(a, transposeA, b, transposeB, c, m, n, k, alpha, beta);
    }

    /// <inheritdoc />
    public void AddRowVector(Tensor vector, Tensor target)
    {
        Own(vector, nameof(vector));
        Own(target, nameof(target));
        RowVector(vector, nameof(vector), target.Cols);
        AddRowVectorCore(vector, target);
    }

    /// <inheritdoc />
    public void ColumnSums(Tensor input, Tensor output, float beta = 0f)
    {
        Own(input, nameof(input));
        Own(output, nameof(output));
        RowVector(output, nameof(output), input.Cols);
        ColumnSumsCore(input, output, beta);
    }

    /// <inheritdoc />
    public void SparseMultiply(SparseTensor x, Tensor weights, Tensor output)
    {
        OwnSparse(x);
        Own(weights, nameof(weights));
        Own(output, nameof(output));
        if (weights.Rows != x.Cols)
            throw new ArgumentException($"SparseMultiply: X has {x.Cols} columns but the weights have {weights.Rows} rows");
        Expect(output, nameof(output), x.Rows, weights.Cols);
        SparseMultiplyCore(x, weights, output);
    }

    /// <inheritdoc />
    public void SparseTransposeMultiply(SparseTensor x, Tensor gradient, Tensor output, float beta = 0f)
    {
        OwnSparse(x);
        Own(gradient, nameof(gradient));
        Own(output, nameof(output));
        Expect(gradient, nameof(gradient), x.Rows, gradient.Cols);
        Expect(output, nameof(output), x.Cols, gradient.Cols);
        if (beta != 1f) AxpbyCore(0f, output, beta, output);
        SparseTransposeMultiplyCore(x, gradient, output, compact: false);
    }

    /// <inheritdoc />
    public void SparseTransposeMultiplyTouched(SparseTensor x, Tensor gradient, Tensor output)
    {
        OwnSparse(x);
        Own(gradient, nameof(gradient));
        Own(output, nameof(output));
        Expect(gradient, nameof(gradient), x.Rows, gradient.Cols);
        Expect(output, nameof(output), x.TouchedColumns.Count, gradient.Cols);
        FillCore(output, 0f);
        SparseTransposeMultiplyCore(x, gradient, output, compact: true);
    }

    /// <inheritdoc />
    public void ToDense(SparseTensor x, Tensor output)
    {
        OwnSparse(x);
        Own(output, nameof(output));
        Expect(output, nameof(output), x.Rows, x.Cols);
        FillCore(output, 0f);
        ToDenseCore(x, output);
    }

    /// <inheritdoc />
    public void EmbeddingBag(IntTensor tokens, IntTensor lengths, Tensor table, Tensor output, EmbeddingBagMode mode)
    {
        CheckBag(tokens, lengths);
        Own(table, nameof(table));
        Own(output, nameof(output));
        Expect(output, nameof(output), tokens.Rows, table.Cols);
        EmbeddingBagCore(tokens, lengths, table, output, mode);
    }

    /// <inheritdoc />
    public void EmbeddingBagBackward(IntTensor tokens, IntTensor lengths, Tensor gradOutput, Tensor gradTable, EmbeddingBagMode mode)
    {
        CheckBag(tokens, lengths);
        Own(gradOutput, nameof(gradOutput));
        Own(gradTable, nameof(gradTable));
        Expect(gradOutput, nameof(gradOutput), tokens.Rows, gradTable.Cols);
        EmbeddingBagBackwardCore(tokens, lengths, gradOutput, gradTable, mode);
    }

    /// <inheritdoc />
    public void Activate(Activation activation, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(activation);
        SameShape(input, nameof(input), output, nameof(output));
        ActivateCore(activation, input, output);
    }

    /// <inheritdoc />
    public void ActivationBackward(Activation activation, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ArgumentNullException.ThrowIfNull(activation);
        SameShape(input, nameof(input), output, nameof(output));
        SameShape(input, nameof(input), gradOutput, nameof(gradOutput));
        SameShape(input, nameof(input), gradInput, nameof(gradInput));
        ActivationBackwardCore(activation, input, output, gradOutput, gradInput);
    }

    /// <inheritdoc />
    public void Softmax(Tensor input, Tensor output)
    {
        SameShape(input, nameof(input), output, nameof(output));
        NoAlias(output, nameof(output), input, nameof(input));
        SoftmaxCore(input, output, log: false);
    }

    /// <inheritdoc />
    public void SoftmaxBackward(Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        SameShape(output, nameof(output), gradOutput, nameof(gradOutput));
        SameShape(output, nameof(output), gradInput, nameof(gradInput));
        SoftmaxBackwardCore(output, gradOutput, gradInput, log: false);
    }

    /// <inheritdoc />
    public void LogSoftmax(Tensor input, Tensor output)
    {
        SameShape(input, nameof(input), output, nameof(output));
        NoAlias(output, nameof(output), input, nameof(input));
        SoftmaxCore(input, output, log: true);
    }

    /// <inheritdoc />
    public void LogSoftmaxBackward(Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        SameShape(output, nameof(output), gradOutput, nameof(gradOutput));
        SameShape(output, nameof(output), gradInput, nameof(gradInput));
        SoftmaxBackwardCore(output, gradOutput, gradInput, log: true);
    }

    /// <inheritdoc />
    public void LayerNorm(Tensor input, Tensor gain, Tensor bias, Tensor output, Tensor statistics, float epsilon = 1e-5f)
    {
        SameShape(input, nameof(input), output, nameof(output));
        Own(gain, nameof(gain));
        Own(bias, nameof(bias));
        Own(statistics, nameof(statistics));
        RowVector(gain, nameof(gain), input.Cols);
        RowVector(bias, nameof(bias), input.Cols);
        Expect(statistics, nameof(statistics), input.Rows, 2);
        NoAlias(output, nameof(output), input, nameof(input));
        if (!(epsilon > 0)) throw new ArgumentException($"LayerNorm: epsilon must be positive, got {epsilon}");
        LayerNormCore(input, gain, bias, output, statistics, epsilon);
    }

    /// <inheritdoc />
    public void LayerNormBackward(Tensor input, Tensor gain, Tensor statistics, Tensor gradOutput, Tensor gradInput, Tensor gradGain, Tensor gradBias)
    {
        SameShape(input, nameof(input), gradOutput, nameof(gradOutput));
        SameShape(input, nameof(input), gradInput, nameof(gradInput));
        Own(gain, nameof(gain));
        Own(statistics, nameof(statistics));
        Own(gradGain, nameof(gradGain));
        Own(gradBias, nameof(gradBias));
        RowVector(gain, nameof(gain), input.Cols);
        RowVector(gradGain, nameof(gradGain), input.Cols);
        RowVector(gradBias, nameof(gradBias), input.Cols);
        Expect(statistics, nameof(statistics), input.Rows, 2);
        NoAlias(gradInput, nameof(gradInput), gradOutput, nameof(gradOutput));
        LayerNormBackwardCore(input, gain, statistics, gradOutput, gradInput, gradGain, gradBias);
    }

    /// <inheritdoc />
    public void L2Normalize(Tensor input, Tensor output, Tensor norms, float epsilon = 1e-12f)
    {
        SameShape(input, nameof(input), output, nameof(output));
        Own(norms, nameof(norms));
        Expect(norms, nameof(norms), input.Rows, 1);
        L2NormalizeCore(input, output, norms, epsilon);
    }

    /// <inheritdoc />
    public void L2NormalizeBackward(Tensor output, Tensor norms, Tensor gradOutput, Tensor gradInput)
    {
        SameShape(output, nameof(output), gradOutput, nameof(gradOutput));
        SameShape(output, nameof(output), gradInput, nameof(gradInput));
        Own(norms, nameof(norms));
        Expect(norms, nameof(norms), output.Rows, 1);
        L2NormalizeBackwardCore(output, norms, gradOutput, gradInput);
    }

    /// <inheritdoc />
    public void TopK(Tensor scores, Tensor values, IntTensor indices)
    {
        Own(scores, nameof(scores));
        Own(values, nameof(values));
        Own(indices, nameof(indices));
        if (values.Cols < 1) throw new ArgumentException("TopK: values must have at least one column (k >= 1)");
        Expect(values, nameof(values), scores.Rows, values.Cols);
        if (indices.Rows != values.Rows || indices.Cols != values.Cols)
            throw new ArgumentException($"TopK: indices are {indices.Rows} x {indices.Cols}, values {values.Rows} x {values.Cols}");
        TopKCore(scores, values, indices);
    }

    /// <inheritdoc />
    public double BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Tensor gradient, float gradientScale)
    {
        SameShape(logits, nameof(logits), targets, nameof(targets));
        SameShape(logits, nameof(logits), gradient, nameof(gradient));
        return LossCore(LossKind.BinaryCrossEntropy, logits, targets, null, gradient, gradientScale);
    }

    /// <inheritdoc />
    public double SoftmaxCrossEntropy(Tensor logits, IntTensor targets, Tensor gradient, float gradientScale)
    {
        SameShape(logits, nameof(logits), gradient, nameof(gradient));
        Own(targets, nameof(targets));
        if (targets.Rows != logits.Rows || targets.Cols != 1)
            throw new ArgumentException($"SoftmaxCrossEntropy: targets must be {logits.Rows} x 1, got {targets.Rows} x {targets.Cols}");
        return LossCore(LossKind.SoftmaxCrossEntropy, logits, null, targets, gradient, gradientScale);
    }

    /// <inheritdoc />
    public double SquaredError(Tensor prediction, Tensor target, Tensor gradient, float gradientScale)
    {
        SameShape(prediction, nameof(prediction), target, nameof(target));
        SameShape(prediction, nameof(prediction), gradient, nameof(gradient));
        return LossCore(LossKind.SquaredError, prediction, target, null, gradient, gradientScale);
    }

    /// <inheritdoc />
    public double SumOfSquares(Tensor input)
    {
        Own(input, nameof(input));
        return SumOfSquaresCore(input);
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float dropProbability, ulong seed)
    {
        Own(mask, nameof(mask));
        if (!(dropProbability >= 0 && dropProbability < 1))
            throw new ArgumentException($"dropout probability must be in [0, 1), got {dropProbability}");
        DropoutMaskCore(mask, dropProbability, seed);
    }

    /// <inheritdoc />
    public void AdamUpdate(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step, IntTensor? rows = null)
    {
        SameShape(parameter, nameof(parameter), gradient, nameof(gradient));
        SameShape(parameter, nameof(parameter), firstMoment, nameof(firstMoment));
        SameShape(parameter, nameof(parameter), secondMoment, nameof(secondMoment));
        if (step.Step < 1) throw new ArgumentException($"Adam step count must start at 1, got {step.Step}");
        if (rows is not null) RowList(rows);
        AdamUpdateCore(parameter, gradient, firstMoment, secondMoment, step, rows);
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor parameter, Tensor gradient, Tensor velocity, SgdStep step, IntTensor? rows = null)
    {
        SameShape(parameter, nameof(parameter), gradient, nameof(gradient));
        SameShape(parameter, nameof(parameter), velocity, nameof(velocity));
        if (rows is not null) RowList(rows);
        SgdUpdateCore(parameter, gradient, velocity, step, rows);
    }

    /// <inheritdoc />
    public void FillRows(Tensor target, IntTensor rows, float value)
    {
        Own(target, nameof(target));
        RowList(rows);
        FillRowsCore(target, rows, value);
    }

    /// <summary>Releases the backend's resources.</summary>
    public abstract void Dispose();

    /// <summary>The backend name.</summary>
    public override string ToString() => Name;

    /// <summary>Which fused loss <see cref="LossCore"/> computes.</summary>
    protected enum LossKind
    {
        /// <summary>BCE with logits against dense targets.</summary>
        BinaryCrossEntropy,
        /// <summary>Softmax cross-entropy against a class per row.</summary>
        SoftmaxCrossEntropy,
        /// <summary>Squared error against dense targets.</summary>
        SquaredError,
    }

    /// <summary>A zero tensor.</summary>
    protected abstract Tensor AllocateCore(int rows, int cols);
    /// <summary>A zero int tensor.</summary>
    protected abstract IntTensor AllocateIntCore(int rows, int cols);
    /// <summary>See <see cref="Fill"/>.</summary>
    protected abstract void FillCore(Tensor target, float value);
    /// <summary>See <see cref="Copy"/>.</summary>
    protected abstract void CopyCore(Tensor source, Tensor target);
    /// <summary>See <see cref="Axpby"/> (x may be y).</summary>
    protected abstract void AxpbyCore(float alpha, Tensor x, float beta, Tensor y);
    /// <summary>See <see cref="Multiply"/>.</summary>
    protected abstract void MultiplyCore(Tensor a, Tensor b, Tensor output);
    /// <summary>See <see cref="Gemm"/>; shapes already checked (op(a) is m x k, op(b) k x n).</summary>
    protected abstract void GemmCore(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, int m, int n, int k, float alpha, float beta);
    /// <summary>See <see cref="AddRowVector"/>.</summary>
    protected abstract void AddRowVectorCore(Tensor vector, Tensor target);
    /// <summary>See <see cref="ColumnSums"/>.</summary>
    protected abstract void ColumnSumsCore(Tensor input, Tensor output, float beta);
    /// <summary>See <see cref="SparseMultiply"/>.</summary>
    protected abstract void SparseMultiplyCore(SparseTensor x, Tensor weights, Tensor output);
    /// <summary>Adds Xᵀ G into the touched rows of output (compact: row t, else row TouchedColumns[t]).</summary>
    protected abstract void SparseTransposeMultiplyCore(SparseTensor x, Tensor gradient, Tensor output, bool compact);
    /// <summary>Writes X's stored values into a zeroed dense output.</summary>
    protected abstract void ToDenseCore(SparseTensor x, Tensor output);
    /// <summary>See <see cref="EmbeddingBag"/>.</summary>
    protected abstract void EmbeddingBagCore(IntTensor tokens, IntTensor lengths, Tensor table, Tensor output, EmbeddingBagMode mode);
    /// <summary>See <see cref="EmbeddingBagBackward"/>.</summary>
    protected abstract void EmbeddingBagBackwardCore(IntTensor tokens, IntTensor lengths, Tensor gradOutput, Tensor gradTable, EmbeddingBagMode mode);
    /// <summary>See <see cref="Activate"/>.</summary>
    protected abstract void ActivateCore(Activation activation, Tensor input, Tensor output);
    /// <summary>See <see cref="ActivationBackward"/>.</summary>
    protected abstract void ActivationBackwardCore(Activation activation, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput);
    /// <summary>Softmax or log-softmax of each row.</summary>
    protected abstract void SoftmaxCore(Tensor input, Tensor output, bool log);
    /// <summary>Backward of softmax or log-softmax.</summary>
    protected abstract void SoftmaxBackwardCore(Tensor output, Tensor gradOutput, Tensor gradInput, bool log);
    /// <summary>See <see cref="LayerNorm"/>.</summary>
    protected abstract void LayerNormCore(Tensor input, Tensor gain, Tensor bias, Tensor output, Tensor statistics, float epsilon);
    /// <summary>See <see cref="LayerNormBackward"/>.</summary>
    protected abstract void LayerNormBackwardCore(Tensor input, Tensor gain, Tensor statistics, Tensor gradOutput, Tensor gradInput, Tensor gradGain, Tensor gradBias);
    /// <summary>See <see cref="L2Normalize"/>.</summary>
    protected abstract void L2NormalizeCore(Tensor input, Tensor output, Tensor norms, float epsilon);
    /// <summary>See <see cref="L2NormalizeBackward"/>.</summary>
    protected abstract void L2NormalizeBackwardCore(Tensor output, Tensor norms, Tensor gradOutput, Tensor gradInput);
    /// <summary>See <see cref="TopK"/>.</summary>
    protected abstract void TopKCore(Tensor scores, Tensor values, IntTensor indices);
    /// <summary>A fused loss: writes the gradient, returns the summed loss.</summary>
    protected abstract double LossCore(LossKind kind, Tensor prediction, Tensor? denseTargets, IntTensor? classTargets, Tensor gradient, float gradientScale);
    /// <summary>See <see cref="SumOfSquares"/>.</summary>
    protected abstract double SumOfSquaresCore(Tensor input);
    /// <summary>See <see cref="DropoutMask"/>.</summary>
    protected abstract void DropoutMaskCore(Tensor mask, float dropProbability, ulong seed);
    /// <summary>See <see cref="AdamUpdate"/>.</summary>
    protected abstract void AdamUpdateCore(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step, IntTensor? rows);
    /// <summary>See <see cref="SgdUpdate"/>.</summary>
    protected abstract void SgdUpdateCore(Tensor parameter, Tensor gradient, Tensor velocity, SgdStep step, IntTensor? rows);
    /// <summary>See <see cref="FillRows"/>.</summary>
    protected abstract void FillRowsCore(Tensor target, IntTensor rows, float value);

    private static void CheckShape(int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative tensor shape {rows} x {cols}");
        if ((long)rows * cols > int.MaxValue)
            throw new ArgumentException($"a {rows} x {cols} tensor exceeds {int.MaxValue} values; split it");
    }

    private void Own<T>(TensorStorage<T> tensor, string name) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (!ReferenceEquals(tensor.Backend, this))
            throw new ArgumentException($"{name} ({tensor}) belongs to another backend than {Name}", name);
        tensor.ThrowIfDisposed();
    }

    private void OwnSparse(SparseTensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!ReferenceEquals(x.Backend, this))
            throw new ArgumentException($"{x} belongs to another backend than {Name}", nameof(x));
    }

    private void SameShape(Tensor a, string aName, Tensor b, string bName)
    {
        Own(a, aName);
        Own(b, bName);
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"{aName} is {a.Rows} x {a.Cols} but {bName} is {b.Rows} x {b.Cols}");
    }

    private static void Expect(Tensor t, string name, int rows, int cols)
    {
        if (t.Rows != rows || t.Cols != cols)
            throw new ArgumentException($"{name} must be {rows} x {cols}, got {t.Rows} x {t.Cols}", name);
    }

    private static void RowVector(Tensor t, string name, int cols) => Expect(t, name, 1, cols);

    private static void NoAlias(Tensor output, string outputName, Tensor input, string inputName)
    {
        if (ReferenceEquals(output, input)) throw new ArgumentException($"{outputName} must not be the same tensor as {inputName}");
    }

    private void CheckBag(IntTensor tokens, IntTensor lengths)
    {
        Own(tokens, nameof(tokens));
        Own(lengths, nameof(lengths));
        if (lengths.Rows != tokens.Rows || lengths.Cols != 1)
            throw new ArgumentException($"lengths must be {tokens.Rows} x 1, got {lengths.Rows} x {lengths.Cols}");
    }

    private void RowList(IntTensor rows)
    {
        Own(rows, nameof(rows));
        if (rows.Rows != 1) throw new ArgumentException($"a row list must be 1 x r, got {rows.Rows} x {rows.Cols}");
    }
}
