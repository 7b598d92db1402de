using System.Text;

namespace XcNotebooks.Tests.Text.Encoders;

/// <summary>
/// Writes a small ONNX model by hand (protobuf wire format of onnx.proto): last_hidden_state = E[input_ids] ⊙
/// attention_mask, i.e. a token-embedding "encoder" whose pooled output is easy to compute independently.
/// </summary>
internal static class TinyOnnxModel
{
    private const int Float = 1, Int64 = 7;

    /// <summary>The model file with embedding table <paramref name="table"/> (vocabulary x d, row-major).</summary>
    public static string Write(string path, float[] table, int vocabulary, int d, bool symbolicWidth = false, bool withMask = true)
    {
        var embedding = Tensor("embedding", Float, [vocabulary, d], Bytes(table));
        var axes = Tensor("axes", Int64, [1], BitConverter.GetBytes(2L));
        var nodes = new List<byte[]>
        {
            Node("Gather", ["embedding", "input_ids"], [withMask ? "gathered" : "last_hidden_state"]),
        };
        var inputs = new List<byte[]> { ValueInfo("input_ids", Int64, [null, null]) };
        if (withMask)
        {
            nodes.Add(Node("Cast", ["attention_mask"], ["mask_float"], Attribute("to", Float)));
            nodes.Add(Node("Unsqueeze", ["mask_float", "axes"], ["mask3"]));
            nodes.Add(Node("Mul", ["gathered", "mask3"], ["last_hidden_state"]));
            inputs.Add(ValueInfo("attention_mask", Int64, [null, null]));
        }
        var graph = new Proto();
        foreach (var n in nodes) graph.Bytes(1, n);
        graph.String(2, "tiny");
        graph.Bytes(5, embedding);
        if (withMask) graph.Bytes(5, axes);
        foreach (var i in inputs) graph.Bytes(11, i);
        graph.Bytes(12, ValueInfo("last_hidden_state", Float, [null, null, symbolicWidth ? null : d]));
        var model = new Proto();
        model.Varint(1, 8);                                            // ir_version
        model.String(2, "xcnotebooks-tests");                          // producer_name
        model.Bytes(7, graph.ToArray());
        model.Bytes(8, new Proto().String(1, "").Varint(2, 13).ToArray()); // opset 13
        File.WriteAllBytes(path, model.ToArray());
        return path;
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] Tensor(string name, int type, long[] dims, byte[] raw)
    {
        var t = new Proto();
        foreach (var d in dims) t.Varint(1, d);
        t.Varint(2, type);
        t.String(8, name);
        t.Bytes(9, raw);
        return t.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, byte[]? attribute = null)
    {
        var n = new Proto();
        foreach (var i in inputs) n.String(1, i);
        foreach (var o in outputs) n.String(2, o);
        n.String(3, op.ToLowerInvariant());
        n.String(4, op);
        if (attribute is not null) n.Bytes(5, attribute);
        return n.ToArray();
    }

    private static byte[] Attribute(string name, long value) => new Proto().String(1, name).Varint(3, value).Varint(20, 2).ToArray(); // type INT

    private static byte[] ValueInfo(string name, int type, int?[] dims)
    {
        var shape = new Proto();
        for (int k = 0; k < dims.Length; k++)
            shape.Bytes(1, dims[k] is { } v ? new Proto().Varint(1, v).ToArray() : new Proto().String(2, $"dim{k}").ToArray());
        var tensor = new Proto().Varint(1, type).Bytes(2, shape.ToArray());
        return new Proto().String(1, name).Bytes(2, new Proto().Bytes(1, tensor.ToArray()).ToArray()).ToArray();
    }

    /// <summary>A protobuf message under construction: varint and length-delimited fields.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Varint(int field, long value)
        {
            Raw((ulong)(field << 3));
            Raw((ulong)value);
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            Raw((ulong)(field << 3 | 2));
            Raw((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _bytes.ToArray();

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _bytes.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _bytes.WriteByte((byte)v);
        }
    }
}
