using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>Reads and checks user-supplied vocabulary files, naming file and line in every error.</summary>
internal static class VocabularyFiles
{
    /// <summary>A BERT-style vocab.txt: one token per line, the line number (from 0) is the id.</summary>
    public static List<string> ReadWordPiece(string path)
    {
        var tokens = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = InputFile.OpenText(path);
        int line = 0;
        while (reader.ReadLine() is { } token)
        {
            line++;
            token = token.TrimEnd('\r');
            if (token.Length == 0) throw new DataFormatException(path, line, "empty token (vocab.txt has one token per line)");
            if (!seen.TryAdd(token, line)) throw new DataFormatException(path, line, $"token '{token}' already appears on line {seen[token]}");
            tokens.Add(token);
        }
        if (tokens.Count == 0) throw new DataFormatException(path, 0, "the vocabulary is empty");
        return tokens;
    }

    /// <summary>A vocab.json: one JSON object mapping each token to its id.</summary>
    public static Dictionary<string, int> ReadBpeVocabulary(string path)
    {
        byte[] bytes;
        using (var stream = InputFile.OpenRead(path))
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new Dictionary<int, string>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new DataFormatException(path, 1, "expected a JSON object mapping tokens to ids");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                long line = LineOf(bytes, reader.TokenStartIndex);
                string token = reader.GetString()!;
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id) || id < 0)
                    throw new DataFormatException(path, line, $"the id of token '{token}' is not a non-negative integer");
                if (!vocabulary.TryAdd(token, id)) throw new DataFormatException(path, line, $"token '{token}' appears twice");
                if (!ids.TryAdd(id, token)) throw new DataFormatException(path, line, $"id {id} of '{token}' is already the id of '{ids[id]}'");
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}", e);
        }
        if (vocabulary.Count == 0) throw new DataFormatException(path, 0, "the vocabulary is empty");
        return vocabulary;
    }

    /// <summary>A merges.txt: an optional "#version" line, then one merge "left right" per line, by priority.</summary>
    public static List<string> ReadMerges(string path)
    {
        var merges = new List<string>();
        using var reader = InputFile.OpenText(path);
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            text = text.TrimEnd('\r');
            if (text.Length == 0 || (line == 1 && text.StartsWith("#version", StringComparison.Ordinal))) continue;
            var parts = text.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new DataFormatException(path, line, $"expected a merge 'left right', got '{text}'");
            merges.Add(text);
        }
        return merges;
    }

    private static long LineOf(byte[] bytes, long offset)
    {
        long line = 1;
        for (long i = 0; i < offset; i++) if (bytes[i] == (byte)'\n') line++;
        return line;
    }

    /// <summary>The fingerprint of files plus options.</summary>
    public static string Fingerprint(string kind, object options, params string[] paths)
    {
        using var hash = new ContentHash();
        hash.Add(kind).Add(JsonSerializer.Serialize(options));
        foreach (var path in paths) hash.Add(File.ReadAllBytes(path));
        return hash.Hex();
    }
}
