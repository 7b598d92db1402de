using XcNotebooks.Benchmarks;
using XcNotebooks.Benchmarks.WltlsBenchmarks;

// Each benchmark is named by the first argument; the rest of the arguments are its own.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["hierarchy"] = HierarchyBenchmark.Run,
    ["tokenizers"] = TokenizerThroughput.Run,
    ["data-reading"] = DataReadingThroughput.Run,
    ["compute"] = ComputeBenchmark.Run,
    ["dsnc"] = DsncBenchmark.Run,
    ["dsnc-dense"] = DsncDenseBenchmark.Run,
    ["wltls"] = WltlsBenchmark.Run,
    ["autoencoders"] = AutoencoderComparison.Run,
    ["dexa"] = DexaBenchmark.Run,
    ["dexml"] = DexmlBenchmark.Run,
    ["dexml-memory"] = DexmlMemoryBenchmark.Run,
    ["linear"] = LinearBenchmark.Run,
    ["bestml"] = BestMlBenchmark.Run,
    ["hnsw"] = HnswBenchmark.Run,
    ["wordnet"] = WordNetBenchmark.Run,
    ["wltls-curve"] = WltlsCurveBenchmark.Run,
    ["mpi"] = MpiBenchmark.Run,
    ["mpi-dexml"] = MpiDexmlBenchmark.Run,
    ["scale"] = ScaleBenchmark.Run,
    ["parabel"] = ParabelBenchmark.Run,
};
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: XcNotebooks.Benchmarks BENCHMARK [args]; benchmarks: {string.Join(", ", benchmarks.Keys.Order())}");
    return 2;
}
return run(args[1..]);
