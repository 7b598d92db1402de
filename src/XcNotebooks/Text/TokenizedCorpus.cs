using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>How texts become fixed-length token sequences.</summary>
public sealed record SequenceOptions
{
    /// <summary>Sequence length after truncation and padding, special tokens included (128 for full texts).</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Puts the tokenizer's sequence-start and sequence-end tokens ([CLS] ... [SEP]) around the content.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>The setting for title-only data sets (LF-*Titles*): 32 tokens.</summary>
    public static SequenceOptions Titles { get; } = new() { MaxLength = 32 };

    /// <summary>The setting for full texts: 128 tokens.</summary>
    public static SequenceOptions FullText { get; } = new();

    /// <summary>
    /// The DEXA/DEXML convention: <see cref="Titles"/> when the data set's name contains "title" (LF-AmazonTitles-131K,
    /// LF-WikiTitles-500K), <see cref="FullText"/> otherwise.
    /// </summary>
    public static SequenceOptions ForDataset(string name) =>
        (name ?? throw new ArgumentNullException(nameof(name))).Contains("title", StringComparison.OrdinalIgnoreCase) ? Titles : FullText;
}

/// <summary>
/// Token ids of a corpus, truncated and padded to one length: a row-major <see cref="Count"/> x <see cref="MaxLength"/>
/// id array plus the true length of each row (the attention mask is 1 on the first Lengths[i] positions).
/// </summary>
public sealed class TokenizedCorpus
{
    /// <summary>Wraps arrays (checked): ids row-major, padded with <paramref name="padId"/>.</summary>
    public TokenizedCorpus(int count, int maxLength, int padId, int[] ids, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(lengths);
        if (count < 0 || maxLength < 1) throw new ArgumentException($"bad shape {count} x {maxLength}");
        if (ids.LongLength != (long)count * maxLength) throw new ArgumentException($"{ids.Length} ids, a {count} x {maxLength} corpus needs {(long)count * maxLength}");
        if (lengths.Length != count) throw new ArgumentException($"{lengths.Length} lengths for {count} sequences");
        for (int i = 0; i < count; i++)
            if ((uint)lengths[i] > (uint)maxLength) throw new ArgumentException($"sequence {i}: length {lengths[i]} outside 0..{maxLength}");
        Count = count;
        MaxLength = maxLength;
        PadId = padId;
        Ids = ids;
        Lengths = lengths;
    }

    /// <summary>Number of sequences.</summary>
    public int Count { get; }

    /// <summary>Columns of every row.</summary>
    public int MaxLength { get; }

    /// <summary>The id filling positions past a row's length.</summary>
    public int PadId { get; }

    /// <summary>Ids row after row (Count x MaxLength).</summary>
    public int[] Ids { get; }

    /// <summary>Tokens actually present in each row (special tokens included).</summary>
    public int[] Lengths { get; }

    /// <summary>Row <paramref name="row"/>, padding included.</summary>
    public ReadOnlySpan<int> Row(int row) => Ids.AsSpan(row * MaxLength, MaxLength);

    /// <summary>The ids of row <paramref name="row"/> without padding (F#-friendly copy).</summary>
    public int[] TokenIds(int row) => Ids.AsSpan(row * MaxLength, Lengths[row]).ToArray();

    /// <summary>Share of rows that fill every column (most of them were truncated).</summary>
    public double FullRowShare => Count == 0 ? 0 : Lengths.Count(l => l == MaxLength) / (double)Count;

    /// <summary>
    /// The rows listed, in order, with columns cut to the longest of them (DEXA/DEXML batching): ids, lengths and a
    /// float attention mask.
    /// </summary>
    public TokenBatch Batch(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = 0;
        foreach (int r in rows)
        {
            if ((uint)r >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(rows), $"row {r} outside 0..{Count - 1}");
            columns = Math.Max(columns, Lengths[r]);
        }
        columns = Math.Max(columns, 1);
        var ids = new int[rows.Count * columns];
        var lengths = new int[rows.Count];
        var mask = new float[rows.Count * columns];
        for (int b = 0; b < rows.Count; b++)
        {
            int r = rows[b];
            Ids.AsSpan(r * MaxLength, columns).CopyTo(ids.AsSpan(b * columns, columns));
            lengths[b] = Lengths[r];
            mask.AsSpan(b * columns, Lengths[r]).Fill(1f);
        }
        return new TokenBatch(rows.Count, columns, ids, lengths, mask);
    }

    /// <summary>
    /// Tokenizes <paramref name="texts"/> (parallel, deterministic): [start] content [end], the content cut so the
    /// whole fits <see cref="SequenceOptions.MaxLength"/>, then padding.
    /// </summary>
    public static TokenizedCorpus Build(IReadOnlyList<string> texts, ITextTokenizer tokenizer, SequenceOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new SequenceOptions();
        monitor ??= TrainingMonitor.Silent;
        int? start = options.AddSpecialTokens ? tokenizer.ClsId : null;
        int? end = options.AddSpecialTokens ? tokenizer.SepId : null;
        int specials = (start is null ? 0 : 1) + (end is null ? 0 : 1);
        int maxLength = options.MaxLength;
        if (maxLength <= specials)
            throw new ArgumentException($"MaxLength {maxLength} leaves no room for content next to {specials} special tokens");
        int count = texts.Count;
        var ids = new int[checked(count * maxLength)];
        var lengths = new int[count];
        const int chunk = 256;
        int chunks = (count + chunk - 1) / chunk;
        long done = 0;
        Parallel.For(0, chunks, c =>
        {
            int last = Math.Min(count, (c + 1) * chunk);
            for (int i = c * chunk; i < last; i++)
            {
                var text = texts[i] ?? throw new ArgumentException($"text {i} is null");
                var row = ids.AsSpan(i * maxLength, maxLength);
                int w = 0;
                if (start is { } s) row[w++] = s;
                foreach (int id in tokenizer.Encode(text, maxLength - specials)) row[w++] = id;
                if (end is { } e) row[w++] = e;
                lengths[i] = w;
                row[w..].Fill(tokenizer.PadId);
            }
            monitor.Report("tokenize", Interlocked.Add(ref done, last - c * chunk), count);
        });
        return new TokenizedCorpus(count, maxLength, tokenizer.PadId, ids, lengths);
    }

    /// <summary>Shape and mean length.</summary>
    public override string ToString() =>
        $"TokenizedCorpus {Count:N0} x {MaxLength} (mean length {(Count == 0 ? 0 : Lengths.Average()):F1}, {FullRowShare:P0} full)";
}

/// <summary>A batch of sequences cut to its longest row: ids and mask row-major (Rows x Columns).</summary>
/// <param name="Rows">Sequences in the batch.</param>
/// <param name="Columns">Length of the longest of them.</param>
/// <param name="Ids">Token ids, Rows x Columns, padded.</param>
/// <param name="Lengths">Tokens present in each row.</param>
/// <param name="AttentionMask">1 where a token is present, 0 on padding (Rows x Columns).</param>
public sealed record TokenBatch(int Rows, int Columns, int[] Ids, int[] Lengths, float[] AttentionMask)
{
    /// <summary>Ids of row <paramref name="row"/>, padding included.</summary>
    public ReadOnlySpan<int> Row(int row) => Ids.AsSpan(row * Columns, Columns);
}

/// <summary>The token sequences of every split of a text data set and of its label texts.</summary>
/// <param name="Train">Training texts.</param>
/// <param name="Heldout">Validation texts, when the data has a held-out split.</param>
/// <param name="Test">Test texts.</param>
/// <param name="Labels">Label texts (names, descriptions), when the data has them.</param>
public sealed record TokenizedSplits(TokenizedCorpus Train, TokenizedCorpus? Heldout, TokenizedCorpus Test, TokenizedCorpus? Labels);

/// <summary>Tokenizes the texts of data sets.</summary>
public static class TextTokenization
{
    /// <summary>
    /// Token sequences of every split and of the label texts with one tokenizer and options; with a
    /// <paramref name="cache"/>, each is read from (or written to) it under the split's name ("NAME.labels" for labels).
    /// </summary>
    public static TokenizedSplits Tokenize(this DataSplits splits, ITextTokenizer tokenizer, SequenceOptions? options = null,
        TokenCache? cache = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(splits);
        TokenizedCorpus Run(string name, IReadOnlyList<string> texts) =>
            cache is null ? TokenizedCorpus.Build(texts, tokenizer, options, monitor) : cache.GetOrBuild(name, texts, tokenizer, options, monitor);
        TokenizedCorpus Split(Dataset data) =>
            Run(data.Name, data.Texts ?? throw new ArgumentException($"{data.Name} has no texts to tokenize"));
        var labelTexts = splits.Train.LabelTexts;
        return new TokenizedSplits(Split(splits.Train), splits.Heldout is null ? null : Split(splits.Heldout), Split(splits.Test),
            labelTexts is null ? null : Run(splits.Train.Name + ".labels", labelTexts));
    }
}
