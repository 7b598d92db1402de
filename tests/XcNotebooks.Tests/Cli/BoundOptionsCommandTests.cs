using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>
/// Issue 18 through `xcn`: the method commands' options are bound from the options records, their values are checked
/// before any data is read, and the earlier spellings still work.
/// </summary>
[Collection("DataCommandsConsole")]
public class BoundOptionsCommandTests
{
    /// <summary>A training file that is a parse error on line 1 if anything reads it.</summary>
    private static string Unreadable() => TestData.TempFile("never-read.train", "1 x:1\n");

    [Theory]
    [InlineData("dsnc", "--code-bits", "80", "--code-bits 80: code length must be between 1 and 64 bits (0: the profile's), got 80")]
    [InlineData("dsnc", "--bits", "-1", "--code-bits -1: code length must be between 1 and 64 bits (0: the profile's), got -1")]
    [InlineData("wltls", "--slice-width", "1", "--slice-width 1: slice width must be at least 2, got 1")]
    [InlineData("wltls", "-epochs", "0", "--epochs 0: epochs must be at least 1, got 0")]
    [InlineData("wltls", "--decoding-loss", "cubic", "--decoding-loss: unknown decoding loss 'cubic'")]
    [InlineData("neuralxc", "--learning-rate", "-1", "--learning-rate -1: learning rate must be positive, got -1")]
    [InlineData("hierarchicalxc", "--node-learner", "tree", "--node-learner: unknown binary classifier 'tree'")]
    [InlineData("dexa", "--encoder-batch-size", "1", "--encoder-batch-size 1: M1 batch size must be at least 2 (in-batch negatives), got 1")]
    [InlineData("dexml", "--temperature", "0", "--temperature 0: temperature must be positive, got 0")]
    [InlineData("wltls-assignments", "--widths", "2,1", "--slice-widths 2,1: slice width must be at least 2, got 1")]
    public void AnInvalidValueExits64NamingTheOptionWithoutReadingTheData(string command, string option, string value, string expected)
    {
        var train = Unreadable();
        var missing = Path.Combine(TestData.TempDir(), "missing.test");
        foreach (var test in new[] { train, missing })
        {
            var (code, output, error) = DataCommandsTests.Run(command, "--train", train, "--test", test, option, value);
            Assert.True(code == 64, $"exit {code}: {error}");
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: " + expected, line);
            Assert.DoesNotContain("never-read.train", line); // the data files were not opened
            Assert.DoesNotContain("Loaded", output);
        }
    }

    [Fact]
    public void BaselineKindsHaveTheirOwnPrefixedOptionsAndTheOldOnesStill()
    {
        var train = Unreadable();
        var (code, _, error) = DataCommandsTests.Run("baseline", "--kind", "knn", "--train", train, "--test", train, "--neighbours", "0");
        Assert.Equal(64, code);
        Assert.StartsWith("error: --knn-neighbours 0: ", error);
        (code, _, error) = DataCommandsTests.Run("baseline", "--kind", "ovr", "--train", train, "--test", train, "--ovr-learner-kind", "perceptron", "-c", "-2");
        Assert.Equal(64, code);
        Assert.StartsWith("error: --ovr-learner-cost -2: ", error);
        (code, _, error) = DataCommandsTests.Run("baseline", "--kind", "forest", "--train", train, "--test", train);
        Assert.Equal(64, code);
        Assert.Contains("--kind: unknown value 'forest': expected popularity, knn, ovr, parabel", error);
    }

    [Fact]
    public void DistributedIsRefusedForAMethodThatTrainsInOneProcessNamingThoseThatCan()
    {
        // Two points, two labels: read, then refused before training (and before MPI is started).
        var train = TestData.TempFile("two.txt", "2 3 2\n0 0:1 1:0.5\n1 2:1\n");
        var (code, _, error) = DataCommandsTests.Run("baseline", "--kind", "knn", "--train", train, "--test", train, "--distributed");
        Assert.Equal(2, code); // CliErrors.BadInput: the option is valid, the method can't honour it
        Assert.StartsWith("error: --distributed: knn trains in one process only; methods that train across MPI ranks: ", error);
        var named = error.Split("MPI ranks: ")[1].Trim().Split(", ");
        Assert.Equal(XcNotebooks.Experiments.XcMethods.All.Where(m => m.TrainsOnRanks).Select(m => m.Name), named);
        Assert.Contains("ovr", named);
    }

    [Fact]
    public void HelpListsOneKebabOptionPerPropertyAndHidesTheOldSpellings()
    {
        var (code, output, _) = DataCommandsTests.Run("wltls", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--slice-width <slice-width>", output);
        Assert.Contains("Slice width b of the trellis graph", output); // the description from the XML docs
        Assert.Contains("--decoding-loss <exponential|squared-hinge|squared>", output);
        Assert.DoesNotContain("-slice_width", output);
        Assert.DoesNotContain("--binary-classifier", output);
        Assert.DoesNotContain("--checkpoint-path", output); // set from --model
    }
}
