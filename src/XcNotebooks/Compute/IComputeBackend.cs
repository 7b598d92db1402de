using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// The compute layer every neural method is written against, once, and that runs on the CPU
/// (<see cref="CpuBackend"/>) or on an ILGPU accelerator (<see cref="IlgpuBackend"/>). Create one with
/// <see cref="ComputeBackends.Create"/>.
/// <para>
/// Shape of the API: the backend allocates and owns <see cref="Tensor"/>s (2-D float32, row-major); every operation
/// writes into an output tensor the caller allocated beforehand, so a training step allocates nothing and, on a GPU,
/// data never leaves the device between operations. Host copies are explicit (<c>Upload</c>, <c>ToArray</c>); the
/// operations that return a <see cref="double"/> (losses, sums of squares) read one small value back and therefore
/// wait for pending work.
/// </para>
/// <para>
/// Determinism: the CPU backend sums in a fixed order (no float atomics), so the same seed gives the same bits run
/// to run. The ILGPU backend equals it up to float rounding (its reductions are trees; only the embedding-bag
/// gradient uses atomics).
/// </para>
/// <para>
/// Unless an operation says otherwise, an output may not alias an input; element-wise operations
/// (<see cref="Activate"/>, <see cref="Multiply"/>, <see cref="Copy"/>) allow it.
/// </para>
/// <para>
/// Extending: operations this interface lacks (e.g. a batched decoder) are an operations interface with a CPU
/// implementation (on <see cref="TensorStorage{T}.AsSpan"/>) and an ILGPU one (kernels loaded once through
/// <c>backend.Device.Kernel(key, loader)</c>, on <see cref="TensorStorage{T}.View"/>s); an
/// <see cref="IBackendOperations{TOperations}"/> names both and <see cref="Select{TOperations}"/> lets the backend
/// pick its own (no tests of the backend's type).
/// </para>
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>Human-readable name ("cpu", "ilgpu Cuda: NVIDIA H100 ...").</summary>
    string Name { get; }

    /// <summary>Cpu or Ilgpu (never Auto).</summary>
    BackendKind Kind { get; }

    /// <summary>This backend's implementation of a family of operations (double dispatch on the backend's type).</summary>
    TOperations Select<TOperations>(IBackendOperations<TOperations> implementations);

    // ---- memory -------------------------------------------------------------------------------------------------

    /// <summary>A zero tensor of the given shape.</summary>
    Tensor Allocate(int rows, int cols);

    /// <summary>A zero int tensor of the given shape.</summary>
    IntTensor AllocateInt(int rows, int cols);

    /// <summary>Copies a CSR matrix (e.g. a mini-batch of feature rows) to the backend.</summary>
    SparseTensor Upload(CsrMatrix matrix);

    /// <summary>Waits until every queued operation has finished (a no-op on the CPU).</summary>
    void Synchronize();

    // ---- element-wise -------------------------------------------------------------------------------------------

    /// <summary>target ← value everywhere.</summary>
    void Fill(Tensor target, float value);

    /// <summary>target ← source (same shape).</summary>
    void Copy(Tensor source, Tensor target);

    /// <summary>target ← factor · target.</summary>
    void Scale(Tensor target, float factor);

    /// <summary>y ← alpha · x + beta · y (same shapes). With beta = 0, y's old values are never read.</summary>
    void Axpby(float alpha, Tensor x, float beta, Tensor y);

    /// <summary>output ← a ⊙ b (element-wise product; output may be a or b).</summary>
    void Multiply(Tensor a, Tensor b, Tensor output);

    // ---- dense algebra ------------------------------------------------------------------------------------------

    /// <summary>
    /// c ← alpha · op(a) op(b) + beta · c, where op transposes when asked: op(a) is m x k, op(b) is k x n, c is m x n.
    /// With beta = 0, c's old values are never read. Use beta = 1 to accumulate gradients.
    /// </summary>
    void Gemm(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, float alpha = 1f, float beta = 0f);

    /// <summary>target[i, :] += vector for every row i (vector is 1 x target.Cols): adds a bias.</summary>
    void AddRowVector(Tensor vector, Tensor target);

    /// <summary>output ← Σ_i input[i, :] + beta · output (output is 1 x input.Cols): a bias gradient.</summary>
    void ColumnSums(Tensor input, Tensor output, float beta = 0f);

    // ---- sparse -------------------------------------------------------------------------------------------------

    /// <summary>output ← X W (X is rows x d sparse, W is d x n, output is rows x n).</summary>
    void SparseMultiply(SparseTensor x, Tensor weights, Tensor output);

    /// <summary>
    /// output ← Xᵀ G + beta · output (G is rows x n, output is d x n). Only the rows of output listed in
    /// <see cref="SparseTensor.TouchedColumns"/> receive Xᵀ G; with beta = 1 the others are not even read, which makes
    /// this the efficient gradient of a sparse input layer.
    /// </summary>
    void SparseTransposeMultiply(SparseTensor x, Tensor gradient, Tensor output, float beta = 0f);

    /// <summary>
    /// output ← the touched rows of Xᵀ G in compact form: row t of output (t &lt; TouchedColumns.Count) is row
    /// TouchedColumns[t] of Xᵀ G.
    /// </summary>
    void SparseTransposeMultiplyTouched(SparseTensor x, Tensor gradient, Tensor output);

    /// <summary>output ← X as a dense rows x d tensor (e.g. multi-hot label targets).</summary>
    void ToDense(SparseTensor x, Tensor output);

    // ---- embedding bag ------------------------------------------------------------------------------------------

    /// <summary>
    /// output[i, :] ← sum (or mean) of table[tokens[i, t], :] for t &lt; lengths[i]. tokens is rows x maxLength
    /// (entries past a row's length are ignored), lengths is rows x 1, table is vocabulary x d, output rows x d.
    /// </summary>
    void EmbeddingBag(IntTensor tokens, IntTensor lengths, Tensor table, Tensor output, EmbeddingBagMode mode);

    /// <summary>
    /// gradTable[tokens[i, t], :] += gradOutput[i, :] (divided by lengths[i] for the mean), accumulating: zero
    /// gradTable first when needed. Deterministic on the CPU (fixed order), atomic adds on ILGPU.
    /// </summary>
    void EmbeddingBagBackward(IntTensor tokens, IntTensor lengths, Tensor gradOutput, Tensor gradTable, EmbeddingBagMode mode);

    // ---- activations --------------------------------------------------------------------------------------------

    /// <summary>output ← f(input) element-wise (output may be input).</summary>
    void Activate(Activation activation, Tensor input, Tensor output);

    /// <summary>
    /// gradInput ← gradOutput ⊙ f'(input). tanh and sigmoid read <paramref name="output"/> (= f(input)), the others
    /// read <paramref name="input"/>; pass both. gradInput may be gradOutput.
    /// </summary>
    void ActivationBackward(Activation activation, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput);

    // ---- row-wise -----------------------------------------------------------------------------------------------

    /// <summary>output ← softmax of each row.</summary>
    void Softmax(Tensor input, Tensor output);

    /// <summary>gradInput ← y ⊙ (g − ⟨g, y⟩) per row, with y the softmax output.</summary>
    void SoftmaxBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /// <summary>output ← log-softmax of each row.</summary>
    void LogSoftmax(Tensor input, Tensor output);

    /// <summary>gradInput ← g − exp(y) Σ g per row, with y the log-softmax output.</summary>
    void LogSoftmaxBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /// <summary>
    /// Layer normalisation of each row: output ← gain ⊙ (x − μ) / √(σ² + ε) + bias (gain and bias 1 x d; σ² the
    /// biased variance). statistics (rows x 2) receives μ and 1/√(σ² + ε) for the backward pass.
    /// </summary>
    void LayerNorm(Tensor input, Tensor gain, Tensor bias, Tensor output, Tensor statistics, float epsilon = 1e-5f);

    /// <summary>
    /// The layer-norm backward pass: gradInput is overwritten; gradGain and gradBias (1 x d) are accumulated into.
    /// </summary>
    void LayerNormBackward(Tensor input, Tensor gain, Tensor statistics, Tensor gradOutput, Tensor gradInput, Tensor gradGain, Tensor gradBias);

    /// <summary>output ← x / max(‖x‖₂, ε) per row; norms (rows x 1) receives max(‖x‖₂, ε).</summary>
    void L2Normalize(Tensor input, Tensor output, Tensor norms, float epsilon = 1e-12f);

    /// <summary>gradInput ← (g − y ⟨y, g⟩) / norm per row, with y the normalised output.</summary>
    void L2NormalizeBackward(Tensor output, Tensor norms, Tensor gradOutput, Tensor gradInput);

    /// <summary>
    /// The k largest values of each row, best first (k = values.Cols; indices is rows x k). Ties keep the lower
    /// column first; NaN is never selected; a row with fewer than k columns is padded with index -1 and −∞
    /// (the rules of <see cref="Core.TopKSelector"/>).
    /// </summary>
    void TopK(Tensor scores, Tensor values, IntTensor indices);

    // ---- losses and reductions ----------------------------------------------------------------------------------

    /// <summary>
    /// Binary cross-entropy on logits z with targets t in [0, 1] (same shape), computed stably:
    /// ℓ = max(z, 0) − z t + log(1 + e^−|z|). gradient ← (σ(z) − t) · gradientScale. Returns Σ ℓ (waits).
    /// </summary>
    double BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Tensor gradient, float gradientScale);

    /// <summary>
    /// Softmax cross-entropy with one class per row (targets rows x 1): ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ];
    /// gradient ← (softmax(z) − onehot(y)) · gradientScale. Returns Σ ℓ (waits).
    /// </summary>
    double SoftmaxCrossEntropy(Tensor logits, IntTensor targets, Tensor gradient, float gradientScale);

    /// <summary>Squared error: ℓ = Σ (p − t)²; gradient ← 2 (p − t) · gradientScale. Returns ℓ (waits).</summary>
    double SquaredError(Tensor prediction, Tensor target, Tensor gradient, float gradientScale);

    /// <summary>Σ x² over the tensor, summed in a fixed order (waits): gradient norms for clipping.</summary>
    double SumOfSquares(Tensor input);

    // ---- randomness and optimisers ------------------------------------------------------------------------------

    /// <summary>
    /// mask ← 0 with probability p, else 1/(1 − p) (inverted dropout), from a counter-based hash of
    /// (<paramref name="seed"/>, element index): the same mask on every backend for the same seed.
    /// </summary>
    void DropoutMask(Tensor mask, float dropProbability, ulong seed);

    /// <summary>
    /// One Adam/AdamW step on parameter p with gradient g and moments m, v (all the same shape). With
    /// <paramref name="rows"/> (1 x r), only those rows are updated (lazy Adam for sparse gradients).
    /// </summary>
    void AdamUpdate(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step, IntTensor? rows = null);

    /// <summary>One SGD (momentum) step; with <paramref name="rows"/>, only those rows.</summary>
    void SgdUpdate(Tensor parameter, Tensor gradient, Tensor velocity, SgdStep step, IntTensor? rows = null);

    /// <summary>target[r, :] ← value for each row r listed in <paramref name="rows"/> (1 x r).</summary>
    void FillRows(Tensor target, IntTensor rows, float value);
}
