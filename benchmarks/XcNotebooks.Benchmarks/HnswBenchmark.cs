using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// The USearch HNSW label index against the kit's exact search (<see cref="ExactLabelIndex"/> on the CPU backend:
/// normalise, one GEMM per query chunk, per-row top-k), in the same process and run: recall@10 of HNSW against the
/// exact top 10, queries per second of both, HNSW build seconds and bytes (USearch's memory usage) against the
/// exact index's vector bytes, and the process's peak working set. Label vectors: seeded unit vectors, either
/// uniform directions ("random", the hardest case for a graph index) or a Gaussian mixture around sqrt(L) centres
/// ("clustered", as trained label embeddings are), queries drawn the same way. Exact search runs on the first
/// --exact-queries queries (a subsample at 10^6 labels); HNSW on all --queries, and its recall on the same subsample.
/// Usage: hnsw [--labels 10000,100000,1000000] [--dim 64] [--queries N] [--exact-queries N] [--data random|clustered|both]
///             [--connectivity M] [--ef-add N] [--ef-search 64,128,256] [--threads N] [--seed N] [--out FILE.md]
/// </summary>
internal static class HnswBenchmark
{
    private sealed record Row(string Data, int Labels, int ExpansionSearch, double Recall, double HnswQps, double ExactQps,
        double BuildSeconds, long HnswBytes, long ExactBytes);

    public static int Run(string[] args)
    {
        int[] labelCounts = [10_000, 100_000, 1_000_000];
        int[] expansions = [64, 128, 256];
        int dimension = 64, queries = 5000, exactQueries = 1000, seed = 1, threads = 0;
        string data = "both";
        string? output = null;
        var hnsw = new HnswOptions();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--labels": labelCounts = Ints(args[++i]); break;
                case "--dim": dimension = Int(args[++i]); break;
                case "--queries": queries = Int(args[++i]); break;
                case "--exact-queries": exactQueries = Int(args[++i]); break;
                case "--data": data = args[++i].ToLowerInvariant(); break;
                case "--connectivity": hnsw = hnsw with { Connectivity = Int(args[++i]) }; break;
                case "--ef-add": hnsw = hnsw with { ExpansionAdd = Int(args[++i]) }; break;
                case "--ef-search": expansions = Ints(args[++i]); break;
                case "--threads": threads = Int(args[++i]); break;
                case "--seed": seed = Int(args[++i]); break;
                case "--out": output = args[++i]; break;
                default:
                    Console.Error.WriteLine($"hnsw: unknown argument {args[i]}");
                    return 2;
            }
        }
        if (data is not ("random" or "clustered" or "both"))
        {
            Console.Error.WriteLine($"hnsw: --data must be random, clustered or both, got {data}");
            return 2;
        }
        hnsw = hnsw with { Threads = threads };
        hnsw.Validate();
        exactQueries = Math.Min(exactQueries, queries);
        Console.WriteLine($"{MachinePeak.Estimate()}; USearch {UsearchNative.Version}; {hnsw.ThreadCount} threads");
        var rows = new List<Row>();
        using var backend = ComputeBackends.Create(BackendKind.Cpu);
        foreach (var kind in data == "both" ? new[] { "clustered", "random" } : [data])
        {
            foreach (int labels in labelCounts)
            {
                var labelVectors = UnitVectors(labels, dimension, kind, labels, Seeds.Derive(seed, 2L * labels));
                var queryVectors = UnitVectors(queries, dimension, kind, labels, Seeds.Derive(seed, 2L * labels + 1), centresSeed: Seeds.Derive(seed, 2L * labels));
                var sample = new RowMajorMatrix(exactQueries, dimension, queryVectors.Data.AsSpan(0, exactQueries * dimension).ToArray());

                TopKPredictions truth;
                double exactQps;
                long exactBytes;
                using (var exact = new ExactLabelIndex(backend, labelVectors, LabelIndexes.ExactQueryChunk(labels)))
                {
                    exact.Search(new RowMajorMatrix(1, dimension, sample.Row(0).ToArray()), 10); // first call: warm-up
                    var watch = Stopwatch.StartNew();
                    truth = exact.Search(sample, 10);
                    exactQps = exactQueries / watch.Elapsed.TotalSeconds;
                    exactBytes = exact.SizeBytes;
                }
                var build = Stopwatch.StartNew();
                using var index = HnswLabelIndex.Build(labelVectors, hnsw with { ExpansionSearch = expansions[0] });
                double buildSeconds = build.Elapsed.TotalSeconds;
                var bytes = index.Serialize();
                foreach (int ef in expansions)
                {
                    using var searcher = ef == expansions[0] ? null : HnswLabelIndex.Deserialize(bytes, hnsw with { ExpansionSearch = ef });
                    var current = searcher ?? index;
                    current.Search(sample, 10); // warm-up
                    var watch = Stopwatch.StartNew();
                    var found = current.Search(queryVectors, 10);
                    double qps = queries / watch.Elapsed.TotalSeconds;
                    var row = new Row(kind, labels, ef, Recall(truth, found, exactQueries), qps, exactQps, buildSeconds, index.SizeBytes, exactBytes);
                    rows.Add(row);
                    Console.WriteLine($"{kind} L = {labels:N0}: ef = {ef}: recall@10 {row.Recall:F4}, HNSW {qps:N0} q/s, exact {exactQps:N0} q/s ({qps / exactQps:F1}x), build {buildSeconds:F1} s, {index.SizeBytes / 1e6:F1} MB (exact {exactBytes / 1e6:F1} MB)");
                }
            }
        }
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var lines = Table(rows, dimension, queries, exactQueries, hnsw, peak);
        foreach (var line in lines) Console.WriteLine(line);
        if (output is not null) File.WriteAllLines(output, lines);
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static int[] Ints(string text) => [.. text.Split(',').Select(Int)];

    /// <summary>Share of the exact top 10 of the first rows that the approximate top 10 holds.</summary>
    private static double Recall(TopKPredictions exact, TopKPredictions approximate, int rows)
    {
        long hits = 0;
        for (int i = 0; i < rows; i++)
        {
            var found = approximate.LabelsOf(i);
            foreach (int l in exact.LabelsOf(i))
                if (l >= 0 && found.Contains(l)) hits++;
        }
        return (double)hits / (rows * exact.K);
    }

    /// <summary>
    /// Seeded unit vectors: uniform directions, or one of sqrt(L) uniform centres plus Gaussian noise of norm about 0.5
    /// (<see cref="NoiseNorm"/>) (drawn from <paramref name="centresSeed"/>, so queries and labels share them).
    /// </summary>
    private static RowMajorMatrix UnitVectors(int rows, int dimension, string kind, int labels, int seed, int? centresSeed = null)
    {
        var data = new float[(long)rows * dimension];
        float[]? centres = null;
        int numCentres = Math.Max(1, (int)Math.Sqrt(labels));
        if (kind == "clustered")
        {
            var centreRandom = new Random(centresSeed ?? seed);
            centres = new float[numCentres * dimension];
            for (int c = 0; c < numCentres; c++) FillUnit(centres.AsSpan(c * dimension, dimension), centreRandom, default, 1);
        }
        // Rows in parallel blocks, each block from its own derived seed: the same vectors for any thread count.
        const int block = 4096;
        Parallel.For(0, (rows + block - 1) / block, b =>
        {
            var random = new Random(Seeds.Derive(seed, b));
            for (int i = b * block; i < Math.Min(rows, (b + 1) * block); i++)
            {
                var centre = centres is null ? default : centres.AsSpan(random.Next(numCentres) * dimension, dimension);
                FillUnit(data.AsSpan(i * dimension, dimension), random, centre, NoiseNorm);
            }
        });
        return new RowMajorMatrix(rows, dimension, data);
    }

    /// <summary>Norm of a clustered vector's noise around its unit centre (before normalising).</summary>
    private const float NoiseNorm = 0.5f;

    /// <summary>
    /// Gaussian draws normalised: N(0, I) alone, or <paramref name="centre"/> + N(0, I/d) x <paramref name="scale"/>
    /// (noise of norm about <paramref name="scale"/>) when a centre is given.
    /// </summary>
    private static void FillUnit(Span<float> row, Random random, ReadOnlySpan<float> centre, float scale)
    {
        double norm = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            double v = centre.IsEmpty ? g : centre[j] + scale * g / Math.Sqrt(row.Length);
            row[j] = (float)v;
            norm += v * v;
        }
        float inverse = (float)(1 / Math.Sqrt(norm));
        for (int j = 0; j < row.Length; j++) row[j] *= inverse;
    }

    private static List<string> Table(List<Row> rows, int dimension, int queries, int exactQueries, HnswOptions hnsw, long peak)
    {
        var lines = new List<string>
        {
            $"Dimension {dimension}; {queries:N0} queries through HNSW, the first {exactQueries:N0} through exact search (recall@10 on those); " +
            $"HNSW M = {hnsw.Connectivity}, expansion_add = {hnsw.ExpansionAdd}, {hnsw.ThreadCount} threads; process peak working set {peak / 1e9:F2} GB.",
            "",
            "| data | labels | ef | recall@10 | HNSW q/s | exact q/s | HNSW / exact | build s | HNSW MB | exact MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (var r in rows)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Data} | {r.Labels:N0} | {r.ExpansionSearch} | {r.Recall:F4} | {r.HnswQps:N0} | {r.ExactQps:N0} | {r.HnswQps / r.ExactQps:F1}x | {r.BuildSeconds:F1} | {r.HnswBytes / 1e6:F1} | {r.ExactBytes / 1e6:F1} |"));
        return lines;
    }
}
