using System.Text;
using XcNotebooks.Methods.Baselines;
using XcNotebooks.Methods.NeuralXc;
using XcNotebooks.Tests.DexmlTests;
using XcNotebooks.Tests.NeuralXcTests;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Persistence;

/// <summary>Issue 15, case 4: checksummed model files, one format error per damage, compressed models, temporaries, reproducible bytes.</summary>
public class ModelFileTests
{
    private static Dataset Train => SyntheticData.MultiLabel(labels: 6, features: 20, points: 40, seed: 15);

    private static string Saved(string fileName)
    {
        var path = Path.Combine(TestData.TempDir(), fileName);
        KNearestNeighbours.Train(Train, new KNearestNeighboursOptions { Neighbours = 3 }).Save(path);
        return path;
    }

    private static DataFormatException LoadFails(string path)
    {
        var e = Assert.Throws<DataFormatException>(() => KNearestNeighbours.Load(path));
        Assert.Equal(path, e.File);
        return e;
    }

    [Fact]
    public void AFlippedWeightByteIsAChecksumErrorNotNaNPredictions()
    {
        var path = Saved("model.knn");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 40] ^= 0x40; // inside the stored feature values
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum mismatch", LoadFails(path).Problem);
    }

    [Fact]
    public void CutAndExtendedModelsAreFormatErrors()
    {
        var path = Saved("model.knn");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.StartsWith("damaged model file", LoadFails(path).Problem);
        File.WriteAllBytes(path, bytes[..3]);
        Assert.Contains("not an XcNotebooks model file", LoadFails(path).Problem);
        File.WriteAllBytes(path, [.. bytes, 0]);
        Assert.Contains("no end marker", LoadFails(path).Problem);
    }

    [Fact]
    public void GzipCompressedModelsSaveAndLoad()
    {
        var plain = Saved("model.knn");
        var compressed = Saved("model.knn.gz");
        Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(compressed)[..2]);
        var test = SyntheticData.MultiLabel(labels: 6, features: 20, points: 20, seed: 16);
        Assert.Equal(KNearestNeighbours.Load(plain).TopK(test, 3).Labels, KNearestNeighbours.Load(compressed).TopK(test, 3).Labels);
    }

    [Fact]
    public void ContentsThatPassTheChecksumButMakeNoModelAreFormatErrors()
    {
        var path = Path.Combine(TestData.TempDir(), "m.bin");
        ModelFile.Save(path, "toy", 1, w => w.Write(1_000_000)); // an array length with no array behind it
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(path, "toy", 1, r => r.ReadFloatArray()));
        Assert.Equal($"{path}: damaged model file: array length 1,000,000 needs more bytes than the 0 left", e.Message);
        ModelFile.Save(path, "toy", 1, w => w.Write("{not json"));
        Assert.StartsWith($"{path}: damaged model file: ",
            Assert.Throws<DataFormatException>(() => ModelFile.Load(path, "toy", 1, r => System.Text.Json.JsonSerializer.Deserialize<int[]>(r.ReadString()))).Message);
        ModelFile.Save(path, "toy", 1, w => w.Write(7));
        Assert.Contains("payload size mismatch", Assert.Throws<DataFormatException>(() => ModelFile.Load(path, "toy", 1, r => 0)).Message);
    }

    [Fact]
    public void AnotherFormatVersionSaysWhichWroteItAndWhichIsRead()
    {
        var path = Path.Combine(TestData.TempDir(), "m.bin");
        ModelFile.Save(path, "toy", 3, w => w.Write(1));
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(path, "toy", 2, r => r.ReadInt32()));
        Assert.Equal($"{path}: toy model format version 3 (written by XcNotebooks {Kit.Version}); this kit ({Kit.Version}) reads format 2", e.Message);
        // The first container (magic XCNM, no checksum) is named as such.
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("XCNM"), 3, (byte)'t', (byte)'o', (byte)'y']);
        Assert.Contains("model container version 1", Assert.Throws<DataFormatException>(() => ModelFile.Load(path, "toy", 2, r => 0)).Message);
    }

    [Fact]
    public void AFailedSaveLeavesNoTemporaryAndAStaleOneIsRemovedOnTheNextSave()
    {
        var dir = TestData.TempDir();
        var path = Path.Combine(dir, "m.bin");
        ModelFile.Save(path, "toy", 1, w => w.Write(1));
        var before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => ModelFile.Save(path, "toy", 1, w => throw new IOException("disk full")));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["m.bin"], Directory.GetFiles(dir).Select(Path.GetFileName));
        // A writer killed mid-save (kill -9) leaves its temporary; the next save of the same file removes it, but not
        // one of a process still running (this one), which may be a concurrent save.
        var stale = Path.Combine(dir, ".m.bin.2147483000.0123456789abcdef.tmp");
        var live = Path.Combine(dir, $".m.bin.{Environment.ProcessId}.0123456789abcdef.tmp");
        var other = Path.Combine(dir, ".n.bin.2147483000.0123456789abcdef.tmp");
        foreach (var f in new[] { stale, live, other }) File.WriteAllBytes(f, new byte[100]);
        ModelFile.Save(path, "toy", 1, w => w.Write(2));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
        Assert.Equal(2, ModelFile.Load(path, "toy", 1, r => r.ReadInt32()));
    }

    [Fact]
    public void NeuralXcWritesTheSameBytesForTheSameSeed()
    {
        var train = SyntheticData.MultiLabel(labels: 8, features: 40, points: 120, seed: 5);
        var options = NeuralXcTrainingTests.Fast with { Epochs = 2, EvaluateTrainEachEpoch = false };
        var dir = TestData.TempDir();
        using (var a = NeuralXc.Train(train, null, options)) a.Save(Path.Combine(dir, "a.neuralxc"));
        using (var b = NeuralXc.Train(train, null, options))
        {
            Assert.All(b.History, e => Assert.True(e.Seconds > 0)); // measured, and reported by the command
            b.Save(Path.Combine(dir, "b.neuralxc"));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.neuralxc")), File.ReadAllBytes(Path.Combine(dir, "b.neuralxc")));
    }

    [Fact]
    public void DexmlWritesTheSameBytesForTheSameSeed()
    {
        var data = XcNotebooks.Tests.DexaTests.ToyText.Create(train: 60, test: 10);
        var dir = TestData.TempDir();
        foreach (var name in new[] { "a.dexml", "b.dexml" })
        {
            using var model = XcNotebooks.Methods.Dexml.Dexml.Train(data.Train, null, DexmlTrainingTests.Small() with { Epochs = 2 });
            model.Save(Path.Combine(dir, name));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.dexml")), File.ReadAllBytes(Path.Combine(dir, "b.dexml")));
    }
}
