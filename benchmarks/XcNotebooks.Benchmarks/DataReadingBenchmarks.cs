using BenchmarkDotNet.Attributes;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Reading speed of the data layer against its floor in the same run: streaming the decompressed bytes of the same
/// file (baseline). Uses ../shared/data when present (sector.train.bz2, the bibtex ARFF), else the embedded data.
/// </summary>
[MemoryDiagnoser]
public class DataReadingBenchmarks
{
    private string _sector = "";
    private string _arff = "";

    [GlobalSetup]
    public void Setup()
    {
        var shared = Environment.GetEnvironmentVariable("XCN_SHARED_DATA") ?? FindShared();
        _sector = Path.Combine(shared, "sector", "sector.train.bz2");
        _arff = Path.Combine(shared, "bibtex", "arff", "bibtex-train.arff");
        if (!File.Exists(_sector) || !File.Exists(_arff)) throw new FileNotFoundException($"the shared data sets are not under {shared}");
    }

    /// <summary>Decompressing sector.train.bz2 without parsing: the floor of any reader.</summary>
    [Benchmark(Baseline = true)]
    public long DecompressSector()
    {
        using var stream = InputFile.OpenRead(_sector);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0) total += n;
        return total;
    }

    /// <summary>Reading sector.train.bz2 as LIBSVM.</summary>
    [Benchmark]
    public Dataset ReadSector() => LibSvmFormat.Read(_sector);

    /// <summary>Reading the bibtex Mulan ARFF (2.3 MB, sparse rows).</summary>
    [Benchmark]
    public Dataset ReadBibtexArff() => MulanArffFormat.Read(_arff);

    /// <summary>Generating the embedded multi-class default.</summary>
    [Benchmark]
    public DataSplits GenerateEmbeddedDefault() => XcNotebooks.Data.Synthetic.EmbeddedData.Default();

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine("..", "shared", "data");
    }
}
