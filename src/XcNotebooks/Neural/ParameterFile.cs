using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// Saving and restoring parameters: each as (name, rows, cols, values), checked on load against the model's own
/// parameters so that a file from another architecture fails with a clear message. Use <see cref="Write"/> /
/// <see cref="ReadInto"/> inside a method's <see cref="ModelFile"/> payload, or <see cref="Save"/> / <see cref="Load"/>
/// for a file holding parameters alone.
/// </summary>
public static class ParameterFile
{
    /// <summary>Writes the parameters' current values.</summary>
    public static void Write(BinaryWriter writer, IReadOnlyList<Parameter> parameters)
    {
        writer.Write(parameters.Count);
        foreach (var p in parameters)
        {
            writer.Write(p.Name);
            writer.Write(p.Rows);
            writer.Write(p.Cols);
            writer.WriteArray(p.GetValues());
        }
    }

    /// <summary>
    /// Reads values written by <see cref="Write"/> into <paramref name="parameters"/>, which must match in order, name
    /// and shape; <paramref name="source"/> (the file) is named in every error.
    /// </summary>
    public static void ReadInto(BinaryReader reader, IReadOnlyList<Parameter> parameters, string source)
    {
        int count = reader.ReadInt32();
        if (count != parameters.Count)
            throw new DataFormatException(source, 0, $"the file holds {count} parameters, the model has {parameters.Count}");
        foreach (var p in parameters)
        {
            string name = reader.ReadString();
            int rows = reader.ReadInt32(), cols = reader.ReadInt32();
            if (name != p.Name || rows != p.Rows || cols != p.Cols)
                throw new DataFormatException(source, 0, $"the file has parameter '{name}' {rows} x {cols} where the model expects {p}");
            var values = reader.ReadFloatArray();
            if (values.Length != rows * cols)
                throw new DataFormatException(source, 0, $"parameter '{name}' has {values.Length} values, expected {rows * cols}");
            p.SetValues(values);
        }
    }

    /// <summary>Saves the parameters as a model file of <paramref name="method"/> (atomic, versioned).</summary>
    public static void Save(string path, string method, int formatVersion, IReadOnlyList<Parameter> parameters) =>
        ModelFile.Save(path, method, formatVersion, w => Write(w, parameters));

    /// <summary>Loads a file written by <see cref="Save"/> into <paramref name="parameters"/>.</summary>
    public static void Load(string path, string method, int formatVersion, IReadOnlyList<Parameter> parameters) =>
        ModelFile.Load(path, method, formatVersion, r =>
        {
            ReadInto(r, parameters, path);
            return parameters;
        });
}
