using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>
/// Writing tokenizers inside a model file (the TF-IDF vectorizer, text-encoder methods) and reading them back:
/// corpus vocabularies and hashing options are stored whole; a WordPiece tokenizer is stored as its vocabulary
/// file's path and options, and reloading checks the file still gives the same fingerprint.
/// </summary>
public static class TextTokenizers
{
    private const string WordPieceKind = "wordpiece";

    /// <summary>True when <see cref="Write"/> can store <paramref name="tokenizer"/>.</summary>
    public static bool CanWrite(object tokenizer) => tokenizer is CorpusVocabularyTokenizer or HashedNgramFeaturizer or WordPieceTextTokenizer;

    /// <summary>Writes the tokenizer's kind and payload.</summary>
    public static void Write(BinaryWriter writer, object tokenizer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (tokenizer)
        {
            case CorpusVocabularyTokenizer vocabulary:
                writer.Write(CorpusVocabularyTokenizer.FileKind);
                vocabulary.WritePayload(writer);
                break;
            case HashedNgramFeaturizer hashed:
                writer.Write(HashedNgramFeaturizer.FileKind);
                hashed.WritePayload(writer);
                break;
            case WordPieceTextTokenizer wordPiece:
                writer.Write(WordPieceKind);
                writer.Write(Path.GetFullPath(wordPiece.VocabularyPath));
                writer.Write(JsonSerializer.Serialize(wordPiece.Options));
                writer.Write(wordPiece.Fingerprint);
                break;
            default:
                throw new InvalidOperationException($"cannot save a {tokenizer?.GetType().Name ?? "null"} tokenizer (corpus vocabularies, hashed n-grams and WordPiece can be saved)");
        }
    }

    /// <summary>Reads a tokenizer written by <see cref="Write"/>; <paramref name="source"/> (the file) is named in errors.</summary>
    public static object Read(BinaryReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = reader.ReadString();
        switch (kind)
        {
            case CorpusVocabularyTokenizer.FileKind: return CorpusVocabularyTokenizer.ReadPayload(reader, source);
            case HashedNgramFeaturizer.FileKind: return HashedNgramFeaturizer.ReadPayload(reader, source);
            case WordPieceKind:
                var path = reader.ReadString();
                var options = JsonSerializer.Deserialize<WordPieceVocabularyOptions>(reader.ReadString())
                    ?? throw new DataFormatException(source, 0, "WordPiece options are missing");
                var fingerprint = reader.ReadString();
                if (!File.Exists(path)) throw new DataFormatException(source, 0, $"the model's WordPiece vocabulary {path} is missing");
                var tokenizer = WordPieceTextTokenizer.Load(path, options);
                if (tokenizer.Fingerprint != fingerprint)
                    throw new DataFormatException(source, 0, $"the WordPiece vocabulary {path} changed since the model was saved");
                return tokenizer;
            default:
                throw new DataFormatException(source, 0, $"unknown tokenizer '{kind}'");
        }
    }
}
