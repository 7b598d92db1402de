using XcNotebooks.Compute;
using XcNotebooks.Neural;
using DeviceTokens = XcNotebooks.Neural.DeviceTokenBatch;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// A list of rows of a row-sparse parameter, on the backend: gathers them (row r of the output is row rows[r] of
/// the parameter) and scatter-adds a gradient back into exactly those rows, marking them touched so that the lazy
/// optimiser updates them alone. Built on the embedding-bag kernels with one token per row.
/// </summary>
internal sealed class ParameterRows : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly DeviceTokens _rows;

    public ParameterRows(IComputeBackend backend, IReadOnlyList<int> rows)
    {
        _backend = backend;
        Count = rows.Count;
        _rows = DeviceTokens.Create(backend, rows.Select(r => (IReadOnlyList<int>)[r]).ToArray(), 1);
    }

    /// <summary>Number of rows listed (repeats allowed).</summary>
    public int Count { get; }

    /// <summary>output ← the listed rows of <paramref name="parameter"/> (Count x cols).</summary>
    public void Gather(Parameter parameter, Tensor output)
    {
        if (_rows.MaxToken >= parameter.Rows) throw new ArgumentException($"{parameter.Name}: row {_rows.MaxToken} outside 0..{parameter.Rows - 1}");
        _backend.EmbeddingBag(_rows.Tokens, _rows.Lengths, parameter.Value, output, EmbeddingBagMode.Sum);
    }

    /// <summary>parameter.Gradient[rows[r]] += gradient[r] for every r; marks the rows touched.</summary>
    public void ScatterGradient(Parameter parameter, Tensor gradient)
    {
        _backend.EmbeddingBagBackward(_rows.Tokens, _rows.Lengths, gradient, parameter.Gradient, EmbeddingBagMode.Sum);
        parameter.MarkTouched(_rows.DistinctTokens);
    }

    public void Dispose() => _rows.Dispose();
}
