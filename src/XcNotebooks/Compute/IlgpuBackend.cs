using ILGPU;
using ILGPU.Runtime;
using XcNotebooks.Compute.Kernels;

namespace XcNotebooks.Compute;

/// <summary>
/// The ILGPU backend: tensors are accelerator buffers that stay on the device between operations; every operation
/// is a kernel from <c>Compute/Kernels</c>, compiled once per device through <see cref="IlgpuDevice.Kernel"/> and
/// launched on the default stream (launches are asynchronous; reading values back waits). On ILGPU's CPU
/// accelerator it is a correctness simulator (100-1000x slower than <see cref="CpuBackend"/>).
/// </summary>
public sealed class IlgpuBackend : ComputeBackend
{
    private readonly bool _ownsDevice;
    private readonly int _rowGroup;
    private readonly int _gemmTile;
    private readonly IntTensor _noClasses;
    private Tensor? _scratch;

    /// <summary>A backend over <paramref name="device"/>; disposing the backend disposes the device when it owns it.</summary>
    public IlgpuBackend(IlgpuDevice device, bool ownsDevice = false)
    {
        Device = device ?? throw new ArgumentNullException(nameof(device));
        _ownsDevice = ownsDevice;
        _rowGroup = 1;
        while (_rowGroup * 2 <= Math.Min(device.GroupSize, GroupReduce.MaxGroupSize)) _rowGroup *= 2;
        _gemmTile = 1;
        while ((_gemmTile * 2) * (_gemmTile * 2) <= device.GroupSize && _gemmTile * 2 <= GemmKernels.MaxTile) _gemmTile *= 2;
        _noClasses = AllocateInt(1, 1);
    }

    /// <summary>A backend on a new device for <paramref name="target"/> (Auto: XCN_ILGPU_TARGET, then CUDA, OpenCL, CPU).</summary>
    public static IlgpuBackend Create(IlgpuTarget target = IlgpuTarget.Auto) => new(IlgpuDevice.Create(target), ownsDevice: true);

    /// <summary>The ILGPU device (context, accelerator, kernel cache): load extra kernels through it.</summary>
    public IlgpuDevice Device { get; }

    /// <inheritdoc />
    public override string Name => $"ilgpu {Device.Name}";

    /// <inheritdoc />
    public override BackendKind Kind => BackendKind.Ilgpu;

    /// <inheritdoc />
    public override TOperations Select<TOperations>(IBackendOperations<TOperations> implementations) =>
        (implementations ?? throw new ArgumentNullException(nameof(implementations))).ForIlgpu(this);

    /// <inheritdoc />
    public override void Synchronize() => Device.Accelerator.Synchronize();

    /// <summary>Frees the scratch buffers and, when owned, the device (and with it every buffer).</summary>
    public override void Dispose()
    {
        _scratch?.Dispose();
        _noClasses.Dispose();
        if (_ownsDevice) Device.Dispose();
    }

    private Accelerator Accelerator => Device.Accelerator;

    /// <inheritdoc />
    protected override Tensor AllocateCore(int rows, int cols)
    {
        var buffer = Accelerator.Allocate1D<float>(Math.Max(1, rows * cols));
        buffer.MemSetToZero();
        return new Tensor(this, rows, cols, null, buffer);
    }

    /// <inheritdoc />
    protected override IntTensor AllocateIntCore(int rows, int cols)
    {
        var buffer = Accelerator.Allocate1D<int>(Math.Max(1, rows * cols));
        buffer.MemSetToZero();
        return new IntTensor(this, rows, cols, null, buffer);
    }

    /// <inheritdoc />
    protected override void FillCore(Tensor target, float value)
    {
        if (target.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, float>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Fill),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill))(target.Length, target.DeviceView, value);
    }

    /// <inheritdoc />
    protected override void CopyCore(Tensor source, Tensor target)
    {
        if (source.Length > 0) source.View.CopyTo(target.View);
    }

    /// <inheritdoc />
    protected override void AxpbyCore(float alpha, Tensor x, float beta, Tensor y)
    {
        if (y.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, float, float>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Axpby),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(ElementwiseKernels.Axpby))(
            y.Length, x.DeviceView, y.DeviceView, alpha, beta);
    }

    /// <inheritdoc />
    protected override void MultiplyCore(Tensor a, Tensor b, Tensor output)
    {
        if (output.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Multiply),
            acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Multiply))(
            output.Length, a.DeviceView, b.DeviceView, output.DeviceView);
    }

    /// <inheritdoc />
    protected override void GemmCore(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, int m, int n, int k, float alpha, float beta)
    {
        if (m == 0 || n == 0) return;
        var args = new GemmArgs
        {
            M = m, N = n, K = k, ACols = a.Cols, BCols = b.Cols,
            TransposeA = transposeA ? 1 : 0, TransposeB = transposeB ? 1 : 0,
            Tile = _gemmTile, Alpha = alpha, Beta = beta,
        };
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>>(nameof(GemmKernels) + "." + nameof(GemmKernels.Tiled),
            acc => acc.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernels.Tiled));
        var grid = new Index2D((n + _gemmTile - 1) / _gemmTile, (m + _gemmTile - 1) / _gemmTile);
        kernel(new KernelConfig(grid, new Index2D(_gemmTile, _gemmTile)), a.DeviceView, b.DeviceView, c.DeviceView, args);
    }

    /// <inheritdoc />
    protected override void AddRowVectorCore(Tensor vector, Tensor target)
    {
        if (target.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, int>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.AddRowVector),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddRowVector))(
            target.Length, vector.DeviceView, target.DeviceView, target.Cols);
    }

    /// <inheritdoc />
    protected override void ColumnSumsCore(Tensor input, Tensor output, float beta)
    {
        if (output.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, int, float>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.ColumnSums),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(ElementwiseKernels.ColumnSums))(
            output.Cols, input.DeviceView, output.DeviceView, input.Rows, beta);
    }

    /// <inheritdoc />
    protected override void SparseMultiplyCore(SparseTensor x, Tensor weights, Tensor output)
    {
        if (output.Length == 0) return;
        Load<Action<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(nameof(SparseKernels) + "." + nameof(SparseKernels.Multiply),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(SparseKernels.Multiply))(
            new Index2D(output.Cols, output.Rows), x.RowPointers.DeviceView, x.ColumnIndices.DeviceView, x.Values.DeviceView,
            weights.DeviceView, output.DeviceView, output.Cols);
    }

    /// <inheritdoc />
    protected override void SparseTransposeMultiplyCore(SparseTensor x, Tensor gradient, Tensor output, bool compact)
    {
        if (x.TouchedColumns.Count == 0 || output.Cols == 0) return;
        Load<Action<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>>(nameof(SparseKernels) + "." + nameof(SparseKernels.TransposeMultiply),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(
                SparseKernels.TransposeMultiply))(
            new Index2D(output.Cols, x.TouchedColumns.Count), x.TransposePointers.DeviceView, x.TransposeRows.DeviceView,
            x.TransposeValues.DeviceView, x.TouchedIndex.DeviceView, gradient.DeviceView, output.DeviceView, output.Cols, compact ? 1 : 0);
    }

    /// <inheritdoc />
    protected override void ToDenseCore(SparseTensor x, Tensor output)
    {
        if (x.Rows == 0) return;
        Load<Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>>(nameof(SparseKernels) + "." + nameof(SparseKernels.ToDense),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>(SparseKernels.ToDense))(
            x.Rows, x.RowPointers.DeviceView, x.ColumnIndices.DeviceView, x.Values.DeviceView, output.DeviceView, output.Cols);
    }

    /// <inheritdoc />
    protected override void EmbeddingBagCore(IntTensor tokens, IntTensor lengths, Tensor table, Tensor output, EmbeddingBagMode mode)
    {
        if (output.Length == 0) return;
        Load<Action<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, BagArgs>>(nameof(SparseKernels) + "." + nameof(SparseKernels.EmbeddingBag),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, BagArgs>(SparseKernels.EmbeddingBag))(
            new Index2D(output.Cols, output.Rows), tokens.DeviceView, lengths.DeviceView, table.DeviceView, output.DeviceView, Bag(tokens, output.Cols, mode));
    }

    /// <inheritdoc />
    protected override void EmbeddingBagBackwardCore(IntTensor tokens, IntTensor lengths, Tensor gradOutput, Tensor gradTable, EmbeddingBagMode mode)
    {
        if (gradOutput.Length == 0) return;
        Load<Action<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, BagArgs>>(nameof(SparseKernels) + "." + nameof(SparseKernels.EmbeddingBagBackward),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, BagArgs>(SparseKernels.EmbeddingBagBackward))(
            new Index2D(gradOutput.Cols, gradOutput.Rows), tokens.DeviceView, lengths.DeviceView, gradOutput.DeviceView, gradTable.DeviceView,
            Bag(tokens, gradOutput.Cols, mode));
    }

    /// <inheritdoc />
    protected override void ActivateCore(Activation activation, Tensor input, Tensor output)
    {
        if (output.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ActivationArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Activate),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ActivationArgs>(ElementwiseKernels.Activate))(
            output.Length, input.DeviceView, output.DeviceView, ActivationArgs.From(activation));
    }

    /// <inheritdoc />
    protected override void ActivationBackwardCore(Activation activation, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        if (input.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ActivationArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.ActivationBackward),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ActivationArgs>(
                ElementwiseKernels.ActivationBackward))(
            input.Length, input.DeviceView, output.DeviceView, gradOutput.DeviceView, gradInput.DeviceView, ActivationArgs.From(activation));
    }

    /// <inheritdoc />
    protected override void SoftmaxCore(Tensor input, Tensor output, bool log)
    {
        if (input.Rows == 0 || input.Cols == 0) return;
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.Softmax),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.Softmax));
        kernel(RowConfig(input.Rows), input.DeviceView, output.DeviceView,
            new RowArgs { Cols = input.Cols, Flag = log ? RowKernels.LogSoftmaxFlag : RowKernels.SoftmaxFlag });
    }

    /// <inheritdoc />
    protected override void SoftmaxBackwardCore(Tensor output, Tensor gradOutput, Tensor gradInput, bool log)
    {
        if (output.Rows == 0 || output.Cols == 0) return;
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.SoftmaxBackward),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.SoftmaxBackward));
        kernel(RowConfig(output.Rows), output.DeviceView, gradOutput.DeviceView, gradInput.DeviceView,
            new RowArgs { Cols = output.Cols, Flag = log ? RowKernels.LogSoftmaxFlag : RowKernels.SoftmaxFlag });
    }

    /// <inheritdoc />
    protected override void LayerNormCore(Tensor input, Tensor gain, Tensor bias, Tensor output, Tensor statistics, float epsilon)
    {
        if (input.Rows == 0 || input.Cols == 0) return;
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.LayerNorm),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.LayerNorm));
        kernel(RowConfig(input.Rows), input.DeviceView, gain.DeviceView, bias.DeviceView, output.DeviceView, statistics.DeviceView,
            new RowArgs { Cols = input.Cols, Epsilon = epsilon });
    }

    /// <inheritdoc />
    protected override void LayerNormBackwardCore(Tensor input, Tensor gain, Tensor statistics, Tensor gradOutput, Tensor gradInput,
        Tensor gradGain, Tensor gradBias)
    {
        if (input.Rows == 0 || input.Cols == 0) return;
        var rows = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.LayerNormBackward),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.LayerNormBackward));
        rows(RowConfig(input.Rows), input.DeviceView, gain.DeviceView, statistics.DeviceView, gradOutput.DeviceView, gradInput.DeviceView,
            new RowArgs { Cols = input.Cols });
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>>(nameof(RowKernels) + "." + nameof(RowKernels.LayerNormParameterGradients),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(
                RowKernels.LayerNormParameterGradients))(
            input.Cols, input.DeviceView, statistics.DeviceView, gradOutput.DeviceView, gradGain.DeviceView, gradBias.DeviceView, input.Rows);
    }

    /// <inheritdoc />
    protected override void L2NormalizeCore(Tensor input, Tensor output, Tensor norms, float epsilon)
    {
        if (input.Rows == 0) return;
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.L2Normalize),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.L2Normalize));
        kernel(RowConfig(input.Rows), input.DeviceView, output.DeviceView, norms.DeviceView, new RowArgs { Cols = input.Cols, Epsilon = epsilon });
    }

    /// <inheritdoc />
    protected override void L2NormalizeBackwardCore(Tensor output, Tensor norms, Tensor gradOutput, Tensor gradInput)
    {
        if (output.Rows == 0) return;
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.L2NormalizeBackward),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.L2NormalizeBackward));
        kernel(RowConfig(output.Rows), output.DeviceView, norms.DeviceView, gradOutput.DeviceView, gradInput.DeviceView,
            new RowArgs { Cols = output.Cols });
    }

    /// <inheritdoc />
    protected override void TopKCore(Tensor scores, Tensor values, IntTensor indices)
    {
        if (scores.Rows == 0) return;
        Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>>(nameof(RowKernels) + "." + nameof(RowKernels.TopK),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>(RowKernels.TopK))(
            scores.Rows, scores.DeviceView, values.DeviceView, indices.DeviceView, scores.Cols, values.Cols);
    }

    /// <inheritdoc />
    protected override double LossCore(LossKind kind, Tensor prediction, Tensor? denseTargets, IntTensor? classTargets, Tensor gradient, float gradientScale)
    {
        if (prediction.Rows == 0) return 0;
        var rowLoss = Scratch(prediction.Rows);
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.Loss),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.Loss));
        int flag = kind switch
        {
            LossKind.BinaryCrossEntropy => RowKernels.BinaryCrossEntropyFlag,
            LossKind.SquaredError => RowKernels.SquaredErrorFlag,
            _ => RowKernels.SoftmaxCrossEntropyFlag,
        };
        // The kernel ignores the targets argument it does not use; pass the prediction as a placeholder.
        kernel(RowConfig(prediction.Rows), prediction.DeviceView, (denseTargets ?? prediction).DeviceView, (classTargets ?? _noClasses).DeviceView,
            gradient.DeviceView, rowLoss, new RowArgs { Cols = prediction.Cols, Flag = flag, Scale = gradientScale });
        return SumOnHost(rowLoss);
    }

    /// <inheritdoc />
    protected override double SumOfSquaresCore(Tensor input)
    {
        if (input.Length == 0) return 0;
        const int Chunk = 1 << 14;
        int chunks = (input.Length + Chunk - 1) / Chunk;
        var partials = Scratch(chunks);
        var kernel = Load<Action<KernelConfig, ArrayView<float>, ArrayView<float>, RowArgs>>(nameof(RowKernels) + "." + nameof(RowKernels.ChunkSumOfSquares),
            a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, RowArgs>(RowKernels.ChunkSumOfSquares));
        kernel(RowConfig(chunks), input.DeviceView, partials, new RowArgs { Cols = Chunk, Flag = input.Length });
        return SumOnHost(partials);
    }

    /// <inheritdoc />
    protected override void DropoutMaskCore(Tensor mask, float dropProbability, ulong seed)
    {
        if (mask.Length == 0) return;
        Load<Action<Index1D, ArrayView<float>, DropoutArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.DropoutMask),
            a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, DropoutArgs>(ElementwiseKernels.DropoutMask))(
            mask.Length, mask.DeviceView, new DropoutArgs { Seed = seed, DropProbability = dropProbability, KeepScale = 1f / (1f - dropProbability) });
    }

    /// <inheritdoc />
    protected override void AdamUpdateCore(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step, IntTensor? rows)
    {
        var args = AdamArgs.From(step);
        if (rows is null)
        {
            if (parameter.Length == 0) return;
            Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Adam),
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>(ElementwiseKernels.Adam))(
                parameter.Length, parameter.DeviceView, gradient.DeviceView, firstMoment.DeviceView, secondMoment.DeviceView, args);
            return;
        }
        if (rows.Cols == 0 || parameter.Cols == 0) return;
        Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, AdamArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.AdamRows),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, AdamArgs>(
                ElementwiseKernels.AdamRows))(
            new Index2D(parameter.Cols, rows.Cols), parameter.DeviceView, gradient.DeviceView, firstMoment.DeviceView, secondMoment.DeviceView,
            rows.DeviceView, parameter.Cols, args);
    }

    /// <inheritdoc />
    protected override void SgdUpdateCore(Tensor parameter, Tensor gradient, Tensor velocity, SgdStep step, IntTensor? rows)
    {
        var args = SgdArgs.From(step);
        if (rows is null)
        {
            if (parameter.Length == 0) return;
            Load<Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.Sgd),
                a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArgs>(ElementwiseKernels.Sgd))(
                parameter.Length, parameter.DeviceView, gradient.DeviceView, velocity.DeviceView, args);
            return;
        }
        if (rows.Cols == 0 || parameter.Cols == 0) return;
        Load<Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, SgdArgs>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.SgdRows),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, SgdArgs>(ElementwiseKernels.SgdRows))(
            new Index2D(parameter.Cols, rows.Cols), parameter.DeviceView, gradient.DeviceView, velocity.DeviceView, rows.DeviceView, parameter.Cols, args);
    }

    /// <inheritdoc />
    protected override void FillRowsCore(Tensor target, IntTensor rows, float value)
    {
        if (rows.Cols == 0 || target.Cols == 0) return;
        Load<Action<Index2D, ArrayView<float>, ArrayView<int>, int, float>>(nameof(ElementwiseKernels) + "." + nameof(ElementwiseKernels.FillRows),
            a => a.LoadAutoGroupedStreamKernel<Index2D, ArrayView<float>, ArrayView<int>, int, float>(ElementwiseKernels.FillRows))(
            new Index2D(target.Cols, rows.Cols), target.DeviceView, rows.DeviceView, target.Cols, value);
    }

    private TKernel Load<TKernel>(string name, Func<Accelerator, TKernel> load) where TKernel : class =>
        Device.Kernel("xcn." + name, load);

    private KernelConfig RowConfig(int rows) => new(new Index1D(rows), new Index1D(_rowGroup));

    private static BagArgs Bag(IntTensor tokens, int cols, EmbeddingBagMode mode) =>
        new() { MaxLength = tokens.Cols, Cols = cols, Mean = mode == EmbeddingBagMode.Mean ? 1 : 0 };

    /// <summary>A device view of at least <paramref name="length"/> floats for per-row results.</summary>
    private ArrayView<float> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            _scratch?.Dispose();
            _scratch = Allocate(1, Math.Max(length, 1024));
        }
        return _scratch.DeviceView.SubView(0, length);
    }

    /// <summary>Reads per-row partial results back and sums them in row order (deterministic).</summary>
    private double SumOnHost(ArrayView<float> partials)
    {
        Accelerator.Synchronize();
        var host = new float[partials.Length];
        partials.CopyToCPU(host);
        double sum = 0;
        foreach (var v in host) sum += v;
        return sum;
    }
}
