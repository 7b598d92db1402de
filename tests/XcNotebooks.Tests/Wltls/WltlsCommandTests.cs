using System.Text.Json;
using XcNotebooks.Cli;
using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsCommandTests
{
    [Fact]
    public void RunsTheWholeExperimentAndWritesTheReport()
    {
        var dir = TestData.TempDir();
        var data = SyntheticData.MultiClass(9, 200, 225, 108, 108, seed: 10);
        string File(Dataset d, string name)
        {
            var path = Path.Combine(dir, name);
            LibSvmFormat.Write(path, d);
            return path;
        }
        string train = File(data.Train, "toy.train"), heldout = File(data.Heldout!, "toy.heldout"), test = File(data.Test, "toy.test");
        string report = Path.Combine(dir, "report.json"), html = Path.Combine(dir, "trellis.html"), modelDir = Path.Combine(dir, "model");
        int rc = XcnCli.Run(["wltls", "--train", train, "--heldout", heldout, "--test", test, "-slice_width", "3", "-epochs", "2",
            "--sparse", "--plot_graph", html, "--sweep", "2,3", "--report", report, "--model", modelDir, "--seed", "4"]);
        Assert.Equal(0, rc);

        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(report));
        var root = json.RootElement;
        Assert.Equal("wltls", root.GetProperty("method").GetString());
        double accuracy = root.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 80, $"accuracy {accuracy:F1}%");
        var details = root.GetProperty("details");
        Assert.Equal(2, details.GetProperty("epochs").GetArrayLength());
        Assert.True(details.GetProperty("epochs")[0].GetProperty("trainSeconds").GetDouble() > 0);
        Assert.True(details.GetProperty("sparse").GetProperty("rows").GetArrayLength() >= 2);
        Assert.Equal(["b=2", "b=3", "one-vs-rest"], details.GetProperty("sweep").EnumerateArray().Select(r => r.GetProperty("model").GetString()));
        var splits = DatasetReader.ReadSplits(train, heldout, test);
        Assert.Equal(4L * splits.Train.NumFeatures * details.GetProperty("edges").GetInt32(), root.GetProperty("modelBytes").GetInt64());
        Assert.Contains("plotly.js", System.IO.File.ReadAllText(html));

        // The saved model is the reported one.
        var model = WltlsModel.Load(Path.Combine(modelDir, "model.wltls"));
        Assert.Equal(accuracy, model.Accuracy(splits.Test), 9);
    }

    [Fact]
    public void BadOptionsEndWithAnErrorCode()
    {
        var dir = TestData.TempDir();
        var data = SyntheticData.MultiClass(4, 50, 20, 0, 12, seed: 1);
        var train = Path.Combine(dir, "a.train");
        var test = Path.Combine(dir, "a.test");
        LibSvmFormat.Write(train, data.Train);
        LibSvmFormat.Write(test, data.Test);
        Assert.Equal(2, XcnCli.Run(["wltls", "--train", train, "--test", test, "--path-assignment", "fixed"]));
        Assert.Equal(2, XcnCli.Run(["wltls", "--train", train, "--test", test, "--decoding-loss", "hinge"]));
        Assert.Equal(2, XcnCli.Run(["wltls", "--train", train, "--test", test, "--slice-width", "9"]));
    }

    [Fact]
    public void AssignmentFilesUseTheOriginalFormat()
    {
        var path = TestData.TempFile("assignments.json", "{\"aloi_bin\": [2, 0, 1], \"other\": [0, 1]}");
        Assert.Equal([2, 0, 1], PathAssignment.LoadClassOrder(path, "aloi_bin"));
        Assert.Contains("aloi_bin", Assert.Throws<DataFormatException>(() => PathAssignment.LoadClassOrder(path)).Message);
        Assert.Throws<DataFormatException>(() => PathAssignment.LoadClassOrder(path, "missing"));
        var broken = TestData.TempFile("broken.json", "[1, 2,\n oops]");
        var e = Assert.Throws<DataFormatException>(() => PathAssignment.LoadClassOrder(broken));
        Assert.Equal(2, e.Line);
    }
}
