using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Tests.Data;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>Console redirection is process-wide: these tests run alone.</summary>
[CollectionDefinition("DataCommandsConsole", DisableParallelization = true)]
public sealed class DataCommandsConsoleCollection;

/// <summary>`xcn info`, `xcn convert` and `xcn eval`, run in-process on small temporary files.</summary>
[Collection("DataCommandsConsole")]
public class DataCommandsTests
{
    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var (output, error) = (new StringWriter(), new StringWriter());
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (XcnCli.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    /// <summary>The toy problem of encoders-detailed.md §5.1, whose metrics were computed by running pyxclib.</summary>
    private static (string Truth, string Pred, string Train, string Dir) ToyFiles()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "tst_X_Y.txt"), "4 8\n0:1 2:1 5:1\n1:1\n3:1 4:1 6:1 7:1\n\n");
        File.WriteAllText(Path.Combine(dir, "trn_X_Y.txt"), "10 8\n0:1 1:1\n0:1\n0:1 2:1\n1:1\n0:1 3:1\n2:1 5:1\n0:1\n6:1\n0:1 1:1\n4:1\n");
        File.WriteAllText(Path.Combine(dir, "score.txt"),
            "4 8\n0:0.9 1:0.8 2:0.7 3:0.1 5:0.05 6:0.3\n1:0.2 2:0.6 7:0.5\n0:0.9 3:0.4 4:0.45 5:0.3 6:0.2 7:0.1\n0:0.5 1:0.4\n");
        return (Path.Combine(dir, "tst_X_Y.txt"), Path.Combine(dir, "score.txt"), Path.Combine(dir, "trn_X_Y.txt"), dir);
    }

    private static double[] Metric(JsonElement report, string name) => report.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void AssertSeq(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void EvalPrintsAndWritesThePyxclibTable()
    {
        var (truth, pred, train, dir) = ToyFiles();
        var json = Path.Combine(dir, "metrics.json");
        var (code, output, error) = Run("eval", "--pred", pred, "--truth", truth, "--train-labels", train, "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        AssertSeq([0.25, 0.25, 0.416667, 0.3125, 0.3], Metric(r, "precision"));
        AssertSeq([0.25, 0.25, 0.43366, 0.411353, 0.449108], Metric(r, "ndcg"));
        AssertSeq([0.245586, 0.353521, 0.672888, 0.585217, 0.715508], Metric(r, "propensityPrecision"));
        AssertSeq([0.245586, 0.288665, 0.532734, 0.503898, 0.557321], Metric(r, "propensityNdcg"));
        AssertSeq([0.083333, 0.145833, 0.541667, 0.541667, 0.604167], Metric(r, "recall"));
        // The console table is in percent, one row per metric.
        Assert.Contains("PSnDCG", output);
        Assert.Contains("41.67", output);
        Assert.Contains("71.55", output);
    }

    [Fact]
    public void EvalFiltersPairsBeforeRankingAndReadsNpzScores()
    {
        var (truth, pred, _, dir) = ToyFiles();
        var filter = Path.Combine(dir, "filter_labels_test.txt");
        File.WriteAllText(filter, "0 0\n2 0\n");
        var npz = Path.Combine(dir, "score.npz");
        NpzFormat.WriteMatrix(npz, SparseTextFormat.ReadMatrix(pred));
        var json = Path.Combine(dir, "filtered.json");
        var (code, _, error) = Run("eval", "--pred", npz, "--truth", truth, "--filter", filter, "--k", "5", "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        // By hand: without label 0, point 0 ranks 1, 2, 6, 3, 5 and point 2 ranks 4, 3, 5, 6, 7 (lower entries move up).
        var p = Metric(doc.RootElement, "precision");
        Assert.Equal(1.0 / 4, p[0], 12);
        Assert.Equal((1.0 / 3 + 1.0 / 3 + 2.0 / 3) / 4, p[2], 12);
        Assert.Equal((2.0 + 1 + 4) / 5 / 4, p[4], 12);
        Assert.False(doc.RootElement.TryGetProperty("propensityPrecision", out var psp) && psp.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public void EvalRefusesMismatchedShapes()
    {
        var (_, pred, train, _) = ToyFiles();
        var (code, _, error) = Run("eval", "--pred", pred, "--truth", train);
        Assert.Equal(2, code);
        Assert.Contains("4 rows of predictions, but the ground truth has 10 points", error);
    }

    [Fact]
    public void InfoPrintsCountsAndWritesJson()
    {
        var dir = TestData.TempDir();
        var path = Path.Combine(dir, "toy.txt");
        File.WriteAllText(path, "4 5 3\n0,2 0:1 3:0.5\n1 1:2\n1 2:1 4:1\n 0:1\n");
        var json = Path.Combine(dir, "info.json");
        var (code, output, error) = Run("info", path, "--json", json);
        Assert.True(code == 0, error);
        Assert.Contains("multi-label", output);
        Assert.Contains("labels per point", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var s = doc.RootElement[0];
        Assert.Equal(4, s.GetProperty("points").GetInt32());
        Assert.Equal(5, s.GetProperty("features").GetInt32());
        Assert.Equal(3, s.GetProperty("labels").GetInt32());
        Assert.Equal(1.5, s.GetProperty("nonZerosPerPoint").GetDouble(), 12); // 6 values, 4 points
        Assert.Equal(1.0, s.GetProperty("labelsPerPoint").GetDouble(), 12);
        Assert.Equal(1, s.GetProperty("pointsWithoutLabels").GetInt32());
        // Label counts 1, 2, 1: quantiles min 1, median 1, max 2.
        var q = s.GetProperty("labelFrequencyQuantiles").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal([1, 1, 1, 1.5, 1.8, 1.98, 2], q.Select(v => Math.Round(v, 6)).ToArray());
    }

    [Fact]
    public void InfoReportsBadInputWithFileAndLine()
    {
        var path = TestData.TempFile("bad.txt", "2 5 3\n0 0:1\n");
        var (code, _, error) = Run("info", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:2:", error);
        Assert.Contains("truncated", error);
    }

    [Fact]
    public void ConvertBetweenFormatsKeepsTheData()
    {
        var data = RandomData.Dataset(12, 6, 4, seed: 4);
        var dir = TestData.TempDir();
        var source = Path.Combine(dir, "set.txt");
        XmlRepositoryFormat.Write(source, data);
        var npz = Path.Combine(dir, "set_X_Xf.npz");
        Assert.Equal(0, Run("convert", source, npz).Code);
        Assert.True(File.Exists(Path.Combine(dir, "set_X_Y.npz")));
        var arff = Path.Combine(dir, "set-train.arff");
        Assert.Equal(0, Run("convert", npz, arff).Code);
        var svm = Path.Combine(dir, "set.svm");
        var (code, output, error) = Run("convert", arff, svm, "--to", "libsvm");
        Assert.True(code == 0, error);
        Assert.Contains($"Wrote {svm}", output);
        var back = LibSvmFormat.Read(svm, new LibSvmOptions { NumFeatures = 6, LabelVocabulary = [0, 1, 2, 3] });
        RandomData.AssertSame(data.Features, back.Features);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
    }

    [Fact]
    public void ConvertADirectoryWritesEverySplit()
    {
        var splits = new DataSplits(RandomData.Dataset(8, 5, 3, seed: 1), RandomData.Dataset(4, 5, 3, seed: 2), RandomData.Dataset(6, 5, 3, seed: 3));
        var dir = TestData.TempDir();
        DatasetWriter.WriteSplits(Path.Combine(dir, "toy.txt"), splits);
        Assert.True(File.Exists(Path.Combine(dir, "toy.heldout.txt")));
        var outDir = Path.Combine(TestData.TempDir(), "pairs");
        var (code, _, error) = Run("convert", dir, outDir, "--to", "sparsetext");
        Assert.True(code == 0, error);
        var back = DatasetReader.ReadDirectory(outDir);
        Assert.Equal(DataFormat.SparseText, DatasetReader.Detect(outDir));
        foreach (var (expected, actual) in splits.All.Zip(back.All))
        {
            RandomData.AssertSame(expected.Features, actual.Features);
            RandomData.AssertSame(expected.Labels.Matrix, actual.Labels.Matrix);
        }
    }

    [Fact]
    public void ConvertWithoutAKnownOutputFormatSaysSo()
    {
        var source = TestData.TempFile("a.txt", "1 2 2\n0 0:1\n");
        var (code, _, error) = Run("convert", source, Path.Combine(TestData.TempDir(), "noext"));
        Assert.Equal(2, code);
        Assert.Contains("cannot tell the format", error);
    }
}
