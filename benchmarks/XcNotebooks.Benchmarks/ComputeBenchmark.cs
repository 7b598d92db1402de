using System.Diagnostics;
using System.Text.Json;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using XcNotebooks.Compute;
using XcNotebooks.Core;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Throughput of the compute layer's two heavy operations, each implementation timed in the same run on the same
/// inputs: dense GEMM and sparse x dense (forward X W and gradient Xᵀ G). Baselines: a naive single-threaded loop and
/// MathNet.Numerics' managed provider. ILGPU runs on the accelerator XCN_ILGPU_TARGET picks; on a machine without
/// a GPU that is ILGPU's CPU simulator, measured at small sizes only. Options: --quick (smaller sizes),
/// --json FILE (write the rows), --no-ilgpu.
/// </summary>
internal static class ComputeBenchmark
{
    private sealed record Row(string Operation, string Shape, string Implementation, double Seconds, double Gflops,
        double SpeedupOverNaive, double RatioToMathNet, double ShareOfPeak);

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick"), ilgpu = !args.Contains("--no-ilgpu");
        int jsonAt = Array.IndexOf(args, "--json");
        var peak = MachinePeak.Estimate();
        Console.WriteLine(peak);
        Control.UseManaged();
        Console.WriteLine($"MathNet provider: {MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider}");

        var rows = new List<Row>();
        using var cpu = new CpuBackend();
        using var device = ilgpu ? IlgpuBackend.Create() : null;
        if (device is not null) Console.WriteLine($"ILGPU device: {device.Name}");
        bool simulator = device?.Device.Target == IlgpuTarget.Cpu;

        int[] gemmSizes = quick ? [128, 256] : [128, 256, 512, 1024];
        foreach (var size in gemmSizes)
            rows.AddRange(Gemm(cpu, simulator ? null : device, size, size, size, peak, naive: size <= 512));
        if (simulator) rows.AddRange(Gemm(cpu, device, 48, 48, 48, peak, naive: true)); // the simulator at a size it finishes
        // The shape of an XC hidden layer: a batch of 512 through 1024 -> 512.
        rows.AddRange(Gemm(cpu, simulator ? null : device, 512, 512, 1024, peak, naive: !quick));

        var (points, features, perRow, width) = quick ? (1024, 20_000, 100, 128) : (4096, 50_000, 100, 256);
        rows.AddRange(SparseDense(cpu, device, points, features, perRow, width, simulator, peak));

        Console.WriteLine();
        Console.WriteLine($"{"operation",-10} {"shape",-22} {"implementation",-26} {"ms",9} {"GFLOP/s",9} {"x naive",8} {"/ MathNet",9} {"% peak",7}");
        foreach (var r in rows)
            Console.WriteLine($"{r.Operation,-10} {r.Shape,-22} {r.Implementation,-26} {r.Seconds * 1000,9:F2} {r.Gflops,9:F2} " +
                              $"{Format(r.SpeedupOverNaive),8} {Format(r.RatioToMathNet),9} {r.ShareOfPeak * 100,6:F1}%");
        if (jsonAt >= 0 && jsonAt + 1 < args.Length)
            File.WriteAllText(args[jsonAt + 1], JsonSerializer.Serialize(new { Peak = peak, Rows = rows }, RunReport.JsonOptions));
        return 0;
    }

    private static string Format(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("F2");

    private static IEnumerable<Row> Gemm(CpuBackend cpu, IlgpuBackend? device, int m, int n, int k, MachinePeak peak, bool naive)
    {
        string shape = $"{m}x{k} * {k}x{n}";
        double flops = 2.0 * m * n * k;
        var a = Random(1, m * k);
        var b = Random(2, k * n);
        var timings = new List<(string Name, double Seconds)>();

        if (naive)
        {
            var c = new float[m * n];
            timings.Add(("naive loop (1 thread)", Time(() => NaiveGemm(a, b, c, m, n, k))));
        }
        using (var ta = cpu.Upload(a, m, k))
        using (var tb = cpu.Upload(b, k, n))
        using (var tc = cpu.Allocate(m, n))
            timings.Add(("cpu backend", Time(() => cpu.Gemm(ta, false, tb, false, tc))));

        var ma = Matrix<float>.Build.Dense(m, k, (i, j) => a[i * k + j]);
        var mb = Matrix<float>.Build.Dense(k, n, (i, j) => b[i * n + j]);
        var mc = Matrix<float>.Build.Dense(m, n);
        timings.Add(("MathNet managed", Time(() => ma.Multiply(mb, mc))));

        if (device is not null)
        {
            using var ta = device.Upload(a, m, k);
            using var tb = device.Upload(b, k, n);
            using var tc = device.Allocate(m, n);
            timings.Add(($"ilgpu {device.Device.Target}", Time(() =>
            {
                device.Gemm(ta, false, tb, false, tc);
                device.Synchronize();
            })));
        }
        return Rows("gemm", shape, flops, timings, peak);
    }

    private static IEnumerable<Row> SparseDense(CpuBackend cpu, IlgpuBackend? device, int points, int features, int perRow, int width,
        bool simulator, MachinePeak peak)
    {
        var x = RandomSparse(3, points, features, perRow);
        var w = Random(4, features * width);
        var g = Random(5, points * width);
        string shape = $"{points}x{features} nnz {x.NonZeros / 1000}K * {width}";
        double flops = 2.0 * x.NonZeros * width;

        var forward = new List<(string, double)>();
        var output = new float[points * width];
        forward.Add(("naive loop (1 thread)", Time(() => NaiveSparse(x, w, output, width))));
        using var tw = cpu.Upload(w, features, width);
        using var ty = cpu.Allocate(points, width);
        forward.Add(("batch upload (host index)", Time(() => cpu.Upload(x).Dispose())));
        using var tx = cpu.Upload(x);
        forward.Add(("cpu backend", Time(() => cpu.SparseMultiply(tx, tw, ty))));
        var (mx, mw, my) = MathNetSparse(x, w, width);
        forward.Add(("MathNet managed", Time(() => mx.Multiply(mw, my))));

        var backward = new List<(string, double)>();
        var gradient = new float[features * width];
        backward.Add(("naive loop (1 thread)", Time(() => NaiveSparseTranspose(x, g, gradient, width))));
        using var tg = cpu.Upload(g, points, width);
        using var tdw = cpu.Allocate(features, width);
        backward.Add(("cpu backend (accumulate)", Time(() => cpu.SparseTransposeMultiply(tx, tg, tdw, beta: 1f))));
        var mg = Matrix<float>.Build.Dense(points, width, (i, j) => g[i * width + j]);
        var mdw = Matrix<float>.Build.Dense(features, width);
        // MathNet's TransposeThisAndMultiply on a sparse matrix walks it densely (minutes here): transpose, then multiply.
        backward.Add(("MathNet managed", Time(() => mx.Transpose().Multiply(mg, mdw))));

        if (device is not null)
        {
            // The simulator runs a slice of the rows; its time is scaled to the full batch for the table.
            int rows = simulator ? Math.Min(points, 16) : points;
            var slice = x.SelectRows(Enumerable.Range(0, rows).ToArray());
            double scale = (double)x.NonZeros / Math.Max(1, slice.NonZeros);
            using var dx = device.Upload(slice);
            using var dw = device.Upload(w, features, width);
            using var dy = device.Allocate(rows, width);
            using var dg = device.Upload(g[..(rows * width)], rows, width);
            using var ddw = device.Allocate(features, width);
            string name = $"ilgpu {device.Device.Target}" + (simulator ? $" ({rows} rows, scaled)" : "");
            forward.Add((name, scale * Time(() => { device.SparseMultiply(dx, dw, dy); device.Synchronize(); })));
            backward.Add((name, scale * Time(() => { device.SparseTransposeMultiply(dx, dg, ddw, beta: 1f); device.Synchronize(); })));
        }
        return [.. Rows("X W", shape, flops, forward, peak), .. Rows("X^T G", shape, flops, backward, peak)];
    }

    private static IEnumerable<Row> Rows(string operation, string shape, double flops, List<(string Name, double Seconds)> timings, MachinePeak peak)
    {
        double naive = timings.FirstOrDefault(t => t.Name.StartsWith("naive")).Seconds;
        double mathNet = timings.FirstOrDefault(t => t.Name.StartsWith("MathNet")).Seconds;
        foreach (var (name, seconds) in timings)
        {
            double gflops = name.StartsWith("batch upload") ? double.NaN : flops / seconds / 1e9;
            yield return new Row(operation, shape, name, seconds, gflops,
                naive > 0 ? naive / seconds : double.NaN, mathNet > 0 ? mathNet / seconds : double.NaN,
                gflops / peak.GflopsPerSecond);
        }
    }

    /// <summary>
    /// Best of several runs after a warm-up (the machine is shared: the minimum is the least disturbed run); slow
    /// implementations get a single timed run.
    /// </summary>
    private static double Time(Action action)
    {
        action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count == 0 || (total.Elapsed.TotalSeconds < 1.0 && times.Count < 50))
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        return times.Min();
    }

    private static void NaiveGemm(float[] a, float[] b, float[] c, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                c[i * n + j] = sum;
            }
    }

    private static void NaiveSparse(CsrMatrix x, float[] w, float[] y, int width)
    {
        Array.Clear(y);
        for (int i = 0; i < x.Rows; i++)
            for (long p = x.RowPointers[i]; p < x.RowPointers[i + 1]; p++)
            {
                int c = x.ColumnIndices[p];
                float v = x.Values[p];
                for (int j = 0; j < width; j++) y[i * width + j] += v * w[c * width + j];
            }
    }

    private static void NaiveSparseTranspose(CsrMatrix x, float[] g, float[] dw, int width)
    {
        for (int i = 0; i < x.Rows; i++)
            for (long p = x.RowPointers[i]; p < x.RowPointers[i + 1]; p++)
            {
                int c = x.ColumnIndices[p];
                float v = x.Values[p];
                for (int j = 0; j < width; j++) dw[c * width + j] += v * g[i * width + j];
            }
    }

    private static (Matrix<float> X, Matrix<float> W, Matrix<float> Y) MathNetSparse(CsrMatrix x, float[] w, int width)
    {
        var pointers = x.RowPointers.Select(p => (int)p).ToArray();
        var mx = Matrix<float>.Build.SparseFromCompressedSparseRowFormat(x.Rows, x.Cols, (int)x.NonZeros, pointers,
            x.ColumnIndices, x.Values);
        var mw = Matrix<float>.Build.Dense(x.Cols, width, (i, j) => w[i * width + j]);
        return (mx, mw, Matrix<float>.Build.Dense(x.Rows, width));
    }

    private static float[] Random(int seed, int count)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    private static CsrMatrix RandomSparse(int seed, int rows, int cols, int perRow)
    {
        var rng = new Random(seed);
        var builder = new CsrBuilder(cols);
        for (int i = 0; i < rows; i++)
        {
            foreach (var c in Enumerable.Range(0, perRow).Select(_ => rng.Next(cols)).Distinct()) builder.Add(c, (float)rng.NextDouble());
            builder.EndRow();
        }
        return builder.Build();
    }
}
