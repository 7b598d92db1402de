using System.Diagnostics;
using System.Numerics.Tensors;
using XcNotebooks.Data.Formats;
using XcNotebooks.Hierarchies;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Speed of the class-hierarchy tools against baselines measured in the same run:
/// (1) nearest-neighbour-chain clustering against the textbook closest-pair algorithm with Lance-Williams updates
/// (O(n^3)), on random distances; (2) Euclidean distances between class means by one sparse Gram pass against dense
/// class means with a SIMD distance per pair. Data: sector train from shared/data when present, else synthetic.
/// Usage: hierarchy [sector.train(.bz2)].
/// </summary>
internal static class HierarchyBenchmark
{
    public static int Run(string[] args)
    {
        foreach (int n in new[] { 300, 600 })
        {
            var d = RandomDistances(n, seed: n);
            double naive = BestSeconds(() => ClosestPairBaseline(d));
            double chain = BestSeconds(() => AgglomerativeClustering.Fit(d, LinkageMethod.Average));
            Console.WriteLine($"average linkage, n={n}: closest-pair baseline {naive * 1000:F1} ms, NN-chain {chain * 1000:F2} ms ({naive / chain:F1}x faster)");
        }
        var large = RandomDistances(5000, seed: 1);
        Console.WriteLine($"average linkage, n=5000: NN-chain {BestSeconds(() => AgglomerativeClustering.Fit(large, LinkageMethod.Average), 1):F2} s");

        var data = LoadData(args.Length > 0 ? args[0] : FindSector());
        Console.WriteLine(data);
        double dense = BestSeconds(() => DenseBaseline(data));
        double sparse = BestSeconds(() => ClassDistances.EuclideanBetweenMeans(data));
        Console.WriteLine($"class-mean distances, K={data.NumLabels}: dense SIMD baseline {dense * 1000:F0} ms, sparse Gram {sparse * 1000:F0} ms ({dense / sparse:F1}x faster)");
        return 0;
    }

    private static CondensedDistances RandomDistances(int n, int seed)
    {
        var rng = new Random(seed);
        var d = CondensedDistances.Zeros(n);
        for (long p = 0; p < d.Values.LongLength; p++) d.Values[p] = rng.NextDouble();
        return d;
    }

    /// <summary>Merge the closest active pair, update its row by Lance-Williams, repeat: O(n^3).</summary>
    private static double ClosestPairBaseline(CondensedDistances distances)
    {
        int n = distances.Count;
        var d = distances.ToFull();
        var size = Enumerable.Repeat(1, n).ToArray();
        double last = 0;
        for (int step = 0; step < n - 1; step++)
        {
            int bx = -1, by = -1;
            double best = double.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                if (size[i] == 0) continue;
                for (int j = i + 1; j < n; j++)
                    if (size[j] != 0 && d[i, j] < best) (best, bx, by) = (d[i, j], i, j);
            }
            for (int i = 0; i < n; i++)
                if (size[i] != 0 && i != bx && i != by)
                    d[i, by] = d[by, i] = (size[bx] * d[i, bx] + size[by] * d[i, by]) / (size[bx] + size[by]);
            size[by] += size[bx];
            size[bx] = 0;
            last = best;
        }
        return last;
    }

    /// <summary>Dense K x D class means, then TensorPrimitives.Distance for every pair.</summary>
    private static double DenseBaseline(Dataset data)
    {
        int k = data.NumLabels, dim = data.NumFeatures;
        var means = new float[k][];
        for (int c = 0; c < k; c++) means[c] = new float[dim];
        var counts = new int[k];
        for (int i = 0; i < data.NumPoints; i++)
        {
            int c = data.Labels.LabelsOf(i)[0];
            counts[c]++;
            var idx = data.Features.RowIndices(i);
            var val = data.Features.RowValues(i);
            for (int j = 0; j < idx.Length; j++) means[c][idx[j]] += val[j];
        }
        for (int c = 0; c < k; c++)
            if (counts[c] > 0) TensorPrimitives.Divide(means[c], counts[c], means[c]);
        var result = CondensedDistances.Zeros(k);
        Parallel.For(0, k, a =>
        {
            long at = CondensedDistances.Index(k, a, a + 1);
            for (int b = a + 1; b < k; b++) result.Values[at++] = TensorPrimitives.Distance(means[a], means[b]);
        });
        return result.Values[0];
    }

    private static double BestSeconds(Func<object> work, int repeats = 3)
    {
        GC.KeepAlive(work());
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            GC.KeepAlive(work());
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static string? FindSector()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "sector", "sector.train.bz2");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static Dataset LoadData(string? path)
    {
        if (path is not null) return LibSvmFormat.Read(path) with { Name = Path.GetFileName(path) };
        // Synthetic stand-in with sector's shape: 105 classes, 55,197 features, ~160 non-zeros per point.
        var rng = new Random(7);
        int k = 105, dim = 55_197, n = 7_793;
        var classes = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        var rows = classes.Select(c => Enumerable.Range(0, 160).Select(_ => (rng.Next(c * 500, c * 500 + 2000) % dim, (float)rng.NextDouble())));
        return new Dataset(CsrMatrix.FromRows(dim, rows).NormalizeRows(), LabelMatrix.FromClasses(classes, k)) { Name = "synthetic sector-like" };
    }
}
