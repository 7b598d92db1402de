using System.Diagnostics;

namespace XcNotebooks.Plotting;

/// <summary>
/// Charts as PNG images (for READMEs and papers), drawn by headless Chromium from the offline standalone page.
/// Chromium is found through the XCN_CHROMIUM environment variable or the usual install paths (Debian package
/// <c>chromium</c>).
/// </summary>
public static class ChartExport
{
    /// <summary>The environment variable naming a Chromium (or Chrome) executable to use.</summary>
    public const string ChromiumVariable = "XCN_CHROMIUM";

    private static readonly string[] KnownPaths =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>The Chromium executable that <see cref="ToPng"/> would use, or null when none is installed.</summary>
    public static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured)
            return File.Exists(configured) ? configured : null;
        return KnownPaths.FirstOrDefault(File.Exists);
    }

    /// <summary>True when a Chromium is installed, so <see cref="ToPng"/> can work.</summary>
    public static bool IsAvailable => FindChromium() is not null;

    /// <summary>
    /// Renders <paramref name="chart"/> to a PNG at <paramref name="path"/>, at the chart's own size unless
    /// <paramref name="width"/> and <paramref name="height"/> say otherwise (the figure is then redrawn at that size).
    /// Throws when Chromium is missing or fails, with its message.
    /// </summary>
    public static void ToPng(XcChart chart, string path, int? width = null, int? height = null, int timeoutSeconds = 60)
    {
        var png = ToPngBytes(chart, width, height, timeoutSeconds);
        var target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, png);
    }

    /// <summary>The PNG of <paramref name="chart"/> as bytes (see <see cref="ToPng"/>).</summary>
    public static byte[] ToPngBytes(XcChart chart, int? width = null, int? height = null, int timeoutSeconds = 60)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var chromium = FindChromium() ?? throw new InvalidOperationException(
            $"PNG export needs headless Chromium, and none was found ({ChromiumVariable} unset; looked for {string.Join(", ", KnownPaths)}); " +
            "install the Debian package 'chromium' or set " + ChromiumVariable);
        int w = width ?? chart.Width, h = height ?? chart.Height;
        if (w < 16 || h < 16) throw new ArgumentException($"image size {w} x {h} is too small");
        var work = Directory.CreateTempSubdirectory("xcn-png-");
        try
        {
            var page = Path.Combine(work.FullName, "chart.html");
            File.WriteAllText(page, ChartHtml.ToStandaloneHtml(SizedTo(chart, w, h), interactive: false));
            var shot = Path.Combine(work.FullName, "chart.png");
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-extensions",
                "--disable-sync", "--no-first-run", "--no-default-browser-check", "--metrics-recording-only",
                $"--user-data-dir={Path.Combine(work.FullName, "profile")}", $"--window-size={w},{h}",
                "--virtual-time-budget=5000", $"--screenshot={shot}", new Uri(page).AbsoluteUri,
            }) start.ArgumentList.Add(arg);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {chromium}");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{chromium} did not finish the screenshot within {timeoutSeconds} s");
            }
            if (process.ExitCode != 0 || !File.Exists(shot))
                throw new InvalidOperationException($"{chromium} failed (exit code {process.ExitCode}) to write a screenshot: {LastLines(stderr.Result + stdout.Result)}");
            return File.ReadAllBytes(shot);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The width and height of a PNG image, read from its IHDR header.</summary>
    public static (int Width, int Height) PngSize(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png[..8].SequenceEqual(signature) || !png[12..16].SequenceEqual("IHDR"u8))
            throw new ArgumentException("not a PNG image (no PNG signature and IHDR header)");
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[16..20]), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png[20..24]));
    }

    // A chart asked for at another size is drawn at that size (its layout's width and height replaced), not cropped.
    private static XcChart SizedTo(XcChart chart, int width, int height)
    {
        if (width == chart.Width && height == chart.Height) return chart;
        var figure = System.Text.Json.Nodes.JsonNode.Parse(chart.FigureJson)!.AsObject();
        if (figure["layout"] is not System.Text.Json.Nodes.JsonObject layout) figure["layout"] = layout = [];
        layout["width"] = width;
        layout["height"] = height;
        return new XcChart(figure.ToJsonString(), width, height, chart.Title);
    }

    private static string LastLines(string text) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
