using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace XcNotebooks.Benchmarks;

/// <summary>
/// A paper estimate of the machine's single-precision peak: cores x SIMD lanes x 2 (an FMA is two flops) x FMA units
/// per core x clock. The clock is /proc/cpuinfo's current "cpu MHz" (turbo may run above it); two FMA units per
/// core is assumed (AMD Zen, Intel since Haswell).
/// </summary>
internal sealed record MachinePeak(string Model, int Cores, int Lanes, bool Fma, int FmaUnits, double Gigahertz)
{
    public double GflopsPerSecond => Cores * Lanes * (Fma ? 2.0 : 1.0) * FmaUnits * Gigahertz;

    public static MachinePeak Estimate()
    {
        string model = "unknown";
        double mhz = 0;
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length < 2) continue;
                var key = parts[0].Trim();
                if (key == "model name" && model == "unknown") model = parts[1].Trim();
                if (key == "cpu MHz" && mhz == 0) double.TryParse(parts[1].Trim(), System.Globalization.CultureInfo.InvariantCulture, out mhz);
            }
        }
        int lanes = Avx512F.IsSupported ? 16 : Avx.IsSupported ? 8 : Vector<float>.Count;
        return new MachinePeak(model, Environment.ProcessorCount, lanes, System.Runtime.Intrinsics.X86.Fma.IsSupported, 2, mhz > 0 ? mhz / 1000 : 2.0);
    }

    public override string ToString() =>
        $"{Model}: {Cores} cores x {Lanes} float lanes x {(Fma ? 2 : 1)} (FMA) x {FmaUnits} FMA units x {Gigahertz:F2} GHz = {GflopsPerSecond:F1} GFLOP/s peak";
}
