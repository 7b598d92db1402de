using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Plotting;
using XcNotebooks.Experiments;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

/// <summary>The accuracy-versus-code-length experiment and its charts.</summary>
public sealed class DsncTradeOffTests
{
    [Fact]
    public void WltlsWidthsMatchTheBitCounts()
    {
        // Sector (K = 105): b = 2 has 28 edges, b = 5 has 55 (the W-LTLS paper's sector table).
        Assert.Equal(2, DsncTradeOff.SliceWidthForBits(105, 28));
        Assert.Equal(5, DsncTradeOff.SliceWidthForBits(105, 55));
        Assert.Equal(2, DsncTradeOff.SliceWidthForBits(105, 8)); // nothing has fewer edges than b = 2
        Assert.Equal(2, DsncTradeOff.SliceWidthForBits(8, 3));
        // K = 9: b = 2 has 2 + 8 + 2 + 1 + 1 = 14 edges, b = 3 (9 = 100 in base 3) 3 + 9 + 3 + 1 = 16, b = 4 (21 in base 4) 4 + 8 + 2 + 1 = 15.
        Assert.Equal(3, DsncTradeOff.SliceWidthForBits(9, 16));
        Assert.Equal(2, DsncTradeOff.SliceWidthForBits(9, 12));
    }

    [Fact]
    public void TheTableHasEveryDecodingAtEveryLengthAndWltlsAtMatchingEdges()
    {
        var data = SeparableData.Create(classes: 8, trainPerClass: 20, heldoutPerClass: 0, testPerClass: 8, seed: 5);
        var rows = DsncTradeOff.Run(data, [4, 8], new DsncOptions { Epochs = 10, BatchSize = 16, Seed = 2 },
            new XcNotebooks.Methods.Wltls.WltlsOptions { Epochs = 2, Seed = 2 });
        Assert.Equal(
            [(DsncTradeOff.Decoder, 4), (DsncTradeOff.LookupHamming, 4), (DsncTradeOff.LookupLikelihood, 4),
             (DsncTradeOff.Decoder, 8), (DsncTradeOff.LookupHamming, 8), (DsncTradeOff.LookupLikelihood, 8)],
            rows.Take(6).Select(r => (r.Method, r.Bits)));
        // K = 8 = 1000 in base 2: b = 2 has 2 + 2 x 4 + 2 + 1 = 13 edges, the fewest, nearest to 4 and to 8: W-LTLS is trained once.
        var wltls = Assert.Single(rows, r => r.Method == DsncTradeOff.WltlsMethod);
        Assert.Equal(("b=2", 13), (wltls.Model, wltls.Bits));
        Assert.All(rows, r => Assert.True(r.PointsPerSecond > 0 && r.TestAccuracy is >= 0 and <= 100));
        Assert.All(rows.Where(r => r.Method.Contains("lookup")), r => Assert.NotNull(r.AverageNeighboursProbed));
        Assert.True(rows.Single(r => r.Method == DsncTradeOff.Decoder && r.Bits == 8).TestAccuracy > 80);

        var report = DsncTradeOff.ToRunReport(rows, new DsncOptions(), new XcNotebooks.Methods.Wltls.WltlsOptions());
        Assert.Equal(rows.Count, report.Metrics.Count);
        Assert.Equal(wltls.TestAccuracy, report.Metrics["W-LTLS b=2 accuracy"]);
        // Two DSNC models (4 and 8 bits) and one W-LTLS model were trained.
        Assert.Equal(rows.Where(r => r.Method == DsncTradeOff.Decoder).Sum(r => r.TrainSeconds) + wltls.TrainSeconds, report.TrainSeconds, 9);
        Assert.Equal(rows.Count, DsncTradeOff.ToTable(rows).Rows.Count);

        var html = DsncTradeOff.Report(rows, "synthetic").ToHtml();
        Assert.Contains("DSNC lookup (likelihood)", html);
        var figure = ChartHtml.FigureJson(DsncTradeOff.AccuracyByBitsChart(rows));
        Assert.Contains("W-LTLS", figure);
        Assert.Contains("\"type\":\"log\"", ChartHtml.FigureJson(DsncTradeOff.AccuracyByCostChart(rows)).Replace(" ", ""));
    }
}
