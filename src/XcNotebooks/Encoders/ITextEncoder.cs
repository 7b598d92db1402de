using XcNotebooks.Text;
using XcNotebooks.Compute;
using XcNotebooks.Neural;
using XcNotebooks.Core;

namespace XcNotebooks.Encoders;

/// <summary>
/// A text encoder: token sequences in, d-dimensional unit-norm embeddings out, on one <see cref="IComputeBackend"/>.
/// Documents and labels of the Siamese methods (DEXA, DEXML) share one encoder.
/// <para>
/// Training: <see cref="Forward"/> returns an <see cref="EncoderPass"/> holding the embeddings and the activations
/// its backward pass needs; several passes may be alive at once (a batch of documents and a batch of labels through
/// the same encoder). <see cref="Backward"/> takes a pass and ∂loss/∂embeddings and accumulates into the
/// <see cref="Parameters"/>' gradients (zero them with the optimiser between steps). Dispose each pass when done.
/// </para>
/// <para>
/// Inference: <see cref="EncodeAll"/> embeds a whole corpus chunk by chunk without keeping activations (memory stays
/// bounded by one chunk): label indices, nearest-neighbour search, the first half of gradient caching.
/// </para>
/// </summary>
public interface ITextEncoder : IDisposable
{
    /// <summary>The architecture's name as saved ("bag-of-embeddings", "transformer", "onnx").</summary>
    string Kind { get; }

    /// <summary>The backend holding the parameters and running the passes.</summary>
    IComputeBackend Backend { get; }

    /// <summary>Embedding dimension d.</summary>
    int Dimension { get; }

    /// <summary>Token ids must lie in 0..VocabularySize-1.</summary>
    int VocabularySize { get; }

    /// <summary>False for frozen encoders (ONNX): <see cref="Backward"/> then throws and <see cref="Parameters"/> is empty.</summary>
    bool IsTrainable { get; }

    /// <summary>The trainable parameters, for an optimiser (empty when frozen).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Embeds a batch (rows of <see cref="TokenizedCorpus.Batch"/>): the pass's <see cref="EncoderPass.Embeddings"/>
    /// are rows x <see cref="Dimension"/>, unit norm. <paramref name="training"/> enables dropout.
    /// </summary>
    EncoderPass Forward(TokenBatch batch, bool training = true);

    /// <summary>
    /// Back-propagates ∂loss/∂embeddings (rows x <see cref="Dimension"/>) through <paramref name="pass"/>, accumulating
    /// the parameters' gradients.
    /// </summary>
    void Backward(EncoderPass pass, Tensor gradEmbeddings);

    /// <summary>
    /// Embeddings of every row of <paramref name="corpus"/> (Count x Dimension, unit norm), computed in chunks of
    /// <paramref name="chunkSize"/> rows in evaluation mode without keeping activations.
    /// </summary>
    RowMajorMatrix EncodeAll(TokenizedCorpus corpus, int chunkSize = 256, TrainingMonitor? monitor = null);

    /// <summary>Writes the architecture and the parameter values (read back by <see cref="TextEncoders.Read"/>).</summary>
    void Write(BinaryWriter writer);
}

/// <summary>
/// One forward pass of an <see cref="ITextEncoder"/>: its unit-norm <see cref="Embeddings"/> and, privately, the
/// activations its backward pass reads. Owned by the caller; dispose it to free the tensors.
/// </summary>
public abstract class EncoderPass : IDisposable
{
    private readonly Tensor _embeddings;

    /// <summary>A pass of <paramref name="encoder"/> whose result is <paramref name="embeddings"/> (owned by the pass).</summary>
    protected EncoderPass(ITextEncoder encoder, Tensor embeddings, bool training)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        _embeddings = embeddings ?? throw new ArgumentNullException(nameof(embeddings));
        Training = training;
    }

    /// <summary>The encoder that made the pass (its Backward accepts only its own passes).</summary>
    public ITextEncoder Encoder { get; }

    /// <summary>The embeddings, rows x d, unit norm (valid until the pass is disposed).</summary>
    public Tensor Embeddings
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return _embeddings;
        }
    }

    /// <summary>Number of sequences embedded.</summary>
    public int Rows => _embeddings.Rows;

    /// <summary>Whether dropout was on.</summary>
    public bool Training { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>Frees the embeddings and the activations.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        DisposeActivations();
        _embeddings.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the activations kept for the backward pass.</summary>
    protected abstract void DisposeActivations();

    /// <summary>The pass as <typeparamref name="T"/>, checked to belong to <paramref name="encoder"/> and to be alive.</summary>
    internal static T Of<T>(ITextEncoder encoder, EncoderPass pass, Tensor gradEmbeddings) where T : EncoderPass
    {
        ArgumentNullException.ThrowIfNull(pass);
        ArgumentNullException.ThrowIfNull(gradEmbeddings);
        ObjectDisposedException.ThrowIf(pass.IsDisposed, pass);
        if (!ReferenceEquals(pass.Encoder, encoder) || pass is not T typed)
            throw new ArgumentException($"{encoder.Kind}: the pass was made by another encoder");
        if (gradEmbeddings.Rows != pass.Rows || gradEmbeddings.Cols != encoder.Dimension)
            throw new ArgumentException($"{encoder.Kind}: the gradient is {gradEmbeddings.Rows} x {gradEmbeddings.Cols}, the pass's embeddings {pass.Rows} x {encoder.Dimension}");
        return typed;
    }
}
