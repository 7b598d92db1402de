using ILGPU;
using ILGPU.Algorithms;

namespace XcNotebooks.Compute.Kernels;

/// <summary>Shape of a multi-head attention launch.</summary>
internal struct AttentionArgs
{
    /// <summary>Sequence length T (the batch's columns), heads, head size, model width d = heads · head size.</summary>
    public int Length, Heads, HeadSize, Width;

    /// <summary>1/√head size.</summary>
    public float Scale;

    public readonly int Count => Heads * Length;
}

/// <summary>
/// Masked multi-head self-attention, one thread per (sequence, head, position): the query's row of probabilities,
/// or in the backward pass the query's gradients (pass 1) and the key's and value's (pass 2), so no thread writes
/// where another does. Layout: qkv is (B·T) x 3d with [Q | K | V], head h at columns h·dh..; probabilities (and the
/// score gradients) are (B·h·T) x T; keys at positions ≥ the sequence's length are masked; padded queries give 0.
/// </summary>
internal static class AttentionKernels
{
    public static void Forward(Index1D index, ArrayView<float> qkv, ArrayView<int> lengths, ArrayView<float> output,
        ArrayView<float> probabilities, AttentionArgs a)
    {
        int b = index / a.Count, head = index % a.Count / a.Length, i = index % a.Length;
        int len = lengths[b], stride = 3 * a.Width, prow = index * a.Length;
        int outRow = (b * a.Length + i) * a.Width + head * a.HeadSize;
        if (i >= len)
        {
            for (int c = 0; c < a.HeadSize; c++) output[outRow + c] = 0f;
            for (int j = 0; j < a.Length; j++) probabilities[prow + j] = 0f;
            return;
        }
        int q = (b * a.Length + i) * stride + head * a.HeadSize;
        float max = float.NegativeInfinity;
        for (int j = 0; j < len; j++)
        {
            int k = (b * a.Length + j) * stride + a.Width + head * a.HeadSize;
            float s = 0f;
            for (int c = 0; c < a.HeadSize; c++) s += qkv[q + c] * qkv[k + c];
            s *= a.Scale;
            probabilities[prow + j] = s;
            max = XMath.Max(max, s);
        }
        float sum = 0f;
        for (int j = 0; j < len; j++)
        {
            float e = XMath.Exp(probabilities[prow + j] - max);
            probabilities[prow + j] = e;
            sum += e;
        }
        for (int j = 0; j < a.Length; j++) probabilities[prow + j] = j < len ? probabilities[prow + j] / sum : 0f;
        for (int c = 0; c < a.HeadSize; c++)
        {
            float v = 0f;
            for (int j = 0; j < len; j++) v += probabilities[prow + j] * qkv[(b * a.Length + j) * stride + 2 * a.Width + head * a.HeadSize + c];
            output[outRow + c] = v;
        }
    }

    /// <summary>Pass 1: dp = dA·v, ds = p ⊙ (dp − ⟨p, dp⟩) stored per query, and dQ = scale Σ_j ds_j k_j.</summary>
    public static void BackwardQueries(Index1D index, ArrayView<float> qkv, ArrayView<int> lengths, ArrayView<float> probabilities,
        ArrayView<float> gradOutput, ArrayView<float> gradScores, ArrayView<float> gradQkv, AttentionArgs a)
    {
        int b = index / a.Count, head = index % a.Count / a.Length, i = index % a.Length;
        int len = lengths[b], stride = 3 * a.Width, prow = index * a.Length;
        int q = (b * a.Length + i) * stride + head * a.HeadSize;
        int gRow = (b * a.Length + i) * a.Width + head * a.HeadSize;
        if (i >= len)
        {
            for (int j = 0; j < a.Length; j++) gradScores[prow + j] = 0f;
            for (int c = 0; c < a.HeadSize; c++) gradQkv[q + c] = 0f;
            return;
        }
        float dot = 0f;
        for (int j = 0; j < len; j++)
        {
            int v = (b * a.Length + j) * stride + 2 * a.Width + head * a.HeadSize;
            float dp = 0f;
            for (int c = 0; c < a.HeadSize; c++) dp += gradOutput[gRow + c] * qkv[v + c];
            gradScores[prow + j] = dp;
            dot += probabilities[prow + j] * dp;
        }
        for (int j = 0; j < a.Length; j++)
            gradScores[prow + j] = j < len ? probabilities[prow + j] * (gradScores[prow + j] - dot) : 0f;
        for (int c = 0; c < a.HeadSize; c++)
        {
            float g = 0f;
            for (int j = 0; j < len; j++) g += gradScores[prow + j] * qkv[(b * a.Length + j) * stride + a.Width + head * a.HeadSize + c];
            gradQkv[q + c] = g * a.Scale;
        }
    }

    /// <summary>Pass 2, one thread per key position: dK_j = scale Σ_i ds_ij q_i and dV_j = Σ_i p_ij dA_i.</summary>
    public static void BackwardKeysValues(Index1D index, ArrayView<float> qkv, ArrayView<int> lengths, ArrayView<float> probabilities,
        ArrayView<float> gradOutput, ArrayView<float> gradScores, ArrayView<float> gradQkv, AttentionArgs a)
    {
        int b = index / a.Count, head = index % a.Count / a.Length, j = index % a.Length;
        int len = lengths[b], stride = 3 * a.Width;
        int k = (b * a.Length + j) * stride + a.Width + head * a.HeadSize;
        int v = k + a.Width;
        int first = (b * a.Heads + head) * a.Length; // probability row of query 0 of this (sequence, head)
        for (int c = 0; c < a.HeadSize; c++)
        {
            float gk = 0f, gv = 0f;
            if (j < len)
                for (int i = 0; i < len; i++)
                {
                    int prow = (first + i) * a.Length;
                    gk += gradScores[prow + j] * qkv[(b * a.Length + i) * stride + head * a.HeadSize + c];
                    gv += probabilities[prow + j] * gradOutput[(b * a.Length + i) * a.Width + head * a.HeadSize + c];
                }
            gradQkv[k + c] = gk * a.Scale;
            gradQkv[v + c] = gv;
        }
    }
}
