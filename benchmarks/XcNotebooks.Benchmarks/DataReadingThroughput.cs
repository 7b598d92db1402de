using System.Diagnostics;
using ICSharpCode.SharpZipLib.BZip2;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using XcNotebooks.Synthetic;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// Reading speed of the data layer against a baseline measured in the same run: decompressing the same file with
/// nothing else (no read-ahead thread, no parsing), the floor of any reader of it. Cases: sector.train.bz2 (LIBSVM,
/// 4.7 MB compressed, 15.9 MB of text), the bibtex Mulan ARFF and XMLRepository files, Diatoms (Clus-HMC), CLINC150,
/// and generating the embedded default; then the gzip checks against GZipStream alone (a second baseline).
/// Usage: data-reading [shared/data folder].
/// </summary>
internal static class DataReadingThroughput
{
    public static int Run(string[] args)
    {
        var shared = args.Length > 0 ? args[0] : FindShared();
        if (shared is null)
        {
            Console.Error.WriteLine("data-reading needs the shared data folder (shared/data): pass its path");
            return 2;
        }
        string Shared(params string[] parts) => Path.Combine([shared, .. parts]);
        var sector = Shared("sector", "sector.train.bz2");
        double baseline = Best(() => Decompress(sector));
        Console.WriteLine($"{"case",-52} {"seconds",9} {"vs baseline",12}");
        void Case(string name, Action run)
        {
            double s = Best(run);
            Console.WriteLine($"{name,-52} {s,9:F3} {s / baseline,11:F2}x");
        }
        Console.WriteLine($"{"decompress sector.train.bz2 only (baseline)",-52} {baseline,9:F3} {1,11:F2}x");
        Case("read sector.train.bz2 (LIBSVM, read-ahead)", () => LibSvmFormat.Read(sector));
        Case("read bibtex-train.arff (Mulan)", () => MulanArffFormat.Read(Shared("bibtex", "arff", "bibtex-train.arff")));
        Case("read bibtex_train.txt (XMLRepository)", () => XmlRepositoryFormat.Read(Shared("bibtex", "bibtex_train.txt")));
        Case("read Diatoms_train.arff (Clus-HMC)", () => ClusHmcFormat.Read(Shared("hmc", "Diatoms_train.arff")));
        Case("read CLINC150 (data_full.json)", () => TextDatasets.Clinc150(Shared("clinc150")));
        Case("generate EmbeddedData.Default()", () => EmbeddedData.Default());
        GzipChecks(sector);
        return 0;
    }

    /// <summary>
    /// The cost of the gzip checks (CRC32 of the output against the trailer, the line-length guard, the read-ahead
    /// thread) against GZipStream alone, on sector.train recompressed with gzip; and the LIBSVM read of that file.
    /// </summary>
    private static void GzipChecks(string sectorBz2)
    {
        var gz = Path.Combine(Path.GetTempPath(), $"xcn-bench-{Environment.ProcessId}-sector.train.gz");
        try
        {
            using (var input = new BZip2InputStream(File.OpenRead(sectorBz2)))
            using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Optimal))
                input.CopyTo(output);
            double baseline = Best(() => Drain(new System.IO.Compression.GZipStream(File.OpenRead(gz), System.IO.Compression.CompressionMode.Decompress)));
            void Case(string name, Action run)
            {
                double s = Best(run);
                Console.WriteLine($"{name,-52} {s,9:F3} {s / baseline,11:F2}x");
            }
            Console.WriteLine($"{"decompress sector.train.gz only (gzip baseline)",-52} {baseline,9:F3} {1,11:F2}x");
            Case("InputFile.OpenRead .gz (CRC32 + trailer, read-ahead)", () => Drain(InputFile.OpenRead(gz)));
            Case("InputFile.OpenText .gz bytes (+ line guard)", () =>
            {
                using var reader = InputFile.OpenText(gz);
                Drain(reader.BaseStream);
            });
            Case("read sector.train.gz (LIBSVM)", () => LibSvmFormat.Read(gz));
        }
        finally
        {
            File.Delete(gz);
        }
    }

    private static void Drain(Stream stream)
    {
        using (stream)
        {
            var buffer = new byte[1 << 16];
            while (stream.Read(buffer) > 0) { }
        }
    }

    private static void Decompress(string path)
    {
        using var stream = new BZip2InputStream(File.OpenRead(path));
        var buffer = new byte[1 << 16];
        while (stream.Read(buffer) > 0) { }
    }

    /// <summary>Best of three timed runs after a warm-up run.</summary>
    private static double Best(Action run)
    {
        run();
        double best = double.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
