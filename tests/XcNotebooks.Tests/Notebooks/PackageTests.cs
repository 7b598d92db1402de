using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

/// <summary>
/// The kit as a NuGet package: packed with a unique version, referenced from a fresh notebook outside the repository
/// with <c>#i "nuget: FOLDER"</c> and <c>#r "nuget: XcNotebooks, VERSION"</c>, it shows kit objects and charts through
/// the formatters its kernel extension registers (no Register call), and Plotly.NET stays in the kit's own load context.
/// </summary>
[Collection(nameof(RealKernel))]
public class PackageTests
{
    [Fact]
    public void PackedKitLoadsWithItsFormattersInAFreshNotebook()
    {
        RealKernel.SkipUnlessAvailable();
        var version = $"0.0.1-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var feed = TestData.TempDir();
        Pack(feed, version);
        Assert.True(File.Exists(Path.Combine(feed, $"XcNotebooks.{version}.nupkg")));
        try
        {
            var path = RealKernel.WriteNotebook(TestData.TempDir(), ".net-csharp",
                $"#i \"nuget: {feed}\"\n#r \"nuget: XcNotebooks, {version}\"",
                "using XcNotebooks.Core;\nusing XcNotebooks.Metrics;\n" +
                "var truth = LabelMatrix.FromLabelSets(new[] { new[] { 0, 2 }, new[] { 1 }, new[] { 3 } }, 4);\n" +
                "var predictions = new TopKPredictions(3, 2, new[] { 2, 1, 0, 1, 3, 0 }, new[] { 0.9f, 0.5f, 0.8f, 0.3f, 0.7f, 0.1f });\n" +
                "XcMetrics.Evaluate(truth, predictions, 2)",
                "XcNotebooks.Plotting.Charts.Lines(new[] { new XcNotebooks.Plotting.ChartSeries(\"packaged\", new double[] { 1, 2 }, new double[] { 4, 6 }) })",
                "string.Join(\",\", AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == \"Plotly.NET\")" +
                ".Select(a => System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(a)!.Name))");

            var cells = RealKernel.RunClean(path);

            // By hand: P@1 = 2/3, P@2 = 1/2 (the kit's metrics table, not the kernel's default object view).
            var metrics = Assert.Single(RealKernel.Bundles(cells[1]!))["text/html"];
            Assert.Contains("<tr><td>P</td><td class=\"num\">66.67</td><td class=\"num\">50.00</td></tr>", metrics);
            var chart = Assert.Single(RealKernel.Bundles(cells[2]!))["text/html"];
            Assert.Contains("Plotly.newPlot", chart);
            Assert.Contains("\"name\":\"packaged\"", chart);
            // Plotly.NET was loaded once, in the kit's private context only.
            Assert.Equal("XcNotebooks.Plotly", Assert.Single(RealKernel.Bundles(cells[3]!))["text/plain"]);
        }
        finally
        {
            // A test version must not stay in the NuGet cache.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var cached = Path.Combine(cache, "xcnotebooks", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    private static void Pack(string folder, string version)
    {
        // The build of this test run is packed as it is (--no-build): same configuration as the tests.
        var configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestNotebooks.RepositoryRoot() };
        foreach (var arg in new[] { "pack", "src/XcNotebooks", "-c", configuration, "--no-build", "-o", folder, $"-p:Version={version}" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet pack failed: {stdout}{stderr.Result}");
    }
}
