using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>
/// Turns text into token ids for sequence encoders: the corpus vocabulary, WordPiece and BPE vocabularies supplied by
/// a user, hashed n-grams. <see cref="Encode"/> gives the content tokens only; <see cref="TokenizedCorpus"/> adds
/// the sequence-start and sequence-end tokens, truncates and pads. Implementations are immutable and thread-safe.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>A short name for file names and reports ("corpus-vocabulary", "wordpiece", "bpe", "hashed-ngrams").</summary>
    string Name { get; }

    /// <summary>A hash of everything that decides the ids (vocabulary, merges, options): equal fingerprints encode alike.</summary>
    string Fingerprint { get; }

    /// <summary>Number of distinct ids (every id is in 0..VocabularySize-1).</summary>
    int VocabularySize { get; }

    /// <summary>Id used for padding.</summary>
    int PadId { get; }

    /// <summary>Id given to text the vocabulary does not cover, or null when every input has ids (hashing, byte-level BPE).</summary>
    int? UnknownId { get; }

    /// <summary>Id put first in a sequence ([CLS], &lt;s&gt;), or null when there is none.</summary>
    int? ClsId { get; }

    /// <summary>Id put last in a sequence ([SEP], &lt;/s&gt;), or null when there is none.</summary>
    int? SepId { get; }

    /// <summary>The content token ids of <paramref name="text"/>, at most <paramref name="maxTokens"/> of them (the first ones).</summary>
    IReadOnlyList<int> Encode(string text, int maxTokens = int.MaxValue);

    /// <summary>Text for display from ids (padding left out).</summary>
    string Decode(IEnumerable<int> ids);

    /// <summary>The token string of an id, for display.</summary>
    string TokenOf(int id);
}

/// <summary>Turns texts into sparse count rows over a fixed feature space (the input of <see cref="TfidfVectorizer"/>).</summary>
public interface ITextFeaturizer
{
    /// <summary>Number of feature columns.</summary>
    int NumFeatures { get; }

    /// <summary>Occurrence counts of each feature in each text (rows in text order, columns increasing).</summary>
    CsrMatrix CountMatrix(IReadOnlyList<string> texts);

    /// <summary>What a feature column stands for, for display.</summary>
    string FeatureName(int column);
}
