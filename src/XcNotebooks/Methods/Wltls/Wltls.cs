using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.Wltls;

/// <summary>One training epoch: online train accuracy, validation accuracy (null without a heldout split) and times.</summary>
public sealed record WltlsEpoch(int Epoch, double TrainAccuracy, double? ValidationAccuracy, double TrainSeconds, double? ValidationSeconds, bool IsBest);

/// <summary>
/// Everything a W-LTLS training run produced: the best-validated model (the method's result), the model of the last
/// epoch (what the original code's "final model" line reports), per-epoch figures and the binary loss.
/// </summary>
public sealed record WltlsTraining(
    WltlsModel Best,
    WltlsModel LastEpoch,
    IReadOnlyList<WltlsEpoch> Epochs,
    int BestEpoch,
    int AssignedLabels,
    double AverageBinaryLoss,
    bool EarlyStopped)
{
    /// <summary>
    /// The Eq. 5 score (AISTATS 2023) of the assignment used, beside random assignments; null when not computed
    /// (<see cref="WltlsOptions.ScoreAssignment"/> off, or too many classes).
    /// </summary>
    public AssignmentQuality? AssignmentQuality { get; init; }

    /// <summary>Online train accuracy (percent) per epoch, the curve a chart over epochs takes.</summary>
    public double[] TrainAccuracies => Epochs.Select(e => e.TrainAccuracy).ToArray();

    /// <summary>Validation accuracy (percent) per epoch; empty without a heldout split.</summary>
    public double[] ValidationAccuracies => Epochs.Where(e => e.ValidationAccuracy.HasValue).Select(e => e.ValidationAccuracy!.Value).ToArray();
}

/// <summary>
/// W-LTLS (Evron, Moroshko, Crammer, NeurIPS 2018): multi-class classification with one linear learner per edge of a
/// wide trellis graph, trained online (the edges in parallel), and loss-based decoding of the heaviest path.
/// </summary>
public static class Wltls
{
    /// <summary>The CLI and model-file name of the method.</summary>
    public const string MethodName = "wltls";

    /// <summary>The progress stage of the online epochs: one phase that starts over each epoch (the epoch is in the message).</summary>
    public const string TrainStage = "W-LTLS training";

    /// <summary>Trains a model; returns the best-validated one (the last epoch's without a heldout split).</summary>
    public static WltlsModel Train(Dataset train, Dataset? heldout, WltlsOptions? options = null, TrainingMonitor? monitor = null) =>
        TrainDetailed(train, heldout, options, monitor).Best;

    /// <summary>
    /// Trains a model and returns the best-validated and last-epoch models with the per-epoch history. Logs the
    /// original implementation's lines through <paramref name="monitor"/> and reports a progress bar per epoch.
    /// </summary>
    public static WltlsTraining TrainDetailed(Dataset train, Dataset? heldout, WltlsOptions? options = null, TrainingMonitor? monitor = null) =>
        TrainOnRanks(train, heldout, options, SingleProcessCollective.Instance, monitor)!;

    /// <summary>
    /// <see cref="TrainDetailed"/> across the ranks of <paramref name="collective"/> (every rank calls it with the same
    /// data and options), label-sharded by trellis edge: each edge's learner is trained by one rank
    /// (dealt by <see cref="EdgeCosts"/>), with the targets and seed it has in one process, and the ranks exchange nothing
    /// while they learn. Rank 0 gathers what needs every edge (an epoch's margins for the online train accuracy, the
    /// weights for validation and at the end) and returns the training one process returns, the same models byte for
    /// byte; the other ranks return null. Model selection (best epoch, early stopping) is decided on rank 0 from the
    /// merged model's validation accuracy and broadcast. On one rank this is <see cref="TrainDetailed"/> itself.
    /// The path assignment must be fixed before training (not greedy) on more than one rank.
    /// </summary>
    /// <param name="train">Training points (the same on every rank).</param>
    /// <param name="heldout">Validation points, used on rank 0 only (null on every rank or on none).</param>
    /// <param name="options">Settings (the same on every rank).</param>
    /// <param name="collective">The ranks.</param>
    /// <param name="monitor">Log and progress, on rank 0.</param>
    internal static WltlsTraining? TrainOnRanks(Dataset train, Dataset? heldout, WltlsOptions? options, ICollective collective, TrainingMonitor? monitor)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(collective);
        options ??= new WltlsOptions();
        bool root = collective.IsRoot();
        monitor = root ? monitor ?? TrainingMonitor.Silent : TrainingMonitor.Silent;
        var classes = MultiClassLabels(train);
        int numClasses = train.NumLabels, dimension = train.NumFeatures;
        options.Validate(numClasses);
        if (heldout is not null)
        {
            if (heldout.NumLabels != numClasses)
                throw new ArgumentException($"{heldout.Name} has {heldout.NumLabels} labels, {train.Name} has {numClasses}");
            if (heldout.NumFeatures > dimension)
                throw new ArgumentException($"{heldout.Name} has {heldout.NumFeatures} features, {train.Name} has {dimension}");
        }

        monitor.Write("Learning a Wide-LTLS model.");
        var graph = TrellisGraph.Create(numClasses, options.SliceWidth);
        monitor.Write($"Created a trellis graph with a slice width of b={options.SliceWidth}.");
        var decoder = new LossBasedDecoder(graph, options.DecodingLoss, options.DecodingScale);
        monitor.Write($"Created a heaviest path decoder with {graph.NumEdges} edges.");
        // Euclidean distances between class means: clustered by the similarity policy, and the Eq. 5 score's D_cls.
        var classDistances = new Lazy<CondensedDistances>(() => ClassDistances.EuclideanBetweenMeans(train));
        if (collective.Size > 1 && options.PathAssignment == PathAssignmentPolicy.Greedy)
            throw new ArgumentException(GreedyNotShardable);
        var assignment = CreateAssignment(options, numClasses, classDistances, monitor);
        if (collective.Size > 1) // every rank learns rank 0's codewords (the similarity clustering runs on each)
            assignment = PathAssignment.Fixed(MemoryMarshal.Cast<byte, int>(collective.Broadcast(
                root ? MemoryMarshal.AsBytes(assignment.CodewordOfClass.AsSpan()).ToArray() : null, 0)).ToArray(), assignment.Policy);
        int[][] shards = collective.Size == 1 ? [Enumerable.Range(0, graph.NumEdges).ToArray()]
            : LabelShards.BalancedByCost(EdgeCosts(options.Learner, classes, graph, assignment), collective.Size).ToArray();
        if (shards.Length != collective.Size || shards.Sum(e => e.Length) != graph.NumEdges)
            throw new InvalidOperationException($"the edges were dealt to {shards.Length} ranks ({shards.Sum(e => e.Length)} of {graph.NumEdges} edges), not to {collective.Size}");
        var ranks = new RankShards(collective, shards);
        monitor.Write($"Using a {assignment.Policy} path assignment policy.");
        monitor.Write($"Using {options.Learner.DisplayName} as the binary classifier.");
        monitor.Write($"Decoding according to the {DecodingLosses.Name(options.DecodingLoss)} loss.");
        monitor.Write($"Model size: {Megabytes(4L * dimension * graph.NumEdges)}");
        if (collective.Size > 1)
            monitor.Write($"Rank 0 of {collective.Size}: trains {shards[0].Length} of {graph.NumEdges} edges; the other ranks {string.Join(", ", shards.Skip(1).Select(e => e.Length))}.");
        var trained = options.Learner.IsOnline
            ? TrainOnline(train, heldout, options, monitor, classes, graph, decoder, assignment, ranks)
            : TrainBatch(train, heldout, options, monitor, classes, graph, assignment, ranks);
        if (trained is null) return null; // a rank other than 0: its edges went to rank 0
        var (best, last, epochs, bestEpoch, assigned, earlyStopped) = trained;
        // Without a heldout split nothing was validated (so nothing saved yet): the checkpoint is the last epoch's model.
        if (heldout is null && options.CheckpointPath is { } path) best.Save(path);
        double binaryLoss = AverageBinaryLoss(best, train.Features, classes);
        AssignmentQuality? quality = null;
        if (options.ScoreAssignment && numClasses <= options.ScoreAssignmentMaxClasses)
        {
            var codewordDistances = CodewordDistances.Hamming(numClasses, graph.NumEdges, graph.PathEdges);
            quality = AssignmentScore.Evaluate(classDistances.Value, codewordDistances, assignment, seed: SeedStreams.Wltls.AssignmentQuality.Of(options.Seed));
        }
        var training = new WltlsTraining(best, last, epochs, bestEpoch, assigned, binaryLoss, earlyStopped) { AssignmentQuality = quality };
        best.Training = training;
        return training;
    }

    private sealed record TrainedModels(WltlsModel Best, WltlsModel Last, IReadOnlyList<WltlsEpoch> Epochs, int BestEpoch, int Assigned, bool EarlyStopped);

    /// <summary>Why the greedy path assignment cannot be label-sharded (the error names the option).</summary>
    internal const string GreedyNotShardable =
        "label-sharded W-LTLS needs a path assignment fixed before training (PathAssignment / --path-assignment random, similarity or fixed): " +
        "the greedy assignment gives each new class a codeword from every edge's margins while training, so the edges cannot train apart";

    /// <summary>
    /// The cost of training each trellis edge, by which the edges are dealt to ranks. An online learner's is the same
    /// for every edge (one SIMD lane over every point); a dual coordinate descent learner's is estimated as 1 + the
    /// points on the smaller side of the edge (its support vectors come from there).
    /// </summary>
    internal static double[] EdgeCosts(BinaryLearnerOptions learner, int[] classes, TrellisGraph graph, PathAssignment assignment)
    {
        int edges = graph.NumEdges;
        var cost = new double[edges];
        if (learner.IsOnline)
        {
            Array.Fill(cost, 1.0);
            return cost;
        }
        var coding = graph.CodingMatrix();
        var positives = new long[edges];
        foreach (int cls in classes)
        {
            long at = (long)assignment.CodewordOf(cls) * edges;
            for (int e = 0; e < edges; e++) if (coding[at + e] > 0) positives[e]++;
        }
        for (int e = 0; e < edges; e++) cost[e] = 1 + Math.Min(positives[e], classes.Length - positives[e]);
        return cost;
    }

    /// <summary>
    /// The ranks and the edges each trains; merges column blocks (a shard's values for its edges, rows x its edge
    /// count, row-major) into rows x all edges on rank 0. On one rank the shard is every edge in order: nothing is copied.
    /// </summary>
    private sealed class RankShards(ICollective collective, int[][] shards)
    {
        public ICollective Collective => collective;

        public bool IsRoot => collective.IsRoot();

        /// <summary>This rank's edges.</summary>
        public int[] Edges => shards[collective.Rank];

        /// <summary>The matrix of every edge on rank 0 (null elsewhere) from each rank's block of its own edges.</summary>
        public RowMajorMatrix? Gather(RowMajorMatrix block, int rows, int edges)
        {
            if (collective.Size == 1) return block;
            var merged = IsRoot ? new RowMajorMatrix(rows, edges) : null;
            collective.Gather(block.Data, 0, (rank, values) =>
            {
                var ids = shards[rank];
                if (values.LongLength != (long)rows * ids.Length)
                    throw new InvalidOperationException($"rank {rank} sent {values.LongLength:N0} values for {ids.Length} edges of {rows:N0} rows");
                if (ids.Length == 0) return;
                for (int j = 0; j < rows; j++)
                {
                    var source = values.AsSpan(j * ids.Length, ids.Length);
                    var target = merged!.Row(j);
                    for (int c = 0; c < ids.Length; c++) target[ids[c]] = source[c];
                }
            });
            return merged;
        }

        /// <summary>Rank 0's flag on every rank.</summary>
        public bool Broadcast(bool flag) => collective.Size == 1 ? flag : collective.Broadcast(IsRoot ? [flag ? (byte)1 : (byte)0] : null, 0)[0] != 0;
    }

    /// <summary>
    /// A batch learner (dual coordinate descent) trains every edge once, to its tolerance, on the codewords of a
    /// complete assignment: one "epoch" in the history. The greedy policy needs online margins, so it is refused.
    /// Each rank trains its own edges; rank 0 merges them (null on the other ranks).
    /// </summary>
    private static TrainedModels? TrainBatch(Dataset train, Dataset? heldout, WltlsOptions options, TrainingMonitor monitor, int[] classes,
        TrellisGraph graph, PathAssignment assignment, RankShards ranks)
    {
        if (options.PathAssignment == PathAssignmentPolicy.Greedy)
            throw new ArgumentException($"the greedy path assignment needs an online binary learner (AROW or perceptron), not {options.Learner.DisplayName}");
        int assigned = assignment.AssignRemaining(), edges = graph.NumEdges;
        var coding = graph.CodingMatrix();
        var clock = Stopwatch.StartNew();
        var own = ranks.Edges;
        // Learner ids are edge ids: each edge's learner gets the targets and seed it gets in one process.
        var block = own.Length == 0 ? new RowMajorMatrix(train.NumFeatures, 0) : LinearLearners.TrainWeights(options.Learner, train.Features, own,
            (i, edge, labels) => labels[0] = coding[(long)assignment.CodewordOf(classes[i]) * edges + edge], options.Seed, monitor, "W-LTLS edges");
        var weights = ranks.Gather(block, train.NumFeatures, edges);
        if (weights is null) return null;
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var model = new WltlsModel(graph, options.DecodingLoss, assignment.CodewordOfClass, weights, options);
        double trainAccuracy = model.Accuracy(train);
        clock.Restart();
        double? validation = heldout is null ? null : model.Accuracy(heldout);
        double? validationSeconds = heldout is null ? null : clock.Elapsed.TotalSeconds;
        string validated = validation is { } v ? string.Create(CultureInfo.InvariantCulture, $"\tValidation: {v:F1}%.") : "";
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Train: {trainAccuracy:F1}% in {Duration(trainSeconds)}.{validated}"));
        if (heldout is not null && options.CheckpointPath is { } checkpoint) model.Save(checkpoint);
        return new TrainedModels(model, model, [new WltlsEpoch(1, trainAccuracy, validation, trainSeconds, validationSeconds, true)], 1, assigned, false);
    }

    /// <summary>
    /// The online epochs. Each rank's learner banks hold its own edges; an epoch's pre-update margins (for the online
    /// train accuracy) and, with a heldout split, the epoch's weights are gathered on rank 0, which decodes,
    /// validates, keeps the best weights, saves the checkpoint and decides early stopping for every rank.
    /// </summary>
    private static TrainedModels? TrainOnline(Dataset train, Dataset? heldout, WltlsOptions options, TrainingMonitor monitor, int[] classes,
        TrellisGraph graph, LossBasedDecoder decoder, PathAssignment assignment, RankShards ranks)
    {
        int edges = graph.NumEdges, dimension = train.NumFeatures;
        if (heldout is null && ranks.Collective.Size == 1 && options.PathAssignment != PathAssignmentPolicy.Greedy)
        {
            int blocks = EdgeBlocks(options, dimension, edges);
            if (blocks > 1) return TrainOnlineInBlocks(train.Features, options, monitor, classes, graph, decoder, assignment, blocks);
        }
        var own = ranks.Edges;
        var learners = own.Length == 0 ? [] : OnlineLinearTraining.CreateBanks(options.Learner, dimension, own.Length);

        var run = new EpochRunner(train.Features, classes, graph, decoder, assignment, learners, own, options, monitor);
        var epochs = new List<WltlsEpoch>();
        RowMajorMatrix? bestWeights = null, lastValidated = null;
        double bestValidation = double.NegativeInfinity;
        int bestEpoch = 0, assigned = 0, withoutImprovement = 0;
        bool earlyStopped = false;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double trainAccuracy = run.Epoch(epoch, ranks);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var line = new System.Text.StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"Train epoch {epoch + 1}/{options.Epochs}: {trainAccuracy:F1}% in {Duration(trainSeconds)}.\t");
            // Before the first evaluation every class needs a codeword (classes absent from the training data too).
            if (epoch == 0) assigned = assignment.AssignRemaining();
            double? validation = null, validationSeconds = null;
            bool isBest = false;
            if (heldout is null)
            {
                isBest = true;
                bestEpoch = epoch;
                bestWeights = null;
            }
            else
            {
                clock.Restart();
                lastValidated = null; // the previous epoch's weights (unless they are the best) are collectable now
                var weights = ranks.Gather(Stack(learners, dimension), dimension, edges);
                if (weights is not null)
                {
                    lastValidated = weights;
                    var model = new WltlsModel(graph, options.DecodingLoss, assignment.CodewordOfClass, weights, options);
                    validation = model.Accuracy(heldout);
                    validationSeconds = clock.Elapsed.TotalSeconds;
                    line.Append(CultureInfo.InvariantCulture, $"Validation: {validation:F1}% ({Duration(validationSeconds.Value)}).\t");
                    if (epoch == 0) line.Append(CultureInfo.InvariantCulture, $"Assigned {assigned} labels. ");
                    // As the original code: only a drop counts as no improvement, so on ties the later epoch is kept.
                    isBest = validation >= bestValidation;
                    if (isBest)
                    {
                        bestValidation = validation.Value;
                        bestWeights = weights;
                        bestEpoch = epoch;
                        withoutImprovement = 0;
                        if (options.CheckpointPath is { } checkpoint)
                        {
                            clock.Restart();
                            model.Save(checkpoint);
                            line.Append(CultureInfo.InvariantCulture, $"Saved model ({Duration(clock.Elapsed.TotalSeconds)}).");
                        }
                    }
                    else withoutImprovement++;
                }
            }
            monitor.Write(line.ToString().TrimEnd());
            epochs.Add(new WltlsEpoch(epoch + 1, trainAccuracy, validation, trainSeconds, validationSeconds, isBest));
            // Rank 0 alone validated: its decision holds for every rank (nothing to exchange without early stopping).
            if (options.EarlyStopping && ranks.Broadcast(withoutImprovement >= 2 && epoch + 1 < options.Epochs))
            {
                monitor.Write("Early stopping!");
                earlyStopped = true;
                break;
            }
        }

        // With a heldout split the last epoch's weights were gathered (on every rank) to validate them, and nothing has
        // learned since: they are the last model. Otherwise each bank is dropped once its weights are copied out, so
        // the learners' state (weights and AROW's covariance) and the stacked weights are not all held at once.
        var lastWeights = heldout is not null ? lastValidated
            : ranks.Gather(learners.Length == 0 ? new RowMajorMatrix(dimension, 0) : OnlineLinearTraining.StackWeightsReleasing(learners), dimension, edges);
        if (lastWeights is null) return null;
        var codewordOfClass = assignment.CodewordOfClass;
        var last = new WltlsModel(graph, options.DecodingLoss, codewordOfClass, lastWeights, options);
        // The best epoch is often the last: then both models share its weights instead of holding two equal copies.
        var best = bestWeights is null || ReferenceEquals(bestWeights, lastWeights) ? last
            : new WltlsModel(graph, options.DecodingLoss, codewordOfClass, bestWeights, options);
        return new TrainedModels(best, last, epochs, bestEpoch + 1, assigned, earlyStopped);
    }

    /// <summary>
    /// The blocks <see cref="TrainOnlineInBlocks"/> trains the edges in: <see cref="WltlsOptions.EdgeBlocks"/>, or
    /// automatically enough that a block's learner state (two floats per feature and edge) is at most a quarter of the
    /// model's eighth or <see cref="BlockStateBytes"/>, whichever is larger; never more blocks than SIMD vectors of edges.
    /// </summary>
    internal static int EdgeBlocks(WltlsOptions options, int dimension, int edges)
    {
        if (options.EdgeBlocks < 0) throw new ArgumentException($"edge blocks must be 0 (automatic) or positive, got {options.EdgeBlocks}");
        int vectors = (edges + LanesPerVector - 1) / LanesPerVector;
        if (options.EdgeBlocks > 0) return Math.Min(options.EdgeBlocks, vectors);
        long modelBytes = 4L * dimension * edges, stateBytes = 2 * modelBytes;
        long perBlock = Math.Max(modelBytes / 8, BlockStateBytes);
        return (int)Math.Clamp((stateBytes + perBlock - 1) / perBlock, 1, vectors);
    }

    /// <summary>The learner state a block may hold however small the model (below it, blocks would only cost passes).</summary>
    internal const long BlockStateBytes = 32L << 20;

    private static int LanesPerVector => System.Numerics.Vector.IsHardwareAccelerated ? System.Numerics.Vector<float>.Count : 1;

    /// <summary>The first edge of each of <paramref name="blocks"/> blocks and the edge count at the end: whole SIMD vectors of edges, as even as they go.</summary>
    internal static int[] EdgeBlockBounds(int edges, int blocks)
    {
        int lanes = LanesPerVector, vectors = (edges + lanes - 1) / lanes;
        if (blocks < 1 || blocks > vectors) throw new ArgumentOutOfRangeException(nameof(blocks), $"{blocks} blocks for {vectors} SIMD vectors of edges");
        var bounds = new int[blocks + 1];
        for (int b = 0, v = 0; b < blocks; b++)
        {
            v += vectors / blocks + (b < vectors % blocks ? 1 : 0);
            bounds[b + 1] = Math.Min(edges, v * lanes);
        }
        return bounds;
    }

    /// <summary>
    /// The online epochs with the edges in blocks (one process, an assignment fixed before training, no heldout split):
    /// each block's learner banks make every epoch's passes (the same point orders) and write their weights into the
    /// model's columns, then are dropped before the next block's are made, so only one block's learner state is held
    /// beside the model. The edges are independent, so each learner sees what it sees when every edge trains at once:
    /// the same weights bit for bit. The online train accuracy needs every edge's pre-update margins on a point, so
    /// each block's margins go to a temporary file (deleted on close) and are decoded, epoch by epoch, once every
    /// block has trained: the same figures, logged after the last block.
    /// </summary>
    private static TrainedModels TrainOnlineInBlocks(CsrMatrix features, WltlsOptions options, TrainingMonitor monitor, int[] classes,
        TrellisGraph graph, LossBasedDecoder decoder, PathAssignment assignment, int blocks)
    {
        int n = classes.Length, edges = graph.NumEdges, dimension = features.Cols;
        var bounds = EdgeBlockBounds(edges, blocks);
        var coding = graph.CodingMatrix();
        var seconds = new double[options.Epochs];
        // Whatever reading the data left behind goes back to the system before the model and the first block are made.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var weights = new RowMajorMatrix(dimension, edges);
        using var spill = new MarginSpill(n, edges, options.Epochs);
        monitor.Write($"Training the edges in {blocks} blocks of about {Megabytes(8L * dimension * bounds[1])} of learner state; " +
            $"their online margins wait in a temporary file ({Megabytes(spill.Bytes)}).");
        // The first block is the widest: the later ones keep their state in its banks' arrays (no model-sized garbage).
        LinearLearnerBank[]? banks = null;
        int segment = options.EpochSegmentRows > 0 ? options.EpochSegmentRows : EpochRunner.SegmentRows(edges);
        var buffers = new SegmentBuffers();
        for (int b = 0; b < blocks; b++)
        {
            int first = bounds[b], width = bounds[b + 1] - first;
            banks = OnlineLinearTraining.CreateBanks(options.Learner, dimension, width, banks);
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var order = Seeds.Permutation(n, SeedStreams.Wltls.EpochOrder.Of(options.Seed, epoch));
                string message = $"edges {first + 1}-{first + width} of {edges}, epoch {epoch + 1}/{options.Epochs}";
                for (int from = 0; from < n; from += segment)
                {
                    int to = (int)Math.Min(n, (long)from + segment);
                    var margins = buffers.Get(to - from, width);
                    OnlineLinearTraining.RunSegment(banks, features, order, from, to, (i, f, labels) =>
                        coding.AsSpan((int)((long)assignment.CodewordOf(classes[i]) * edges + first + f), labels.Length).CopyTo(labels),
                        margins, from, monitor, TrainStage, message, from, n);
                    spill.Write(epoch, first, width, from, margins);
                }
                seconds[epoch] += clock.Elapsed.TotalSeconds;
            }
            OnlineLinearTraining.CopyWeightsInto(banks, weights, first);
            // Each epoch's point order is a large array (8 MB at 2M points): collected per block, not left to pile up.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        }

        // Every edge's margins, epoch by epoch: decoded as the segments of an epoch are (the classes without a codeword
        // get theirs after the first epoch's figure, as when every edge trains at once).
        var epochs = new List<WltlsEpoch>();
        int assigned = 0, rows = EpochRunner.SegmentRows(edges);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Seeds.Permutation(n, SeedStreams.Wltls.EpochOrder.Of(options.Seed, epoch));
            int correct = 0;
            for (int from = 0; from < n; from += rows)
            {
                int to = (int)Math.Min(n, (long)from + rows);
                var part = buffers.Get(to - from, edges);
                for (int b = 0; b < blocks; b++) spill.Read(epoch, bounds[b], bounds[b + 1] - bounds[b], from, part);
                correct += CorrectOnline(decoder, assignment, classes, part, order, from);
            }
            if (epoch == 0) assigned = assignment.AssignRemaining();
            double trainAccuracy = n == 0 ? 0 : 100.0 * correct / n, trainSeconds = seconds[epoch] + clock.Elapsed.TotalSeconds;
            monitor.Write(string.Create(CultureInfo.InvariantCulture, $"Train epoch {epoch + 1}/{options.Epochs}: {trainAccuracy:F1}% in {Duration(trainSeconds)}."));
            epochs.Add(new WltlsEpoch(epoch + 1, trainAccuracy, null, trainSeconds, null, true));
        }
        var model = new WltlsModel(graph, options.DecodingLoss, assignment.CodewordOfClass, weights, options);
        return new TrainedModels(model, model, epochs, options.Epochs, assigned, false);
    }

    /// <summary>Online predictions right: decode pre-update margins (rows: positions from.. of <paramref name="order"/>) in parallel over points.</summary>
    private static int CorrectOnline(LossBasedDecoder decoder, PathAssignment assignment, int[] classes, RowMajorMatrix margins, int[] order, int from)
    {
        var decoded = decoder.DecodeBatch(margins).Best();
        int correct = 0;
        for (int r = 0; r < decoded.Length; r++)
            if (assignment.ClassOf(decoded[r]) == classes[order[from + r]]) correct++;
        return correct;
    }

    /// <summary>
    /// A segment's margins matrix, reused by every epoch: the full segments' and the shorter last one's, made anew
    /// only when the shape changes. Made per epoch, they were large-object garbage that piled up until a full
    /// collection (about 20 MB an epoch at b = 16 on WordNet).
    /// </summary>
    private sealed class SegmentBuffers
    {
        private RowMajorMatrix? _full, _short;

        public RowMajorMatrix Get(int rows, int cols)
        {
            if (_full is null || _full.Cols != cols) (_full, _short) = (new RowMajorMatrix(rows, cols), null);
            if (_full.Rows == rows) return _full;
            if (_short is null || _short.Rows != rows) _short = new RowMajorMatrix(rows, cols);
            return _short;
        }
    }

    /// <summary>
    /// The online margins of edge blocks, points x edges per epoch, in a temporary file deleted when closed: block
    /// [first, first + width) of an epoch is one region of n x width floats, row-major in epoch order, so a block writes
    /// it segment by segment and the decoding reads any rows of it back.
    /// </summary>
    private sealed class MarginSpill : IDisposable
    {
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _file;
        private readonly int _points, _edges;
        private readonly string _path;
        private float[] _buffer = [];

        public MarginSpill(int points, int edges, int epochs)
        {
            _points = points;
            _edges = edges;
            Bytes = 4L * points * edges * epochs;
            _path = Path.Combine(Path.GetTempPath(), $"xcn-wltls-margins-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
            _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        }

        /// <summary>The file's size when every block has written every epoch.</summary>
        public long Bytes { get; }

        private long Offset(int epoch, int first, int width, int from) =>
            4 * ((long)epoch * _points * _edges + (long)_points * first + (long)from * width);

        /// <summary>Stores a segment's margins (rows from.. of the epoch, the block's columns).</summary>
        public void Write(int epoch, int first, int width, int from, RowMajorMatrix margins)
        {
            try
            {
                RandomAccess.Write(_file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(margins.Data.AsSpan()), Offset(epoch, first, width, from));
            }
            catch (IOException e)
            {
                throw new IOException($"W-LTLS could not keep its edge blocks' online margins in {_path} ({Megabytes(Bytes)} in all; set TMPDIR to a larger disk): {e.Message}", e);
            }
        }

        /// <summary>Reads the block's margins of rows from.. (as many as <paramref name="target"/> has) into its columns first.. .</summary>
        public void Read(int epoch, int first, int width, int from, RowMajorMatrix target)
        {
            int rows = target.Rows;
            if (_buffer.Length < rows * width) _buffer = new float[rows * width];
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_buffer.AsSpan(0, rows * width));
            long offset = Offset(epoch, first, width, from);
            for (int done = 0; done < bytes.Length;)
            {
                int read = RandomAccess.Read(_file, bytes[done..], offset + done);
                if (read <= 0) throw new IOException($"{_path} ended {bytes.Length - done} bytes early (epoch {epoch + 1}, edges from {first})");
                done += read;
            }
            for (int r = 0; r < rows; r++) _buffer.AsSpan(r * width, width).CopyTo(target.Row(r).Slice(first, width));
        }

        public void Dispose() => _file.Dispose();
    }

    /// <summary>The banks' weights side by side (dimension x their learners; no columns for a rank without edges).</summary>
    private static RowMajorMatrix Stack(LinearLearnerBank[] learners, int dimension) =>
        learners.Length == 0 ? new RowMajorMatrix(dimension, 0) : OnlineLinearTraining.StackWeights(learners);

    /// <summary>
    /// The mean over points and edges of the decoding loss L(c_e z_e) of the true class's codeword: the average
    /// binary loss (epsilon in the paper) the original prints after testing (on the responses as they are: the
    /// decoding scale is not applied).
    /// </summary>
    public static double AverageBinaryLoss(WltlsModel model, CsrMatrix features, IReadOnlyList<int> classes)
    {
        if (classes.Count != features.Rows) throw new ArgumentException($"{classes.Count} classes for {features.Rows} points");
        if (features.Rows == 0) return 0;
        // Each point's responses x^T W in a per-thread buffer (as model.Responses computes its rows), not an n x E matrix.
        var inputs = ModelInputs.InFeatureSpace(features, model.NumFeatures);
        var coding = model.Graph.CodingMatrix();
        int edges = model.Graph.NumEdges, loss = (int)model.Loss;
        var perPoint = new double[features.Rows];
        Parallel.For(0, features.Rows, () => new float[edges], (i, _, z) =>
        {
            inputs.MultiplyRowInto(i, model.Weights, z);
            long at = (long)model.CodewordOfClass[classes[i]] * edges;
            double sum = 0;
            for (int e = 0; e < edges; e++) sum += LossKernels.Value(loss, coding[at + e] * (double)z[e]);
            perPoint[i] = sum;
            return z;
        }, _ => { });
        return perPoint.Sum() / ((double)features.Rows * edges);
    }

    /// <summary>The class of each point; W-LTLS is multi-class, so a point with no or several labels is an error naming it.</summary>
    public static int[] MultiClassLabels(Dataset data)
    {
        var classes = new int[data.NumPoints];
        for (int i = 0; i < data.NumPoints; i++)
        {
            var labels = data.Labels.LabelsOf(i);
            if (labels.Length != 1)
                throw new DataFormatException(data.Name, 0,
                    $"point {i + 1} has {labels.Length} labels; W-LTLS is multi-class and needs exactly one label per point");
            classes[i] = labels[0];
        }
        return classes;
    }

    /// <summary>Sizes as the original prints them: "11.6MB" (MiB, one decimal).</summary>
    public static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N1}MB");

    /// <summary>Durations as the original prints them: "531ms" below a second, else "26s", "1m:5s", "2h:3m:4s".</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 1) return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds * 1000):F0}ms");
        long total = (long)Math.Round(seconds);
        var parts = new List<string>();
        if (total >= 86400) parts.Add($"{total / 86400}d");
        if (total % 86400 >= 3600) parts.Add($"{total % 86400 / 3600}h");
        if (total % 3600 >= 60) parts.Add($"{total % 3600 / 60}m");
        if (total % 60 > 0) parts.Add($"{total % 60}s");
        return string.Join(':', parts);
    }

    private static PathAssignment CreateAssignment(WltlsOptions options, int numClasses, Lazy<CondensedDistances> classDistances, TrainingMonitor monitor)
    {
        switch (options.PathAssignment)
        {
            case PathAssignmentPolicy.Random: return PathAssignment.Random(numClasses, SeedStreams.Wltls.RandomAssignment.Of(options.Seed));
            case PathAssignmentPolicy.Greedy: return PathAssignment.Unassigned(numClasses);
            case PathAssignmentPolicy.Fixed: return PathAssignment.Fixed(options.CodewordOfClass!);
            case PathAssignmentPolicy.Similarity:
                if (options.ClassHierarchy is { } hierarchy)
                {
                    monitor.Write($"Similarity-preserving assignment from the given hierarchy ({hierarchy}).");
                    return SimilarityAssignment.FromHierarchy(hierarchy, options.SimilarityChildOrder);
                }
                var clock = Stopwatch.StartNew();
                var assignment = SimilarityAssignment.FromDistances(classDistances.Value, options.SimilarityLinkage, options.SimilarityChildOrder);
                monitor.Write($"Similarity-preserving assignment from {options.SimilarityLinkage.ToString().ToLowerInvariant()}-linkage clustering of class means ({Duration(clock.Elapsed.TotalSeconds)}).");
                return assignment;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.PathAssignment, "unknown path assignment policy");
        }
    }

    /// <summary>
    /// One online pass over the shuffled training data. While the greedy policy still has training classes without a
    /// codeword, points go one at a time through all learners (a new class's codeword depends on every learner's
    /// margins); after that the edge learners are independent and each bank of them makes its own pass, in parallel.
    /// </summary>
    private sealed class EpochRunner(CsrMatrix features, int[] classes, TrellisGraph graph, LossBasedDecoder decoder,
        PathAssignment assignment, LinearLearnerBank[] learners, int[] ownEdges, WltlsOptions options, TrainingMonitor monitor)
    {
        private readonly sbyte[] _coding = graph.CodingMatrix();
        private readonly int _trainingClasses = classes.Distinct().Count();

        // Each codeword's labels on this rank's edges, side by side (the whole coding matrix on one rank).
        private readonly sbyte[] _ownCoding = OwnColumns(graph.CodingMatrix(), graph.NumEdges, ownEdges);

        /// <summary>
        /// One epoch; returns the online train accuracy (percent) on rank 0 (0 on the other ranks). The parallel pass
        /// runs in segments of <see cref="SegmentRows"/> points: each segment's pre-update margins (points x this
        /// rank's edges) are gathered and decoded before the next, so an epoch never holds n x edges margins. A bank's
        /// learners see the segments in order, so the models are those of one pass over the whole order.
        /// </summary>
        public double Epoch(int epoch, RankShards ranks)
        {
            int n = classes.Length, width = ownEdges.Length, edges = graph.NumEdges;
            var order = Seeds.Permutation(n, SeedStreams.Wltls.EpochOrder.Of(options.Seed, epoch));
            string epochOf = $"epoch {epoch + 1}/{options.Epochs}";
            int correct = 0, start = 0;
            if (!assignment.IsComplete && CountAssigned() < _trainingClasses)
                (start, correct) = SequentialPrefix(order, epochOf);

            int segment = options.EpochSegmentRows > 0 ? options.EpochSegmentRows : SegmentRows(edges);
            for (int from = start; from < n; from += segment)
            {
                int to = (int)Math.Min(n, (long)from + segment);
                var margins = _segments.Get(to - from, width);
                OnlineLinearTraining.RunSegment(learners, features, order, from, to, (i, first, labels) =>
                    _ownCoding.AsSpan((int)((long)assignment.CodewordOf(classes[i]) * width + first), labels.Length).CopyTo(labels),
                    margins, from, monitor, TrainStage, epochOf, from - start, n - start);
                var all = ranks.Gather(margins, to - from, edges);
                if (all is not null) correct += CorrectOnline(decoder, assignment, classes, all, order, from);
            }
            return n == 0 ? 0 : 100.0 * correct / n;
        }

        private readonly SegmentBuffers _segments = new();

        /// <summary>Points per segment of an epoch: about 4M margins (16 MB), at least 256 points.</summary>
        internal static int SegmentRows(int edges) => Math.Max(256, (1 << 22) / Math.Max(1, edges));


        private static sbyte[] OwnColumns(sbyte[] coding, int edges, int[] own)
        {
            if (own.Length == edges) return coding; // one rank: every edge, in order
            int codewords = coding.Length / edges;
            var columns = new sbyte[(long)codewords * own.Length];
            for (int cw = 0; cw < codewords; cw++)
                for (int c = 0; c < own.Length; c++) columns[(long)cw * own.Length + c] = coding[(long)cw * edges + own[c]];
            return columns;
        }

        private int CountAssigned()
        {
            int count = 0;
            foreach (int c in classes.Distinct()) if (assignment.CodewordOf(c) >= 0) count++;
            return count;
        }

        private (int Processed, int Correct) SequentialPrefix(int[] order, string epochOf)
        {
            int n = order.Length, edges = graph.NumEdges, correct = 0, assignedClasses = CountAssigned();
            var margins = new float[edges];
            var candidates = new int[options.GreedyCandidates];
            var workspace = decoder.CreateWorkspace();
            for (int t = 0; t < n; t++)
            {
                int i = order[t], cls = classes[i];
                var idx = features.RowIndices(i);
                var val = features.RowValues(i);
                OnlineLinearTraining.Margins(learners, idx, val, margins);
                int codeword = assignment.CodewordOf(cls);
                if (codeword < 0)
                {
                    var best = decoder.DecodeTopK(margins, options.GreedyCandidates);
                    for (int r = 0; r < candidates.Length; r++) candidates[r] = r < best.Count ? best[r].Codeword : -1;
                    codeword = assignment.AssignGreedy(cls, candidates);
                    assignedClasses++;
                }
                OnlineLinearTraining.Update(learners, idx, val, _coding.AsSpan((int)((long)codeword * edges), edges), margins);
                if (assignment.ClassOf(decoder.Decode(margins, workspace).Codeword) == cls) correct++;
                if ((t & 1023) == 0) monitor.Report(TrainStage, 0, n, $"{epochOf}, greedy assignment: {assignedClasses} classes");
                if (assignedClasses == _trainingClasses) return (t + 1, correct);
            }
            return (n, correct);
        }
    }
}
