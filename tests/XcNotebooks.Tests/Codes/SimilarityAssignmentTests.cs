using XcNotebooks.Hierarchies;
using XcNotebooks.Methods.Wltls;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Codes;

public class SimilarityAssignmentTests
{
    // Four 3-bit codewords: {0}, {1}, {0,1}, {0,1,2}. Hamming distances: (0,1) 2, (0,2) 1, (0,3) 2, (1,2) 1, (1,3) 2, (2,3) 1.
    private static readonly int[][] SmallCode = [[0], [1], [0, 1], [0, 1, 2]];

    private static CondensedDistances SmallCodeDistances() => CodewordDistances.Hamming(4, 3, w => SmallCode[w]);

    [Fact]
    public void HammingDistancesByHand() =>
        Assert.Equal(new double[] { 2, 1, 2, 1, 2, 1 }, SmallCodeDistances().Values);

    [Fact]
    public void HammingMatchesBruteForceOnWideCodewords()
    {
        var rng = new Random(2);
        var code = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 150).Where(_ => rng.Next(3) == 0).ToArray()).ToArray();
        var d = CodewordDistances.Hamming(code.Length, 150, w => code[w]);
        for (int a = 0; a < code.Length; a++)
            for (int b = a + 1; b < code.Length; b++)
                Assert.Equal(code[a].Except(code[b]).Count() + code[b].Except(code[a]).Count(), d[a, b]);
    }

    [Fact]
    public void Eq5IsZeroForTheIdentityAndKnownForASwap()
    {
        // Class distances equal to the codeword distances: the identity assignment preserves them exactly.
        var codewords = SmallCodeDistances();
        var classes = new CondensedDistances(4, (double[])codewords.Values.Clone());
        Assert.Equal(0.0, AssignmentScore.Eq5(classes, codewords, PathAssignment.Fixed([0, 1, 2, 3])), 12);

        // Swapping classes 0 and 2: class-order codeword distances become (0,1) 1, (0,2) 1, (0,3) 1, (1,2) 2,
        // (1,3) 2, (2,3) 2. Both matrices have full Frobenius norm sqrt(30); the squared differences of the pairs
        // sum to 1+0+1+1+0+1 = 4, counted twice in the full matrix: 8 / 30 = 4 / 15.
        var swapped = PathAssignment.Fixed([2, 1, 0, 3]);
        Assert.Equal(4.0 / 15, AssignmentScore.Eq5(classes, codewords, swapped), 12);
    }

    [Fact]
    public void Eq5IgnoresScaleOfEitherMatrix()
    {
        var codewords = SmallCodeDistances();
        var classes = new CondensedDistances(4, codewords.Values.Select(v => 7.5 * v).ToArray());
        var assignment = PathAssignment.Random(4, seed: 1);
        var scaled = new CondensedDistances(4, codewords.Values.Select(v => 2 * v).ToArray());
        Assert.Equal(AssignmentScore.Eq5(classes, codewords, assignment), AssignmentScore.Eq5(classes, scaled, assignment), 12);
    }

    [Fact]
    public void AssignmentFromAHandMadeTreeFollowsPreOrder()
    {
        // Root 6 -> (7 -> (4, 0), 2, 8 -> (5, 3, 1)): classes in pre-order 4, 0, 2, 5, 3, 1 get codewords 0..5.
        var h = LabelHierarchy.FromEdges([(6, 7), (6, 2), (6, 8), (7, 4), (7, 0), (8, 5), (8, 3), (8, 1)], 6);
        var assignment = SimilarityAssignment.FromHierarchy(h);
        Assert.Equal([4, 0, 2, 5, 3, 1], assignment.ClassOfCodeword);
        Assert.Equal([1, 5, 2, 4, 0, 3], assignment.CodewordOfClass);
    }

    [Fact]
    public void SimilarityAssignmentBeatsRandomOnAStructuredProblem()
    {
        // 32 classes whose means lie on a line, shuffled ids; a 5-bit binary code with the Gray-code order, in which
        // consecutive codewords differ in one bit. The similarity assignment orders classes along the line.
        int k = 32;
        var rng = new Random(11);
        var position = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        rng.Shuffle(position);
        var features = CsrMatrix.FromRows(1, Enumerable.Range(0, k).Select(c => new[] { (0, (float)(position[c] + 1)) }));
        var data = new Dataset(features, LabelMatrix.FromClasses(Enumerable.Range(0, k).ToArray(), k));
        var classDistances = ClassDistances.EuclideanBetweenMeans(data);
        var codewordDistances = CodewordDistances.Hamming(k, 5,
            w => Enumerable.Range(0, 5).Where(b => ((w ^ (w >> 1)) >> b & 1) == 1).ToArray());

        var similarity = SimilarityAssignment.FromFeatures(data);
        // Average linkage on a line only merges neighbouring intervals, so the classes under the root's first child
        // (which take the first codewords) form an interval at one end of the line.
        var firstHalf = similarity.ClassOfCodeword.Take(LeftSubtreeSize(classDistances)).Select(c => position[c]).Order().ToArray();
        Assert.True(firstHalf[0] == 0 || firstHalf[^1] == k - 1);
        Assert.Equal(firstHalf[^1] - firstHalf[0] + 1, firstHalf.Length);

        double score = AssignmentScore.Eq5(classDistances, codewordDistances, similarity);
        var random = AssignmentScore.RandomBaseline(classDistances, codewordDistances, permutations: 20, seed: 4);
        Assert.Equal(20, random.Values.Count);
        Assert.True(score < random.Values.Min(), $"similarity {score} vs random {random}");
    }

    private static int LeftSubtreeSize(CondensedDistances d)
    {
        var h = AgglomerativeClustering.Fit(d, LinkageMethod.Average).ToHierarchy();
        return h.LeavesInPreOrder.Count - h.PreOrder.SkipWhile(v => v != h.Children(h.Root)[1]).Count(h.IsLeaf);
    }

    [Fact]
    public void RandomBaselineIsReproducible()
    {
        var codewords = SmallCodeDistances();
        var classes = new CondensedDistances(4, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(AssignmentScore.RandomBaseline(classes, codewords, 6, seed: 9).Values,
            AssignmentScore.RandomBaseline(classes, codewords, 6, seed: 9).Values);
    }

    [Fact]
    public void AuthorsPrecomputedAssignmentsLoad()
    {
        var path = TestData.Shared("wltls-assignments", "precomputed_assignments.json");
        Assert.SkipWhen(path is null || !File.Exists(path), "../shared/data/wltls-assignments is not on this machine");
        var all = PrecomputedAssignments.Load(path!);
        Assert.Equal(["LSHTC1", "aloi_bin"], all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(12294, all["LSHTC1"].NumClasses);
        var aloi = all["aloi_bin"];
        Assert.Equal(1000, aloi.NumClasses);
        // The list holds the class of each codeword: codeword 0 carries class 371, codeword 1 class 2.
        Assert.Equal([371, 2, 15, 231, 490], aloi.ClassOfCodeword.Take(5));
        Assert.Equal(0, aloi.CodewordOfClass[371]);
        Assert.Equal(1, aloi.CodewordOfClass[2]);
        Assert.Equal(2378, PrecomputedAssignments.Load(path!, "LSHTC1").ClassOfCodeword[0]);
        Assert.Equal(aloi.ClassOfCodeword, PathAssignment.LoadClassOrder(path!, "aloi_bin"));
    }

    [Fact]
    public void SavedAssignmentsLoadBack()
    {
        var path = Path.Combine(TestData.TempDir(), "assignments.json");
        var saved = new Dictionary<string, PathAssignment>
        {
            ["small"] = PathAssignment.FromClassOrder([2, 0, 1]),
            ["random"] = PathAssignment.Random(50, seed: 3),
        };
        PrecomputedAssignments.Save(path, saved);
        var loaded = PrecomputedAssignments.Load(path);
        Assert.Equal([2, 0, 1], loaded["small"].ClassOfCodeword);
        Assert.Equal(saved["random"].CodewordOfClass, loaded["random"].CodewordOfClass);
        Assert.Equal([2, 0, 1], PrecomputedAssignments.Load(path, "small").ClassOfCodeword);
        Assert.Contains("name one of them", Assert.Throws<DataFormatException>(() => PrecomputedAssignments.LoadOnly(path)).Message);
    }

    [Theory]
    [InlineData("{\"a\": [0, 1, 2],\n \"b\": [1, 1, 0]}", 2, "'b': class order: value 1 appears twice")]
    [InlineData("{\"a\": [0, 3, 1]}", 1, "'a': class order: entry 1 is 3, outside 0..2")]
    [InlineData("{\"a\": []}", 1, "'a' is empty")]
    [InlineData("{\"a\": [0,\n 1,\n 2.5]}", 3, "'2.5' is not an integer")]
    [InlineData("3", 1, "expected a JSON object")]
    [InlineData("{\"a\": [0, 1]", 1, "not valid JSON")]
    [InlineData("{\"a\": 3}", 1, "expected a list")]
    public void MalformedAssignmentFilesNameTheLine(string content, int line, string problem)
    {
        var path = TestData.TempFile("assignments.json", content);
        var e = Assert.Throws<DataFormatException>(() => PrecomputedAssignments.Load(path));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ABareListIsOneAssignment()
    {
        var path = TestData.TempFile("order.json", "[2, 0, 1]");
        var assignment = PrecomputedAssignments.LoadOnly(path);
        Assert.Equal([1, 2, 0], assignment.CodewordOfClass);
        Assert.Equal([""], PrecomputedAssignments.Load(path).Keys);
    }

    [Fact]
    public void MissingKeyIsNamed()
    {
        var path = TestData.TempFile("assignments.json", "{\"a\": [0]}");
        Assert.Contains("no assignment named 'b'", Assert.Throws<DataFormatException>(() => PrecomputedAssignments.Load(path, "b")).Message);
    }
}
