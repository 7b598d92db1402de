using System.Text;
using System.Text.Json;
using XcNotebooks.Data;

namespace XcNotebooks.Codes;

/// <summary>
/// Reads and writes named codeword-to-class assignments as JSON: an object whose keys are data set names and whose
/// values are integer lists, e.g. {"aloi_bin": [371, 2, 15, ...], "LSHTC1": [...]} as in
/// ../shared/data/wltls-assignments/precomputed_assignments.json (from the W-LTLS authors' precomputedAssignments.py).
/// <para>Direction: entry i of a list is the class carried by codeword i (codewords in path-enumeration order), that
/// is <see cref="CodewordAssignment.ClassOfCodeword"/>. The authors' FixedCodeManager documents "the i-th label in
/// labelPermutation will belong to the i-th codeword" and fills codeIdxToLabel[i] = list[i]; their
/// example_compute_assignments.py builds the list by appending classes in DFS pre-order, and takes the codeword
/// matrix in class order through argsort(list), the inverse permutation.</para>
/// </summary>
public static class PrecomputedAssignments
{
    /// <summary>Every assignment in the file, by key; each list must be a permutation of 0..K-1.</summary>
    public static IReadOnlyDictionary<string, CodewordAssignment> Load(string path)
    {
        var bytes = ReadAll(path);
        var result = new Dictionary<string, CodewordAssignment>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var lines = new LineCounter(bytes);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new DataFormatException(path, 1, "expected a JSON object {\"name\": [class of codeword 0, class of codeword 1, ...], ...}");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                long keyLine = lines.LineAt(reader.TokenStartIndex);
                if (result.ContainsKey(key)) throw new DataFormatException(path, keyLine, $"key '{key}' appears twice");
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new DataFormatException(path, lines.LineAt(reader.TokenStartIndex), $"'{key}': expected a list of class ids");
                var values = new List<int>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v))
                        throw new DataFormatException(path, lines.LineAt(reader.TokenStartIndex),
                            $"'{key}' entry {values.Count}: '{Encoding.UTF8.GetString(reader.ValueSpan)}' is not an integer class id");
                    values.Add(v);
                }
                if (CodewordAssignment.PermutationProblem(values) is { } problem)
                    throw new DataFormatException(path, keyLine, $"'{key}': {problem}");
                result[key] = CodewordAssignment.FromClassOfCodeword(values);
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}", e);
        }
        return result;
    }

    /// <summary>The assignment stored under <paramref name="key"/> (e.g. "aloi_bin" or "LSHTC1").</summary>
    public static CodewordAssignment Load(string path, string key)
    {
        var all = Load(path);
        return all.TryGetValue(key, out var assignment)
            ? assignment
            : throw new DataFormatException(path, 0, $"no assignment named '{key}'; the file has {string.Join(", ", all.Keys.Select(k => $"'{k}'"))}");
    }

    /// <summary>Writes assignments in the same format (class of each codeword), atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, CodewordAssignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        InputFile.WriteAtomic(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream);
            w.WriteStartObject();
            foreach (var (key, assignment) in assignments)
            {
                w.WriteStartArray(key);
                foreach (var c in assignment.ClassOfCodeword) w.WriteNumberValue(c);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = InputFile.OpenRead(path);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>1-based line of a byte offset, counting forward from the last query (offsets only grow).</summary>
    private sealed class LineCounter(byte[] bytes)
    {
        private long _offset;
        private long _line = 1;

        public long LineAt(long offset)
        {
            for (; _offset < offset && _offset < bytes.Length; _offset++)
                if (bytes[_offset] == (byte)'\n') _line++;
            return _line;
        }
    }
}
