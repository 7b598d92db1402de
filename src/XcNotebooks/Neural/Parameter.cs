using XcNotebooks.Compute;

namespace XcNotebooks.Neural;

/// <summary>
/// A trainable tensor with its gradient (same shape, accumulated by Backward calls until
/// <see cref="ZeroGradient"/>). A row-sparse parameter (sparse-input weights, embedding tables) only tracks the
/// rows its layers marked as touched: zeroing and optimiser steps visit those rows alone (lazy updates).
/// </summary>
public sealed class Parameter : IDisposable
{
    private readonly bool[]? _touchedMask;
    private readonly List<int> _touched = [];

    /// <summary>A zero parameter of the given shape on <paramref name="backend"/>.</summary>
    public Parameter(IComputeBackend backend, string name, int rows, int cols, bool rowSparse = false)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Backend = backend;
        Name = name;
        Value = backend.Allocate(rows, cols);
        Gradient = backend.Allocate(rows, cols);
        if (rowSparse) _touchedMask = new bool[rows];
    }

    /// <summary>The backend holding the values.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>Name used when saving ("encoder.0.weight").</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient.</summary>
    public Tensor Gradient { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Value.Rows;

    /// <summary>Number of columns.</summary>
    public int Cols => Value.Cols;

    /// <summary>True when only touched rows carry gradient (see <see cref="MarkTouched"/>).</summary>
    public bool RowSparse => _touchedMask is not null;

    /// <summary>Rows marked since the last <see cref="ZeroGradient"/>, in first-marked order (row-sparse parameters).</summary>
    public IReadOnlyList<int> TouchedRows => _touched;

    /// <summary>Records that a backward pass wrote gradient into <paramref name="rows"/> (row-sparse parameters).</summary>
    public void MarkTouched(IReadOnlyList<int> rows)
    {
        if (_touchedMask is null) return;
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)_touchedMask.Length) throw new ArgumentException($"{Name}: row {r} outside 0..{_touchedMask.Length - 1}");
            if (_touchedMask[r]) continue;
            _touchedMask[r] = true;
            _touched.Add(r);
        }
    }

    /// <summary>Sets the gradient to zero (only the touched rows of a row-sparse parameter).</summary>
    public void ZeroGradient()
    {
        if (_touchedMask is null)
        {
            Backend.Fill(Gradient, 0f);
            return;
        }
        if (_touched.Count == 0) return;
        using (var rows = TouchedRowTensor()) Backend.FillRows(Gradient, rows, 0f);
        foreach (var r in _touched) _touchedMask[r] = false;
        _touched.Clear();
    }

    /// <summary>Overwrites the values from a host array (rows * cols, row-major).</summary>
    public void SetValues(float[] values) => Value.CopyFrom(values);

    /// <summary>A host copy of the values.</summary>
    public float[] GetValues() => Value.ToArray();

    /// <summary>The touched rows as a 1 x r tensor for row-restricted kernels (caller disposes).</summary>
    internal IntTensor TouchedRowTensor() => Backend.UploadInt([.. _touched], 1, _touched.Count);

    /// <summary>Frees the value and gradient tensors.</summary>
    public void Dispose()
    {
        Value.Dispose();
        Gradient.Dispose();
    }

    /// <summary>Name and shape.</summary>
    public override string ToString() => $"{Name} {Rows} x {Cols}{(RowSparse ? " (row-sparse)" : "")}";
}
