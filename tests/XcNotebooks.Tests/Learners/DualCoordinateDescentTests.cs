using System.Diagnostics;
using System.Globalization;
using XcNotebooks.Data.Formats;
using XcNotebooks.Learners;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Learners;

public class DualCoordinateDescentTests
{
    // A tiny separable problem (x in R^2 plus a bias column of 1): positives around (2, 1), negatives around (-1, -2).
    private static readonly float[,] Points =
    {
        { 2, 1, 1 }, { 3, 2, 1 }, { 1.5f, 0.5f, 1 }, { 2, 2.5f, 1 }, { 0.5f, 1, 1 },
        { -1, -2, 1 }, { -2, -1, 1 }, { 0, -1.5f, 1 }, { -1.5f, -2.5f, 1 }, { -0.5f, -0.5f, 1 },
    };

    private static readonly sbyte[] Signs = [1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

    private static CsrMatrix Tiny => CsrMatrix.FromDense(Points);

    private static BinaryLearnerOptions Exact(BinaryLearnerKind kind, double cost = 1) =>
        new() { Kind = kind, Cost = cost, Tolerance = 1e-9, MaxIterations = 100_000 };

    [Theory]
    [InlineData(BinaryLearnerKind.SvmL2LossDual)]
    [InlineData(BinaryLearnerKind.SvmL1LossDual)]
    [InlineData(BinaryLearnerKind.LogisticDual)]
    public void DualObjectiveDecreasesPassAfterPass(BinaryLearnerKind kind)
    {
        var data = SyntheticData.MultiClass(4, 60, 200, 0, 10, seed: 3).Train;
        var x = data.Features;
        var y = Enumerable.Range(0, x.Rows).Select(i => (sbyte)(data.Labels.Has(i, 0) ? 1 : -1)).ToArray();
        // Runs stopped after 1, 2, ... passes with the same seed repeat each other's first passes.
        double previous = double.PositiveInfinity;
        for (int passes = 1; passes <= 8; passes++)
        {
            var options = new BinaryLearnerOptions { Kind = kind, Tolerance = 1e-12, MaxIterations = passes, Shrinking = false };
            var solution = DualCoordinateDescent.Solve(x, y, options, seed: 11);
            Assert.Equal(passes, solution.Iterations);
            double objective = DualCoordinateDescent.DualObjective(x, y, solution.Alpha, options);
            Assert.True(objective <= previous + 1e-9, $"pass {passes}: {objective} after {previous}");
            previous = objective;
        }
    }

    [Theory]
    [InlineData(BinaryLearnerKind.SvmL2LossDual, 1.0)]
    [InlineData(BinaryLearnerKind.SvmL1LossDual, 0.1)]
    [InlineData(BinaryLearnerKind.SvmL1LossDual, 10.0)]
    public void SvmSolutionMatchesProjectedGradientAndMeetsKkt(BinaryLearnerKind kind, double cost)
    {
        var options = Exact(kind, cost);
        var solution = DualCoordinateDescent.Solve(Tiny, Signs, options, seed: 1);
        bool l2 = kind == BinaryLearnerKind.SvmL2LossDual;
        double diagonal = l2 ? 0.5 / cost : 0, upper = l2 ? double.PositiveInfinity : cost;

        // w = sum alpha_i y_i x_i, recomputed here.
        var w = new double[3];
        for (int i = 0; i < Signs.Length; i++)
            for (int j = 0; j < 3; j++) w[j] += solution.Alpha[i] * Signs[i] * Points[i, j];
        for (int j = 0; j < 3; j++) Assert.Equal(w[j], solution.Weights[j], 1e-9);

        // KKT of the box-constrained dual: 0 <= alpha <= U and the projected gradient vanishes.
        for (int i = 0; i < Signs.Length; i++)
        {
            double a = solution.Alpha[i], margin = 0;
            for (int j = 0; j < 3; j++) margin += w[j] * Points[i, j];
            double g = Signs[i] * margin - 1 + diagonal * a;
            Assert.InRange(a, 0, upper);
            if (a <= 0) Assert.True(g >= -1e-6, $"alpha_{i} = 0 but gradient {g}");
            else if (a >= upper) Assert.True(g <= 1e-6, $"alpha_{i} = C but gradient {g}");
            else Assert.True(Math.Abs(g) <= 1e-6, $"alpha_{i} = {a} inside the box but gradient {g}");
        }

        // An independent solver: projected gradient descent on the same dual, run to convergence.
        var reference = ProjectedGradientDual(diagonal, upper);
        double ours = DualCoordinateDescent.DualObjective(Tiny, Signs, solution.Alpha, options);
        double theirs = DualCoordinateDescent.DualObjective(Tiny, Signs, reference, options);
        Assert.Equal(theirs, ours, 1e-7);
    }

    [Fact]
    public void LogisticSolutionSatisfiesThePrimalOptimality()
    {
        const double cost = 2;
        var solution = DualCoordinateDescent.Solve(Tiny, Signs, Exact(BinaryLearnerKind.LogisticDual, cost), seed: 4);
        // The primal optimum of 1/2 ||w||^2 + C sum log(1 + exp(-y w.x)) has w = C sum sigma(-y w.x) y x.
        var w = solution.Weights;
        var fixedPoint = new double[3];
        for (int i = 0; i < Signs.Length; i++)
        {
            double margin = 0;
            for (int j = 0; j < 3; j++) margin += w[j] * Points[i, j];
            double weight = cost / (1 + Math.Exp(Signs[i] * margin));
            Assert.Equal(weight, solution.Alpha[i], 1e-6); // alpha_i = C sigma(-y_i w.x_i)
            for (int j = 0; j < 3; j++) fixedPoint[j] += weight * Signs[i] * Points[i, j];
        }
        for (int j = 0; j < 3; j++) Assert.Equal(fixedPoint[j], w[j], 1e-6);
    }

    [Fact]
    public void ShrinkingReachesTheSameOptimum()
    {
        var data = SyntheticData.MultiClass(4, 60, 200, 0, 10, seed: 5).Train;
        var y = Enumerable.Range(0, data.NumPoints).Select(i => (sbyte)(data.Labels.Has(i, 1) ? 1 : -1)).ToArray();
        var options = Exact(BinaryLearnerKind.SvmL1LossDual);
        var shrunk = DualCoordinateDescent.Solve(data.Features, y, options, seed: 2);
        var plain = DualCoordinateDescent.Solve(data.Features, y, options with { Shrinking = false }, seed: 2);
        Assert.Equal(DualCoordinateDescent.DualObjective(data.Features, y, plain.Alpha, options),
            DualCoordinateDescent.DualObjective(data.Features, y, shrunk.Alpha, options), 1e-6);
    }

    [Fact]
    public void OneVsRestIsDeterministicAndPrunes()
    {
        var data = SyntheticData.MultiClass(10, 300, 300, 0, 200, seed: 9);
        var options = new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, Bias = 1, Seed = 3, NormalizeRows = false };
        var first = OneVsRestLinear.Train(data.Train, options);
        var second = OneVsRestLinear.Train(data.Train, options);
        Assert.Equal(first.Weights.Data, second.Weights.Data);
        Assert.True(first.Accuracy(data.Test) >= 90, $"accuracy {first.Accuracy(data.Test):F1}%");

        // Each column is its label's lone binary solution (the learner's seed is derived from the run's and its index).
        var y = Enumerable.Range(0, data.Train.NumPoints).Select(i => (sbyte)(data.Train.Labels.Has(i, 4) ? 1 : -1)).ToArray();
        var withBias = CsrMatrix.FromRows(301, Enumerable.Range(0, data.Train.NumPoints)
            .Select(i => data.Train.Features.RowEntries(i).Append((300, 1f))));
        var lone = DualCoordinateDescent.Solve(withBias, y, options.Learner, XcNotebooks.Core.Seeds.Derive(3, 4));
        for (int j = 0; j < 300; j++) Assert.Equal((float)lone.Weights[j], first.Weights[j, 4]);
        Assert.Equal((float)lone.Weights[300], first.BiasWeights[4]);

        var pruned = OneVsRestLinear.Train(data.Train, options with { Learner = options.Learner with { PruneBelow = 0.01 } });
        long expectedKept = first.Weights.Data.Count(v => Math.Abs(v) >= 0.01f);
        Assert.Equal(expectedKept, pruned.NonZeroWeights);
        Assert.True(pruned.NonZeroWeights < first.NonZeroWeights);
        Assert.Equal(Math.Min(8 * expectedKept, 4L * 300 * 10) + 4 * 10, pruned.ModelBytes);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    public void OneVsRestColumnsAreLoneSolutionsAcrossWeightBlocks(float bias)
    {
        // 37 labels: the trainer hands weights over in blocks of 16 columns (and the bias weights apart), so blocks
        // 0-15, 16-31 and the short 32-36 are each checked against the lone binary solution of every label.
        var data = SyntheticData.MultiClass(37, 120, 400, 0, 10, seed: 13);
        var options = new OneVsRestOptions { Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, Bias = bias, Seed = 5 };
        var model = OneVsRestLinear.Train(data.Train, options);
        Assert.Equal(120, model.NumFeatures);
        var x = OneVsRestLinear.TrainingFeatures(data.Train, options);
        for (int l = 0; l < 37; l++)
        {
            var y = Enumerable.Range(0, data.Train.NumPoints).Select(i => (sbyte)(data.Train.Labels.Has(i, l) ? 1 : -1)).ToArray();
            var lone = DualCoordinateDescent.Solve(x, y, options.Learner, XcNotebooks.Core.Seeds.Derive(5, l));
            for (int j = 0; j < 120; j++) Assert.Equal((float)lone.Weights[j], model.Weights[j, l]);
            Assert.Equal(bias > 0 ? (float)lone.Weights[120] : 0f, model.BiasWeights[l]);
        }
    }

    [Fact]
    public void WltlsEdgesTrainedByDualCoordinateDescent()
    {
        var data = SyntheticData.MultiClass(10, 300, 300, 0, 200, seed: 9);
        var options = new XcNotebooks.Methods.Wltls.WltlsOptions { SliceWidth = 2, Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, Seed = 1 };
        var training = XcNotebooks.Methods.Wltls.Wltls.TrainDetailed(data.Train, null, options);
        // Each edge's column is the lone binary solution on the edge's ±1 labels (its codeword bit of each point's class).
        var model = training.Best;
        var coding = model.Graph.CodingMatrix();
        int edges = model.Graph.NumEdges, edge = edges / 2;
        var y = Enumerable.Range(0, data.Train.NumPoints)
            .Select(i => coding[(long)model.CodewordOfClass[data.Train.Labels.LabelsOf(i)[0]] * edges + edge]).ToArray();
        var lone = DualCoordinateDescent.Solve(data.Train.Features, y, options.Learner, XcNotebooks.Core.Seeds.Derive(1, edge));
        for (int j = 0; j < 300; j++) Assert.Equal((float)lone.Weights[j], model.Weights[j, edge]);
        Assert.Single(training.Epochs);
        Assert.True(model.Accuracy(data.Test) >= 80, $"accuracy {model.Accuracy(data.Test):F1}%");
        Assert.Throws<ArgumentException>(() => XcNotebooks.Methods.Wltls.Wltls.Train(data.Train, null,
            options with { PathAssignment = XcNotebooks.Methods.Wltls.PathAssignmentPolicy.Greedy }));
    }

    [Fact]
    public void PredictsAsLiblinearTrainDashS1()
    {
        Assert.SkipWhen(!File.Exists("/usr/bin/liblinear-train"), "liblinear-tools is not installed");
        var data = SyntheticData.MultiClass(6, 200, 400, 0, 300, seed: 21);
        string folder = Directory.CreateTempSubdirectory("xcn-liblinear").FullName;
        try
        {
            string train = Path.Combine(folder, "train.svm"), test = Path.Combine(folder, "test.svm");
            string model = Path.Combine(folder, "model"), output = Path.Combine(folder, "pred");
            LibSvmFormat.Write(train, data.Train);
            LibSvmFormat.Write(test, data.Test);
            Run("liblinear-train", $"-s 1 -B 1 -q {train} {model}");
            Run("liblinear-predict", $"{test} {model} {output}");
            var theirs = File.ReadAllLines(output).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
            var ours = OneVsRestLinear.Train(data.Train, new OneVsRestOptions
            {
                Learner = new BinaryLearnerOptions { Kind = BinaryLearnerKind.SvmL2LossDual }, Bias = 1, NormalizeRows = false,
            }).Predict(data.Test);
            // Both stop at the same tolerance from different visiting orders: nearly all predictions agree.
            int agree = ours.Zip(theirs).Count(p => p.First == p.Second);
            Assert.True(agree >= 0.97 * ours.Length, $"{agree} of {ours.Length} predictions agree with liblinear");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static void Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {arguments}: exit {process.ExitCode}: {errors}");
    }

    // Minimises 1/2 alpha^T Q alpha - sum alpha, Q_ij = y_i y_j x_i.x_j + D [i = j], over 0 <= alpha <= U by projected
    // gradient steps of 1 / (largest row sum of |Q|), which bounds Q's largest eigenvalue.
    private static double[] ProjectedGradientDual(double diagonal, double upper)
    {
        int n = Signs.Length;
        var q = new double[n, n];
        double bound = 0;
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int k = 0; k < n; k++)
            {
                double dot = 0;
                for (int j = 0; j < 3; j++) dot += (double)Points[i, j] * Points[k, j];
                q[i, k] = Signs[i] * Signs[k] * dot + (i == k ? diagonal : 0);
                row += Math.Abs(q[i, k]);
            }
            bound = Math.Max(bound, row);
        }
        var alpha = new double[n];
        for (int step = 0; step < 200_000; step++)
        {
            var gradient = new double[n];
            for (int i = 0; i < n; i++)
            {
                gradient[i] = -1;
                for (int k = 0; k < n; k++) gradient[i] += q[i, k] * alpha[k];
            }
            for (int i = 0; i < n; i++) alpha[i] = Math.Clamp(alpha[i] - gradient[i] / bound, 0, upper);
        }
        return alpha;
    }
}
