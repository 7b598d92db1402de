using System.Buffers.Binary;
using System.IO.Compression;
using XcNotebooks.Plotting;
using Xunit;

namespace XcNotebooks.Tests.Plotting;

public class ChartExportTests
{
    [Fact]
    public void PngShowsTheChartAtTheRequestedSize()
    {
        Assert.SkipWhen(!ChartExport.IsAvailable, "headless Chromium is not installed (Debian package 'chromium')");
        var chart = Charts.Lines([new ChartSeries("only", [1, 2, 3], [1, 3, 2])], title: "png");
        var path = Path.Combine(TestData.TempDir(), "sub", "chart.png");

        ChartExport.ToPng(chart, path, width: 400, height: 300);

        var (width, height, pixels) = DecodePng(File.ReadAllBytes(path));
        Assert.Equal((400, 300), (width, height));
        // The first palette colour (#0072B2) draws the line; the page background is white.
        Assert.Contains((0x00, 0x72, 0xB2), pixels);
        Assert.Contains((0xFF, 0xFF, 0xFF), pixels);
    }

    [Fact]
    public void PngIsDrawnAtTheChartsOwnSizeNotCropped()
    {
        Assert.SkipWhen(!ChartExport.IsAvailable, "headless Chromium is not installed (Debian package 'chromium')");
        // Wider and taller than the old fixed 720 x 440 window: the line runs to the right edge of the plot.
        var chart = Charts.Lines([new ChartSeries("wide", [1, 2, 3], [1, 3, 2])], style: new ChartStyle { Width = 1000, Height = 600 });

        var png = ChartExport.ToPngBytes(chart);

        Assert.Equal((1000, 600), ChartExport.PngSize(png));
        var (width, height, _) = DecodePng(png);
        Assert.Equal((1000, 600), (width, height));
        // The line colour shows right of x = 900, beyond what a 720-pixel window could hold.
        Assert.Contains((0x00, 0x72, 0xB2), DecodePng(png, fromX: 900).Colours);
        Assert.Throws<ArgumentException>(() => ChartExport.PngSize([1, 2, 3]));
    }

    [Fact]
    public void MissingChromiumIsAClearError()
    {
        var previous = Environment.GetEnvironmentVariable(ChartExport.ChromiumVariable);
        try
        {
            Environment.SetEnvironmentVariable(ChartExport.ChromiumVariable, "/nonexistent/chromium");
            Assert.False(ChartExport.IsAvailable);
            var e = Assert.Throws<InvalidOperationException>(() =>
                ChartExport.ToPng(Charts.Lines([new ChartSeries("a", [1], [1])]), Path.Combine(TestData.TempDir(), "x.png")));
            Assert.Contains("install the Debian package 'chromium'", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChartExport.ChromiumVariable, previous);
        }
    }

    /// <summary>A minimal PNG reader (8-bit RGB or RGBA, not interlaced): size and the set of pixel colours (of columns from <paramref name="fromX"/> on).</summary>
    private static (int Width, int Height, HashSet<(int, int, int)> Colours) DecodePng(byte[] png, int fromX = 0)
    {
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var body = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]);
                channels = body[9] switch { 2 => 3, 6 => 4, var t => throw new InvalidDataException($"colour type {t}") };
                Assert.Equal(0, body[12]);
            }
            else if (type == "IDAT") idat.Write(body);
            at += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        var raw = inflated.ToArray();
        int stride = width * channels;
        var previous = new byte[stride];
        var row = new byte[stride];
        var colours = new HashSet<(int, int, int)>();
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? row[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                int value = raw[y * (stride + 1) + 1 + x];
                row[x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + (a + b) / 2,
                    4 => value + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
            for (int x = fromX; x < width; x++) colours.Add((row[x * channels], row[x * channels + 1], row[x * channels + 2]));
            (previous, row) = (row, previous);
        }
        return (width, height, colours);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
