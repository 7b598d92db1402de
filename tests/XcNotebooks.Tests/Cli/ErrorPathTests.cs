using System.IO.Compression;
using System.Text;
using XcNotebooks.Cli.Common;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>
/// Issue 15 through the `xcn` entry point, in-process: every failure a user can cause ends in one line on standard
/// error naming the file, with the documented exit code, and outputs and options are checked before data is read.
/// </summary>
[Collection("DataCommandsConsole")]
public class ErrorPathTests
{
    /// <summary>300 points of a 7-class LIBSVM file.</summary>
    private static readonly string Points = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i % 7} {1 + i % 13}:0.{i % 10 + 1} {20 + i % 17}:1.5\n"));

    /// <summary>Runs xcn and checks that it failed with <paramref name="code"/> and exactly one line "error: ..." containing <paramref name="expected"/>.</summary>
    private static string Fails(int code, string expected, params string[] args)
    {
        var (actual, output, error) = DataCommandsTests.Run(args);
        Assert.True(code == actual, $"exit {actual}, expected {code}: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", error); // no stack trace without --verbose
        return output;
    }

    private static byte[] Compressed(string text, bool bzip2)
    {
        var buffer = new MemoryStream();
        using (Stream z = bzip2
            ? new ICSharpCode.SharpZipLib.BZip2.BZip2OutputStream(buffer) { IsStreamOwner = false }
            : new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(Encoding.ASCII.GetBytes(text));
        return buffer.ToArray();
    }

    [Theory]
    [InlineData(true, "damaged bzip2 data")]
    [InlineData(false, "damaged gzip data")]
    public void Case1And2_CutCompressedFilesExitWith2NamingTheFile(bool bzip2, string problem)
    {
        var bytes = Compressed(Points, bzip2);
        var path = Path.Combine(TestData.TempDir(), bzip2 ? "t.train.bz2" : "t.train.gz");
        foreach (int cut in new[] { bytes.Length / 4, bytes.Length / 2, bytes.Length - 9, bytes.Length - 3 })
        {
            File.WriteAllBytes(path, bytes[..cut]);
            var output = Fails(2, $"{path}: {problem}", "info", path);
            Assert.DoesNotContain("points", output);
        }
    }

    [Fact]
    public void Case1_AFlippedGzipByteExitsWith2()
    {
        var bytes = Compressed(Points, bzip2: false);
        bytes[bytes.Length / 2] ^= 0x21;
        var path = Path.Combine(TestData.TempDir(), "f.train.gz");
        File.WriteAllBytes(path, bytes);
        Fails(2, $"{path}: damaged gzip data", "info", path);
    }

    [Fact]
    public void Case3_UnwritableOutputsFailBeforeAnyDataIsRead()
    {
        var dir = TestData.TempDir();
        var train = TestData.TempFile("a.train", Points);
        var aFile = TestData.TempFile("plain.txt", "x");
        // The report is a directory; the model directory is under a file; info --json under a file; convert into a directory.
        var output = Fails(74, $"{dir}: is a directory", "baseline", "--kind", "popularity", "--train", train, "--test", train, "--report", dir);
        Assert.DoesNotContain("Loaded", output);
        output = Fails(74, $"{aFile} is a file, not a directory", "baseline", "--kind", "popularity", "--train", train, "--test", train, "--model", Path.Combine(aFile, "m"));
        Assert.DoesNotContain("Loaded", output);
        Fails(74, $"{aFile} is a file, not a directory", "info", train, "--json", Path.Combine(aFile, "stats.json"));
        Fails(74, $"{dir}: is a directory", "convert", train, dir, "--to", "libsvm");
        Fails(2, "cannot tell the format from the name", "convert", train, Path.Combine(dir, "out.unknown"));
    }

    [Fact]
    public void Case3_AWriteThatFailsAfterTrainingGoesToAFallbackPathTheMessageNames()
    {
        var failures = new List<string>();
        var asked = Path.Combine(TestData.TempDir(), "model.bin");
        var written = OutputFallback.Write(asked, "model", path =>
        {
            if (path == asked) throw new IOException("No space left on device");
            File.WriteAllText(path, "model");
        }, failures);
        Assert.NotEqual(asked, written);
        Assert.Equal("model", File.ReadAllText(written));
        Assert.Equal($"{asked}: cannot write the model (No space left on device); saved to {written} instead", Assert.Single(failures));
        Assert.Equal(ExitCodes.InputOutput, CliErrors.ExitCodeOf(new IOException(failures[0])));
        Directory.Delete(Path.GetDirectoryName(written)!, recursive: true);
    }

    [Fact]
    public void Case5_AHugeTokenGivesAShortLineAndMarkupInMessagesIsPrintedAsText()
    {
        var path = TestData.TempFile("token.svm", $"1 {new string('7', 200_000)}\n");
        var (code, _, error) = DataCommandsTests.Run("info", path);
        Assert.Equal(2, code);
        Assert.True(error.Length < 300, error);
        var brackets = TestData.TempFile("markup.svm", "1 [red]x[/]:1\n");
        Fails(2, $"{brackets}:1: feature id '[red]x[/]' is not an integer", "info", brackets);
    }

    [Theory]
    [InlineData("1 2147483647:1\n", ":1: feature id 2147483647 is above")]
    [InlineData("Infinity 1:1\n", ":1: label 'Infinity' is not an integer")]
    [InlineData("1e300 1:1\n", ":1: label '1e300' is outside")]
    [InlineData("1 1:NaN\n", ":1: feature value is NaN")]
    public void Case6_OutOfRangeIdsLabelsAndValuesExitWith2(string content, string problem)
    {
        var path = TestData.TempFile("r.svm", content);
        Fails(2, path + problem, "info", path);
    }

    [Fact]
    public void Case6_TopKBelowOneIsAUsageErrorBeforeDataIsRead()
    {
        var missing = Path.Combine(TestData.TempDir(), "never-read.train");
        Fails(64, "--topk must be at least 1, got 0", "baseline", "--kind", "popularity", "--train", missing, "--test", missing, "--topk", "0");
        Fails(64, "xcn baseline --help", "baseline", "--kind", "popularity", "--train", missing, "--test", missing, "--no-such-option");
    }

    [Fact]
    public void AMissingTestFileIsFoundBeforeTheTrainingFileIsRead()
    {
        var train = TestData.TempFile("big.train", "1 x:1\n"); // would be a parse error if it were read
        var missing = Path.Combine(TestData.TempDir(), "missing.test");
        Fails(2, $"{missing}: no such file", "baseline", "--kind", "popularity", "--train", train, "--test", missing);
    }

    [Fact]
    public void Case6_EmptyTrainingDataIsRejectedByName()
    {
        var empty = TestData.TempFile("empty.train", "");
        var test = TestData.TempFile("a.test", Points);
        Fails(2, $"{empty}: no training points", "baseline", "--kind", "popularity", "--train", empty, "--test", test, "--format", "libsvm");
    }

    [Fact]
    public void VerboseAddsTheStackTraceAfterTheLine()
    {
        var path = TestData.TempFile("bad.svm", "1 x:1\n");
        var (code, _, error) = DataCommandsTests.Run("info", path, "--verbose");
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {path}:1: ", error);
        Assert.Contains("   at ", error);
    }

    [Fact]
    public void ExitCodesFollowTheDocumentedTable()
    {
        Assert.Equal(2, CliErrors.ExitCodeOf(new DataFormatException("f", 1, "bad")));
        Assert.Equal(2, CliErrors.ExitCodeOf(new FileNotFoundException("f: no such file")));
        Assert.Equal(74, CliErrors.ExitCodeOf(new UnauthorizedAccessException("f")));
        Assert.Equal(74, CliErrors.ExitCodeOf(new IOException("disk full")));
        Assert.Equal(70, CliErrors.ExitCodeOf(new NullReferenceException()));
        Assert.Equal(2, CliErrors.ExitCodeOf(new System.Reflection.TargetInvocationException(new DataFormatException("f", 0, "bad"))));
        var (code, output, _) = DataCommandsTests.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Exit codes: 0 success; 2 bad input", output);
    }
}
