using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using XcNotebooks.Text;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Tokenization throughput (texts per second, one thread) of every tokenizer against a naive baseline measured in
/// the same run: lower-case, Regex.Split on \W+, dictionary lookup. Corpus: Reuters-21578 train (title + body) from
/// shared/data when present, else a seeded synthetic corpus. Usage: tokenizers [reuters-train.jsonl].
/// </summary>
internal static class TokenizerThroughput
{
    public static int Run(string[] args)
    {
        var texts = LoadTexts(args.Length > 0 ? args[0] : FindReuters());
        Console.WriteLine($"{texts.Count:N0} texts, {texts.Sum(t => (long)t.Length):N0} characters");
        var vocabulary = CorpusVocabularyTokenizer.Build(texts, new CorpusVocabularyOptions { MinCount = 2 });
        var dir = Directory.CreateTempSubdirectory("xcn-bench-").FullName;
        var wordPiece = WordPieceTextTokenizer.Load(WriteWordPieceVocabulary(dir, vocabulary));
        var (vocabJson, merges) = WriteBpeFiles(dir, vocabulary, merges: 800);
        var bpe = BpeTextTokenizer.Load(vocabJson, merges, new BpeVocabularyOptions { PreTokenization = BpePreTokenization.WordOrPunctuation, Normalization = new TextNormalization() });
        var hashed = new HashedNgramFeaturizer();
        var words = new WordTokenizer();

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in vocabulary.Tokens) ids.TryAdd(token, ids.Count);
        var splitter = new Regex(@"\W+", RegexOptions.Compiled);
        long Baseline(string text)
        {
            long sum = 0;
            foreach (var word in splitter.Split(text.ToLowerInvariant()))
                if (word.Length > 0) sum += ids.TryGetValue(word, out int id) ? id : 1;
            return sum;
        }

        var cases = new (string Name, Func<string, long> Tokenize)[]
        {
            ("regex split + lookup (baseline)", Baseline),
            ("WordTokenizer.Tokenize (strings)", t => words.Tokenize(t).Count),
            ("CorpusVocabularyTokenizer", t => vocabulary.Encode(t).Count),
            ("HashedNgramFeaturizer (words, bigrams, char 3-5)", t => hashed.Encode(t).Count),
            ("WordPieceTextTokenizer", t => wordPiece.Encode(t).Count),
            ("BpeTextTokenizer", t => bpe.Encode(t).Count),
        };
        double baseline = 0;
        Console.WriteLine($"{"tokenizer",-50} {"texts/s",12} {"vs baseline",12}");
        foreach (var (name, tokenize) in cases)
        {
            double rate = TextsPerSecond(texts, tokenize);
            if (baseline == 0) baseline = rate;
            Console.WriteLine($"{name,-50} {rate,12:N0} {rate / baseline,11:F2}x");
        }
        var sw = Stopwatch.StartNew();
        var corpus = TokenizedCorpus.Build(texts, wordPiece, SequenceOptions.FullText);
        Console.WriteLine($"TokenizedCorpus.Build (WordPiece, 128, parallel on {Environment.ProcessorCount} cores): {texts.Count / sw.Elapsed.TotalSeconds:N0} texts/s; {corpus}");
        sw.Restart();
        var tfidf = TfidfVectorizer.Fit(texts);
        var x = tfidf.Transform(texts);
        Console.WriteLine($"TF-IDF fit + transform: {sw.Elapsed.TotalSeconds:F2} s; {x}");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>Best of three timed passes after a warm-up pass.</summary>
    private static double TextsPerSecond(IReadOnlyList<string> texts, Func<string, long> tokenize)
    {
        long sink = 0;
        foreach (var t in texts) sink += tokenize(t);
        double best = double.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var t in texts) sink += tokenize(t);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        GC.KeepAlive(sink);
        return texts.Count / best;
    }

    private static string? FindReuters()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "reuters21578", "train.jsonl");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static IReadOnlyList<string> LoadTexts(string? jsonl)
    {
        if (jsonl is not null)
        {
            return File.ReadLines(jsonl).Where(l => l.Length > 0).Select(line =>
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                string Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
                return (Field("title") + " " + Field("text")).Trim();
            }).ToArray();
        }
        Console.WriteLine("Reuters not found: seeded synthetic corpus");
        var random = new Random(42);
        var lexicon = Enumerable.Range(0, 20000).Select(i => new string(Enumerable.Range(0, 3 + random.Next(8)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        return Enumerable.Range(0, 8000).Select(_ => string.Join(' ', Enumerable.Range(0, 20 + random.Next(200)).Select(_ => lexicon[(int)Math.Pow(random.Next(20000), 1.3) % 20000]))).ToArray();
    }

    /// <summary>A BERT-style vocab.txt: special tokens, every character alone and as a continuation, the 20,000 most frequent words.</summary>
    private static string WriteWordPieceVocabulary(string dir, CorpusVocabularyTokenizer vocabulary)
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var chars = vocabulary.Words.SelectMany(w => w).Distinct().Order().Select(c => c.ToString()).ToArray();
        tokens.AddRange(chars);
        tokens.AddRange(chars.Select(c => "##" + c));
        tokens.AddRange(vocabulary.Words.Take(20000).Where(w => w.Length > 1));
        var path = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(path, tokens.Distinct());
        return path;
    }

    /// <summary>vocab.json and merges.txt learned by plain BPE training on the word counts (most frequent pair first).</summary>
    private static (string Vocabulary, string Merges) WriteBpeFiles(string dir, CorpusVocabularyTokenizer vocabulary, int merges)
    {
        var words = vocabulary.Words.Take(5000).Select((w, i) => (Symbols: w.Select(c => c.ToString()).ToList(), Count: vocabulary.WordCounts[i])).ToList();
        var symbols = new List<string> { "<pad>", "<unk>" };
        symbols.AddRange(words.SelectMany(w => w.Symbols).Distinct().Order(StringComparer.Ordinal));
        var mergeLines = new List<string> { "#version: 0.2" };
        for (int m = 0; m < merges; m++)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (s, count) in words)
                for (int k = 0; k + 1 < s.Count; k++)
                    pairs[(s[k], s[k + 1])] = pairs.GetValueOrDefault((s[k], s[k + 1])) + count;
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1 + " " + p.Key.Item2, StringComparer.Ordinal).First().Key;
            mergeLines.Add($"{best.Item1} {best.Item2}");
            symbols.Add(best.Item1 + best.Item2);
            foreach (var (s, _) in words)
                for (int k = 0; k + 1 < s.Count; k++)
                    if (s[k] == best.Item1 && s[k + 1] == best.Item2) { s[k] += s[k + 1]; s.RemoveAt(k + 1); }
        }
        var vocabPath = Path.Combine(dir, "vocab.json");
        File.WriteAllText(vocabPath, JsonSerializer.Serialize(symbols.Distinct().Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i)));
        var mergesPath = Path.Combine(dir, "merges.txt");
        File.WriteAllLines(mergesPath, mergeLines);
        return (vocabPath, mergesPath);
    }
}
