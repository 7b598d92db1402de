using System.Reflection;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.CoreTests;

public class SeedStreamTests
{
    private const int RunSeeds = 24, Indices = 48, GridOuter = 12, GridInner = 48;

    /// <summary>Every stream of one table, found by reflection (fields of the three stream types).</summary>
    private static IReadOnlyList<(string Name, object Stream)> Streams(Type table) =>
        table.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(SeedStream) || f.FieldType == typeof(IndexedSeedStream) || f.FieldType == typeof(GridSeedStream))
            .Select(f => (f.Name, f.GetValue(null)!)).ToList();

    /// <summary>The seeds a stream gives a run seeded with <paramref name="seed"/>, with the item each belongs to.</summary>
    private static IEnumerable<(int Derived, string Item)> Derived(string name, object stream, int seed) => stream switch
    {
        SeedStream s => [(s.Of(seed), name)],
        IndexedSeedStream s => Enumerable.Range(0, Indices).Select(i => (s.Of(seed, i), $"{name}[{i}]")),
        GridSeedStream s => Enumerable.Range(0, GridOuter).SelectMany(o => Enumerable.Range(0, GridInner).Select(i => (s.Of(seed, o, i), $"{name}[{o},{i}]"))),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The first two items of a table that get the same seed in some run, or null.</summary>
    private static string? FirstCollision(IReadOnlyList<(string Name, object Stream)> streams)
    {
        for (int seed = 0; seed < RunSeeds; seed++)
        {
            var owner = new Dictionary<int, string>();
            foreach (var (name, stream) in streams)
                foreach (var (derived, item) in Derived(name, stream, seed))
                    if (!owner.TryAdd(derived, item)) return $"seed {seed}: {owner[derived]} and {item} both get {derived}";
        }
        return null;
    }

    [Fact]
    public void No_two_streams_of_any_table_give_the_same_seed()
    {
        var tables = typeof(SeedStreams).GetNestedTypes();
        Assert.True(tables.Length >= 20, $"only {tables.Length} tables found");
        foreach (var table in tables)
        {
            var streams = Streams(table);
            Assert.NotEmpty(streams);
            Assert.Null(FirstCollision(streams) is { } c ? $"{table.Name}: {c}" : null);
        }
    }

    [Fact]
    public void The_check_finds_dexas_old_epoch_zero_collision()
    {
        // Before the tables, DEXA's batch draws were Derive(seed, epoch << 32 | batch): epoch 0's batch 1 was the
        // encoder's stream 1. The same check must see that.
        var old = Streams(typeof(SeedStreams.Dexa)).Where(s => s.Stream is SeedStream).Append(("BatchDraws", new GridSeedStream("old batch draws"))).ToList();
        Assert.Equal("seed 0: Encoder and BatchDraws[0,1] both get " + SeedStreams.Dexa.Encoder.Of(0), FirstCollision(old));
    }

    [Fact]
    public void Streams_keep_the_numbers_the_methods_used_before()
    {
        // Hand-written old call sites: Derive(seed, epoch), Derive(seed, -1 - epoch), Derive(seed, 10 + 2b), Derive(seed, 13 + 4l), Derive(seed, lvl << 32 | c).
        Assert.Equal(Seeds.Derive(7, 3), SeedStreams.Wltls.EpochOrder.Of(7, 3));
        Assert.Equal(Seeds.Derive(7, -1), SeedStreams.Wltls.RandomAssignment.Of(7));
        Assert.Equal(Seeds.Derive(7, -4), SeedStreams.Dexml.EpochOrder.Of(7, 3));
        Assert.Equal(Seeds.Derive(7, 14), SeedStreams.BagOfEmbeddings.BlockIn.Of(7, 2));
        Assert.Equal(Seeds.Derive(7, 21), SeedStreams.Transformer.FeedForwardDown.Of(7, 2));
        Assert.Equal(Seeds.Derive(7, (2L << 32) | 5), SeedStreams.BalancedClustering.Split.Of(7, 2, 5));
        Assert.Equal(Seeds.Derive(7, 1_000_003), SeedStreams.NgameBatching.Clustering.Of(7, 3));
        // The collision fix: DEXA's batch draws are streams of their own root's seed.
        Assert.Equal(Seeds.Derive(Seeds.Derive(7, 8), (1L << 32) | 3), SeedStreams.Dexa.BatchDraws.Of(7, 1, 3));
    }

    [Fact]
    public void Only_the_tables_derive_seeds()
    {
        var src = Path.Combine(TestData.RepoRoot, "src");
        var callers = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.EndsWith("SeedStreams.cs", StringComparison.Ordinal)
                && !f.EndsWith($"Core{Path.DirectorySeparatorChar}Seeds.cs", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Seeds.Derive(", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(src, f)).ToList();
        Assert.Empty(callers);
    }
}
