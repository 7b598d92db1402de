using XcNotebooks.Benchmarks;

// Dispatch on the first argument naming the benchmark; the rest of the arguments go to it.
var benchmarks = new Dictionary<string, (string Help, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["compute"] = ("GEMM and sparse x dense: naive loop vs CPU backend vs MathNet managed vs ILGPU (GFLOP/s, share of peak)", ComputeBenchmark.Run),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.WriteLine("usage: dotnet run -c Release --project benchmarks/XcNotebooks.Benchmarks -- BENCHMARK [options]");
    foreach (var (name, (help, _)) in benchmarks) Console.WriteLine($"  {name,-10} {help}");
    return args.Length == 0 ? 0 : 2;
}
return benchmark.Run(args[1..]);
