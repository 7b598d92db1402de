using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// The input layer for sparse features: y = X W + b with X a <see cref="SparseTensor"/> mini-batch (CSR rows of a
/// <see cref="CsrMatrix"/>). Backward writes Xᵀ G only into the rows of W whose feature occurs in the batch and
/// marks them, so zeroing and Adam touch those rows alone (the weight is a row-sparse <see cref="Parameter"/>).
/// With <c>lazyRows: false</c> the weight is an ordinary dense parameter: the forward and backward products stay
/// sparse, but every row is zeroed and stepped (what a dense nn.Linear on the same rows does, weight decay included).
/// </summary>
public sealed class SparseLinear : IDisposable
{
    private readonly IComputeBackend _backend;
    private SparseTensor? _input;
    private Tensor? _output;

    /// <summary>
    /// A layer from <paramref name="inputs"/> features to <paramref name="outputs"/> units, seeded; with
    /// <paramref name="lazyRows"/> (the default) only the rows of the batch's features are zeroed and updated.
    /// </summary>
    public SparseLinear(IComputeBackend backend, int inputs, int outputs, int seed, bool bias = true,
        WeightInit init = WeightInit.PyTorchDefault, string name = "sparse_linear", bool lazyRows = true)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        (Weight, Bias) = AffineParameters.Create(backend, inputs, outputs, seed, bias, init, name, rowSparse: lazyRows);
        Parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>W (features x outputs), row-sparse unless created with lazyRows: false.</summary>
    public Parameter Weight { get; }

    /// <summary>b (1 x outputs), or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>The trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>X W + b for a batch uploaded with <see cref="IComputeBackend.Upload(CsrMatrix)"/>.</summary>
    public Tensor Forward(SparseTensor input)
    {
        if (input.Cols != Weight.Rows)
            throw new ArgumentException($"{Weight.Name}: the batch has {input.Cols} feature columns, the layer {Weight.Rows} (CsrMatrix.WithColumns widens a batch)");
        _input = input;
        _output = Buffers.Ensure(_backend, _output, input.Rows, Weight.Cols);
        _backend.SparseMultiply(input, Weight.Value, _output);
        if (Bias is not null) _backend.AddRowVector(Bias.Value, _output);
        return _output;
    }

    /// <summary>Accumulates the weight gradient on the batch's features and the bias gradient.</summary>
    public void Backward(Tensor gradOutput)
    {
        var input = Buffers.Cached(_input, Weight.Name);
        _backend.SparseTransposeMultiply(input, gradOutput, Weight.Gradient, beta: 1f);
        Weight.MarkTouched(input.TouchedColumns);
        if (Bias is not null) _backend.ColumnSums(gradOutput, Bias.Gradient, beta: 1f);
    }

    /// <summary>Frees the parameters and buffers.</summary>
    public void Dispose()
    {
        foreach (var p in Parameters) p.Dispose();
        _output?.Dispose();
    }
}

/// <summary>
/// A mini-batch of token-id sequences on a backend: ids padded to rows x MaxLength, with each row's length, and
/// the distinct ids (the table rows a backward pass touches).
/// </summary>
public sealed class DeviceTokenBatch : IDisposable
{
    private DeviceTokenBatch(IntTensor tokens, IntTensor lengths, int[] distinct, int maxToken)
    {
        Tokens = tokens;
        Lengths = lengths;
        DistinctTokens = distinct;
        MaxToken = maxToken;
    }

    /// <summary>Token ids, rows x MaxLength (entries past a row's length are 0 and ignored).</summary>
    public IntTensor Tokens { get; }

    /// <summary>Row lengths, rows x 1.</summary>
    public IntTensor Lengths { get; }

    /// <summary>Distinct token ids of the batch, increasing.</summary>
    public IReadOnlyList<int> DistinctTokens { get; }

    /// <summary>The largest id in the batch (-1 when empty).</summary>
    public int MaxToken { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Tokens.Rows;

    /// <summary>Uploads <paramref name="rows"/> of token ids, each truncated to <paramref name="maxLength"/>.</summary>
    public static DeviceTokenBatch Create(IComputeBackend backend, IReadOnlyList<IReadOnlyList<int>> rows, int maxLength)
    {
        if (maxLength < 1) throw new ArgumentException($"maxLength must be positive, got {maxLength}");
        var ids = new int[rows.Count * maxLength];
        var lengths = new int[rows.Count];
        var seen = new SortedSet<int>();
        for (int i = 0; i < rows.Count; i++)
        {
            lengths[i] = Math.Min(rows[i].Count, maxLength);
            for (int p = 0; p < lengths[i]; p++)
            {
                int id = rows[i][p];
                if (id < 0) throw new ArgumentException($"row {i}, position {p}: negative token id {id}");
                ids[i * maxLength + p] = id;
                seen.Add(id);
            }
        }
        return new DeviceTokenBatch(backend.UploadInt(ids, rows.Count, maxLength), backend.UploadInt(lengths, rows.Count, 1),
            [.. seen], seen.Count == 0 ? -1 : seen.Max);
    }

    /// <summary>
    /// Uploads a host batch cut by <see cref="Text.TokenizedCorpus.Batch"/> (ids row-major, Rows x Columns, with each
    /// row's length): the form text encoders receive.
    /// </summary>
    public static DeviceTokenBatch Create(IComputeBackend backend, Text.TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var seen = new bool[Math.Max(1, batch.Ids.Length == 0 ? 0 : MaxId(batch) + 1)];
        int count = 0, max = -1;
        for (int i = 0; i < batch.Rows; i++)
        {
            var row = batch.Row(i)[..batch.Lengths[i]];
            foreach (int id in row)
            {
                if (id < 0) throw new ArgumentException($"row {i}: negative token id {id}");
                if (seen[id]) continue;
                seen[id] = true;
                count++;
                max = Math.Max(max, id);
            }
        }
        var distinct = new int[count];
        for (int id = 0, w = 0; w < count; id++)
            if (seen[id]) distinct[w++] = id;
        return new DeviceTokenBatch(backend.UploadInt(batch.Ids, batch.Rows, batch.Columns), backend.UploadInt(batch.Lengths, batch.Rows, 1),
            distinct, max);
    }

    private static int MaxId(Text.TokenBatch batch)
    {
        int max = 0;
        for (int i = 0; i < batch.Rows; i++)
            foreach (int id in batch.Row(i)[..batch.Lengths[i]]) max = Math.Max(max, id);
        return max;
    }

    /// <summary>Frees the device copies.</summary>
    public void Dispose()
    {
        Tokens.Dispose();
        Lengths.Dispose();
    }
}

/// <summary>
/// Bag of embeddings: each row of a <see cref="DeviceTokenBatch"/> becomes the sum or mean of its tokens' embedding rows.
/// The table is a row-sparse parameter: only the batch's tokens get gradient and optimiser updates.
/// </summary>
public sealed class EmbeddingBag : IDisposable
{
    private readonly IComputeBackend _backend;
    private DeviceTokenBatch? _input;
    private Tensor? _output;

    /// <summary>A vocabulary x dimension table, seeded (<paramref name="init"/>, PyTorch's N(0, 1) by default).</summary>
    public EmbeddingBag(IComputeBackend backend, int vocabulary, int dimension, EmbeddingBagMode mode, int seed,
        WeightInit init = WeightInit.StandardNormal, string name = "embedding_bag")
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        if (vocabulary < 1 || dimension < 1) throw new ArgumentException($"{name}: sizes must be positive, got {vocabulary} x {dimension}");
        Mode = mode;
        Table = new Parameter(backend, name + ".weight", vocabulary, dimension, rowSparse: true);
        Table.SetValues(Initializers.Weights(init, vocabulary, dimension, vocabulary * dimension, SeedStreams.Embedding.Table.Of(seed)));
        Parameters = [Table];
    }

    /// <summary>Sum or mean.</summary>
    public EmbeddingBagMode Mode { get; }

    /// <summary>The embedding table (vocabulary x dimension).</summary>
    public Parameter Table { get; }

    /// <summary>The trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The bag embedding of each row.</summary>
    public Tensor Forward(DeviceTokenBatch input)
    {
        if (input.MaxToken >= Table.Rows)
            throw new ArgumentException($"{Table.Name}: token {input.MaxToken} outside the vocabulary of {Table.Rows}");
        _input = input;
        _output = Buffers.Ensure(_backend, _output, input.Rows, Table.Cols);
        _backend.EmbeddingBag(input.Tokens, input.Lengths, Table.Value, _output, Mode);
        return _output;
    }

    /// <summary>Scatter-adds the gradient into the rows of the batch's tokens.</summary>
    public void Backward(Tensor gradOutput)
    {
        var input = Buffers.Cached(_input, Table.Name);
        _backend.EmbeddingBagBackward(input.Tokens, input.Lengths, gradOutput, Table.Gradient, Mode);
        Table.MarkTouched(input.DistinctTokens);
    }

    /// <summary>Frees the table and buffers.</summary>
    public void Dispose()
    {
        Table.Dispose();
        _output?.Dispose();
    }
}
