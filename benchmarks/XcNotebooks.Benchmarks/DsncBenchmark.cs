using System.Diagnostics;
using System.Numerics.Tensors;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// DSNC's decodings as the number of classes K grows, against baselines measured in the same run: the code lookup
/// (hash table + Hamming neighbours, both orders) against (1) the exact linear scan of the code table (the lookup's
/// fallback, forced with a cap of 0 neighbours) and (2) a linear learned decoder (class scores = code · W, m x K,
/// with TensorPrimitives, then argmax). Codes: K random 32-bit class codes; each point is a class code with two bits
/// flipped at low confidence (|z| = 0.3) and the others confident (|z| in [1, 3]), as a trained model gives them.
/// Usage: dsnc [points per K, default 2000].
/// </summary>
internal static class DsncBenchmark
{
    private const int Bits = 32;

    public static int Run(string[] args)
    {
        int points = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        Console.WriteLine($"{Bits}-bit codes, {points} points per K, single thread, microseconds per point (best of 3)");
        // The first K = 100 round only warms the JIT up (tiered compilation would slow the first figures).
        int[] sizes = [100, 100, 1_000, 10_000, 100_000];
        for (int round = 0; round < sizes.Length; round++)
        {
            int k = sizes[round];
            var rng = new Random(k);
            var codes = new HashSet<ulong>();
            while (codes.Count < k) codes.Add((ulong)rng.NextInt64() & 0xFFFF_FFFFUL);
            var table = new BinaryCodeTable(Bits, codes.Select(c => (ulong?)c).ToArray(), new CodeStatistics(Bits, k, 0, 0, 0, 0, 0, 0, 0));
            var classCodes = codes.ToArray();
            var logits = Points(rng, classCodes, points);
            var weights = new RowMajorMatrix(Bits, k);
            for (int i = 0; i < weights.Data.Length; i++) weights.Data[i] = (float)(rng.NextDouble() * 2 - 1);

            double hamming = Micros(points, () => LookupAll(table, logits, NeighbourOrder.HammingThenConfidence, 256));
            double likelihood = Micros(points, () => LookupAll(table, logits, NeighbourOrder.Likelihood, 256));
            double scan = Micros(points, () => LookupAll(table, logits, NeighbourOrder.HammingThenConfidence, 0));
            double decoder = Micros(points, () => DecodeAll(weights, logits));
            if (round == 0) continue;
            Console.WriteLine($"K={k,7:N0}: lookup Hamming {hamming,8:F2}  likelihood {likelihood,8:F2}  |  table scan {scan,9:F2} ({scan / hamming,6:F1}x the lookup)" +
                $"  linear decoder {decoder,9:F2} ({decoder / hamming,6:F1}x)");
        }
        return 0;
    }

    private static RowMajorMatrix Points(Random rng, ulong[] classCodes, int points)
    {
        var logits = new RowMajorMatrix(points, Bits);
        for (int i = 0; i < points; i++)
        {
            ulong code = classCodes[rng.Next(classCodes.Length)];
            int flipA = rng.Next(Bits), flipB = (flipA + 1 + rng.Next(Bits - 1)) % Bits;
            var row = logits.Row(i);
            for (int j = 0; j < Bits; j++)
            {
                bool bit = (code >> j & 1) != 0;
                bool flipped = j == flipA || j == flipB;
                float magnitude = flipped ? 0.3f : (float)(1 + 2 * rng.NextDouble());
                row[j] = (bit != flipped ? 1 : -1) * magnitude;
            }
        }
        return logits;
    }

    private static int LookupAll(BinaryCodeTable table, RowMajorMatrix logits, NeighbourOrder order, int cap)
    {
        int checksum = 0;
        for (int i = 0; i < logits.Rows; i++) checksum += table.Lookup(logits.Row(i), order, cap).Class;
        return checksum;
    }

    /// <summary>Scores = b · W for the thresholded code b, then the best class.</summary>
    private static int DecodeAll(RowMajorMatrix weights, RowMajorMatrix logits)
    {
        var scores = new float[weights.Cols];
        int checksum = 0;
        for (int i = 0; i < logits.Rows; i++)
        {
            Array.Clear(scores);
            var row = logits.Row(i);
            for (int j = 0; j < Bits; j++)
                if (row[j] > 0) TensorPrimitives.Add(scores, weights.Row(j), scores);
            checksum += TensorPrimitives.IndexOfMax(scores);
        }
        return checksum;
    }

    private static double Micros(int points, Func<int> work)
    {
        work();
        double best = double.PositiveInfinity;
        for (int rep = 0; rep < 3; rep++)
        {
            var clock = Stopwatch.StartNew();
            work();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best * 1e6 / points;
    }
}
