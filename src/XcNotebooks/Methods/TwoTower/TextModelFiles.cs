using System.Text.Json;
using XcNotebooks.Compute;
using XcNotebooks.Text;
using XcNotebooks.Core;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>The parts every text-encoder model file starts with (DEXA, DEXML): options, sequence settings, tokenizer, encoder.</summary>
/// <typeparam name="TOptions">The method's options record.</typeparam>
/// <param name="Options">The options the model was trained with.</param>
/// <param name="Sequence">Sequence length and special tokens.</param>
/// <param name="Tokenizer">The tokenizer of texts and label texts.</param>
/// <param name="Encoder">The encoder, on the loading backend.</param>
internal sealed record TextModelHeader<TOptions>(TOptions Options, SequenceOptions Sequence, ITextTokenizer Tokenizer, ITextEncoder Encoder);

/// <summary>Writing and reading <see cref="TextModelHeader{TOptions}"/>, and loading a text model onto a new backend.</summary>
internal static class TextModelFiles
{
    /// <summary>Writes the options (JSON), the sequence settings (JSON), the tokenizer and the encoder.</summary>
    public static void WriteHeader<TOptions>(BinaryWriter w, TOptions options, SequenceOptions sequence, ITextTokenizer tokenizer, ITextEncoder encoder)
    {
        w.Write(JsonSerializer.Serialize(options));
        w.Write(JsonSerializer.Serialize(sequence));
        TextTokenizers.Write(w, tokenizer);
        TextEncoders.Write(w, encoder);
    }

    /// <summary>Reads what <see cref="WriteHeader"/> wrote; <paramref name="method"/> names the method in errors.</summary>
    public static TextModelHeader<TOptions> ReadHeader<TOptions>(BinaryReader r, IComputeBackend backend, string path, string method)
    {
        var options = JsonSerializer.Deserialize<TOptions>(r.ReadString()) ?? throw new DataFormatException(path, 0, $"{method} options are missing");
        var sequence = JsonSerializer.Deserialize<SequenceOptions>(r.ReadString()) ?? throw new DataFormatException(path, 0, "sequence options are missing");
        var tokenizer = TextTokenizers.Read(r, path) as ITextTokenizer ?? throw new DataFormatException(path, 0, "the stored tokenizer cannot tokenize sequences");
        return new TextModelHeader<TOptions>(options, sequence, tokenizer, TextEncoders.Read(r, backend, path));
    }

    /// <summary>Loads a model file onto a new backend of <paramref name="kind"/>, disposing the backend when reading fails.</summary>
    public static TModel Load<TModel>(string path, string method, int formatVersion, BackendKind kind, Func<BinaryReader, IComputeBackend, TModel> read)
    {
        var compute = ComputeBackends.Create(kind);
        try
        {
            return ModelFile.Load(path, method, formatVersion, r => read(r, compute));
        }
        catch
        {
            compute.Dispose();
            throw;
        }
    }
}
