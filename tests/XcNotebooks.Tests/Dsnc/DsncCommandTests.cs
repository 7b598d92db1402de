using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dsnc;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

public sealed class DsncCommandTests
{
    private static (string Train, string Test) Files(string dir)
    {
        var data = SeparableData.Create(classes: 6, trainPerClass: 20, heldoutPerClass: 0, testPerClass: 8, seed: 13);
        string Write(Dataset d, string name)
        {
            var path = Path.Combine(dir, name);
            LibSvmFormat.Write(path, d);
            return path;
        }
        return (Write(data.Train, "toy.train"), Write(data.Test, "toy.test"));
    }

    [Fact]
    public void RunsTrainsTestsAndReportsBothDecodings()
    {
        var dir = TestData.TempDir();
        var (train, test) = Files(dir);
        string report = Path.Combine(dir, "report.json"), html = Path.Combine(dir, "tradeoff.html"), modelDir = Path.Combine(dir, "model");
        int rc = XcnCli.Run(["dsnc", "--train", train, "--test", test, "--bits", "8", "--epochs", "12", "--batch-size", "16",
            "--lookup-order", "likelihood", "--backend", "cpu", "--tradeoff", "4,8", "--tradeoff-html", html, "--report", report, "--model", modelDir, "--seed", "3"]);
        Assert.Equal(0, rc);

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("dsnc", root.GetProperty("method").GetString());
        var metrics = root.GetProperty("metrics");
        double accuracy = metrics.GetProperty("accuracy").GetDouble(), lookup = metrics.GetProperty("lookup accuracy").GetDouble();
        Assert.True(accuracy > 80 && lookup > 80, $"accuracy {accuracy:F1}%, lookup {lookup:F1}%");
        Assert.Equal(accuracy, metrics.GetProperty("P@1").GetDouble(), 9);
        var details = root.GetProperty("details");
        Assert.Equal(8, details.GetProperty("codeBits").GetInt32());
        Assert.Equal(6, details.GetProperty("codeStatistics").GetProperty("classes").GetInt32());
        Assert.True(details.GetProperty("lookupPointsPerSecond").GetDouble() > 0);
        Assert.Equal(12, details.GetProperty("epochs").GetArrayLength());
        Assert.Equal(7, details.GetProperty("tradeoff").GetArrayLength()); // 2 lengths x 3 decodings + W-LTLS b=2
        Assert.Equal("Likelihood", root.GetProperty("options").GetProperty("lookupOrder").GetString());
        Assert.Contains("plotly", File.ReadAllText(html));

        // The saved model is the reported one.
        using var model = DsncModel.Load(Path.Combine(modelDir, "model.dsnc"));
        var testData = DatasetReader.ReadSplits(train, null, test).Test;
        Assert.Equal(accuracy, model.Accuracy(testData), 9);
        Assert.Equal(lookup, model.LookupAccuracy(testData), 9);
    }

    [Fact]
    public void BadOptionsEndWithAnErrorCode()
    {
        var (train, test) = Files(TestData.TempDir());
        // Values the bound options reject are usage errors found before the data is read (issue 18).
        Assert.Equal(64, XcnCli.Run(["dsnc", "--train", train, "--test", test, "--estimator", "gumbel"]));
        Assert.Equal(64, XcnCli.Run(["dsnc", "--train", train, "--test", test, "--bits", "80"]));
        Assert.Equal(64, XcnCli.Run(["dsnc", "--train", train, "--test", test, "--encoder-hidden", "64,x"]));
        Assert.Equal(64, XcnCli.Run(["dsnc", "--train", train, "--test", test, "--lookup-order", "random"]));
    }
}
