using XcNotebooks.Compute;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// S = norm(Q) norm(K)ᵀ on the backend, with the backward pass to Q and K: the similarity layer of both DEXA
/// stages (documents against sampled label representations in M1, against the batch's classifier vectors in M-IV).
/// The loss writes ∂loss/∂S into <see cref="Gradient"/>; <see cref="Backward"/> turns it into input gradients.
/// </summary>
internal sealed class CosineScores : IDisposable
{
    private readonly IComputeBackend _b;
    private readonly Tensor _q, _k, _qNorms, _kNorms;

    public CosineScores(IComputeBackend backend, Tensor queries, Tensor keys)
    {
        _b = backend;
        _q = backend.Allocate(queries.Rows, queries.Cols);
        _k = backend.Allocate(keys.Rows, keys.Cols);
        _qNorms = backend.Allocate(queries.Rows, 1);
        _kNorms = backend.Allocate(keys.Rows, 1);
        backend.L2Normalize(queries, _q, _qNorms);
        backend.L2Normalize(keys, _k, _kNorms);
        Scores = backend.Allocate(queries.Rows, keys.Rows);
        Gradient = backend.Allocate(queries.Rows, keys.Rows);
        backend.Gemm(_q, false, _k, true, Scores);
    }

    /// <summary>Queries x keys cosine similarities.</summary>
    public Tensor Scores { get; }

    /// <summary>∂loss/∂Scores, filled by the loss.</summary>
    public Tensor Gradient { get; }

    /// <summary>Writes ∂loss/∂queries and ∂loss/∂keys (either may be null when not needed).</summary>
    public void Backward(Tensor? gradQueries, Tensor? gradKeys)
    {
        if (gradQueries is not null) Through(_q, _qNorms, gradQueries, g => _b.Gemm(Gradient, false, _k, false, g));
        if (gradKeys is not null) Through(_k, _kNorms, gradKeys, g => _b.Gemm(Gradient, true, _q, false, g));
    }

    private void Through(Tensor unit, Tensor norms, Tensor result, Action<Tensor> gradientOfUnit)
    {
        using var g = _b.Allocate(unit.Rows, unit.Cols);
        gradientOfUnit(g);
        _b.L2NormalizeBackward(unit, norms, g, result);
    }

    public void Dispose()
    {
        foreach (var t in new[] { _q, _k, _qNorms, _kNorms, Scores, Gradient }) t.Dispose();
    }
}
