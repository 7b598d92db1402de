using System.Text;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Reads and writes named codeword-to-class assignments as JSON: an object whose keys are data set names and whose
/// values are integer lists, e.g. {"aloi_bin": [371, 2, 15, ...], "LSHTC1": [...]} as in
/// ../shared/data/wltls-assignments/precomputed_assignments.json (from the W-LTLS authors' precomputedAssignments.py),
/// or a single bare list.
/// <para>Direction: entry i of a list is the class carried by codeword i (codewords in path-enumeration order), that
/// is <see cref="PathAssignment.ClassOfCodeword"/>. The authors' FixedCodeManager documents "the i-th label in
/// labelPermutation will belong to the i-th codeword" and fills codeIdxToLabel[i] = list[i]; their
/// example_compute_assignments.py builds the list by appending classes in DFS pre-order, and takes the codeword
/// matrix in class order through argsort(list), the inverse permutation.</para>
/// </summary>
public static class PrecomputedAssignments
{
    /// <summary>
    /// Every assignment in the file, by key (a bare list is returned under the key ""); each list must be a
    /// permutation of 0..K-1.
    /// </summary>
    public static IReadOnlyDictionary<string, PathAssignment> Load(string path)
    {
        var bytes = ReadAll(path);
        var result = new Dictionary<string, PathAssignment>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var lines = new LineCounter(bytes);
        try
        {
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                throw new DataFormatException(path, 1, "expected a JSON object {\"name\": [class of codeword 0, class of codeword 1, ...], ...} or one list");
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                result[""] = ReadList(path, "", 1, ref reader, lines);
                return result;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                long keyLine = lines.LineAt(reader.TokenStartIndex);
                if (result.ContainsKey(key)) throw new DataFormatException(path, keyLine, $"key '{key}' appears twice");
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new DataFormatException(path, lines.LineAt(reader.TokenStartIndex), $"'{key}': expected a list of class ids");
                result[key] = ReadList(path, key, keyLine, ref reader, lines);
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"not valid JSON: {e.Message}", e);
        }
        return result;
    }

    /// <summary>The assignment stored under <paramref name="key"/> (e.g. "aloi_bin" or "LSHTC1").</summary>
    public static PathAssignment Load(string path, string key)
    {
        var all = Load(path);
        return all.TryGetValue(key, out var assignment)
            ? assignment
            : throw new DataFormatException(path, 0, $"no assignment named '{key}'; the file has {string.Join(", ", all.Keys.Select(k => $"'{k}'"))}");
    }

    /// <summary>The one assignment of a file that holds a bare list or an object with a single key.</summary>
    public static PathAssignment LoadOnly(string path)
    {
        var all = Load(path);
        if (all.Count == 1) return all.Values.First();
        throw new DataFormatException(path, 0,
            $"the file holds {all.Count} assignments ({string.Join(", ", all.Keys.Select(k => $"'{k}'"))}); name one of them");
    }

    /// <summary>Writes assignments in the same format (class of each codeword), atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, PathAssignment> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        InputFile.WriteAtomic(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream);
            w.WriteStartObject();
            foreach (var (key, assignment) in assignments)
            {
                if (!assignment.IsComplete) throw new ArgumentException($"assignment '{key}' is incomplete: some classes have no codeword");
                w.WriteStartArray(key);
                foreach (var c in assignment.ClassOfCodeword) w.WriteNumberValue(c);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    private static PathAssignment ReadList(string path, string key, long keyLine, ref Utf8JsonReader reader, LineCounter lines)
    {
        var values = new List<int>();
        string name = key.Length == 0 ? "list" : $"'{key}'";
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int v))
                throw new DataFormatException(path, lines.LineAt(reader.TokenStartIndex),
                    $"{name} entry {values.Count}: '{Encoding.UTF8.GetString(reader.ValueSpan)}' is not an integer class id");
            values.Add(v);
        }
        if (values.Count == 0) throw new DataFormatException(path, keyLine, $"{name} is empty");
        try
        {
            return PathAssignment.FromClassOrder(values);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(path, keyLine, $"{name}: {e.Message}", e);
        }
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
