using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Metrics;
using XcNotebooks.Neural;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Text;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// DEXA (Dahiya et al., KDD 2023), as its public code runs, on the kit's compute layer: M1 trains a shared text
/// encoder and auxiliary label vectors with NGAME's clustered mini-batches and a triplet loss on in-batch hard
/// negatives; M-IV trains one-vs-all classifier vectors, initialised from the label embeddings, on clustered batches
/// of the frozen document embeddings; prediction fuses the label-embedding and classifier shortlists (exact search),
/// by default with a sparse score of their labels (TF-IDF label centroids, <see cref="TfidfCentroids"/>).
/// <para>
/// Decisions on the original code's quirks (encoders-detailed.md §1.13): a cluster refresh shapes the batches of the
/// epoch it happens in (no one-epoch lag); refreshes read NGAME's memory bank of the latest document embeddings, as
/// the original; every label text is encoded, so labels without training points need no remapping (they are never
/// sampled as positives); the fusion's fitting shortlists are filtered with the filter of those points only; M-IV
/// always takes the multi-positive path; a row with fewer in-batch negatives than asked uses the ones it has; every
/// random step is seeded from <see cref="DexaOptions.Seed"/>. The encoder's embeddings are unit-norm (the
/// <see cref="ITextEncoder"/> contract), so z_l = norm(E(text_l)) + a_c(l) before the cosine.
/// </para>
/// </summary>
public static class Dexa
{
    /// <summary>Trains M1 and, unless <see cref="DexaOptions.Classifiers"/> is off, M-IV with the score fusion.</summary>
    /// <param name="train">Training texts and labels; the label texts come from <see cref="Dataset.LabelTexts"/> (or names).</param>
    /// <param name="heldout">Labelled points the fusion is fitted on (null: the training points, as the original).</param>
    /// <param name="options">Settings.</param>
    /// <param name="monitor">Progress and log lines.</param>
    /// <param name="collective">
    /// Training over these ranks (null: one process): data-parallel M1 (<see cref="TrainEncoder"/>), which leaves every
    /// rank the same encoder, then label-sharded M-IV (<see cref="TrainClassifiers"/>); every rank returns the model.
    /// </param>
    public static DexaModel Train(Dataset train, Dataset? heldout, DexaOptions options, TrainingMonitor? monitor = null, ICollective? collective = null)
    {
        var model = TrainEncoder(train, options, monitor, collective);
        try
        {
            if (options.Classifiers) TrainClassifiers(model, train, heldout, monitor, collective);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>M1 alone: tokenizer, encoder and (when enabled) auxiliary vectors; the model predicts by label embeddings.</summary>
    /// <param name="train">Training texts and labels.</param>
    /// <param name="options">Settings.</param>
    /// <param name="monitor">Progress and log lines.</param>
    /// <param name="collective">
    /// Data-parallel M1 over these ranks (null: one process). Every rank calls it with the same data and options and
    /// forms the same NGAME batches and sampled labels (same seed); each embeds its slice of a batch's documents and
    /// their labels, the embeddings are exchanged so that every document still meets every in-batch negative, and the
    /// gradients (encoder and auxiliary vectors) are summed with one allreduce per step
    /// (<see cref="GradientAllreduce"/>): every rank returns the same model, equal to one process's up to float
    /// rounding. Dropout (the transformer's) draws its masks per rank, so with dropout the runs agree in distribution only.
    /// </param>
    public static DexaModel TrainEncoder(Dataset train, DexaOptions options, TrainingMonitor? monitor = null, ICollective? collective = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        monitor ??= TrainingMonitor.Silent;
        collective ??= SingleProcessCollective.Instance;
        var texts = train.Texts ?? throw new ArgumentException($"{train.Name} has no texts: DEXA trains a text encoder");
        var labelTexts = train.LabelTexts ?? train.LabelNames
            ?? throw new ArgumentException($"{train.Name} has no label texts or names: DEXA encodes labels");
        var tokenizer = TextTowers.CreateTokenizer(options, texts, labelTexts, monitor);
        var sequence = TextTowers.Sequence(options, train.Name);
        var documents = TokenizedCorpus.Build(texts, tokenizer, sequence, monitor);
        var labels = TokenizedCorpus.Build(labelTexts, tokenizer, sequence, monitor);
        monitor.Write($"Documents: {documents}; labels: {labels}; tokenizer: {tokenizer.Name} ({tokenizer.VocabularySize:N0} ids)");

        var backend = ComputeBackends.Create(options.Backend);
        ITextEncoder? encoder = null;
        AuxiliaryVectors? auxiliary = null;
        try
        {
            encoder = TextTowers.CreateEncoder(options, backend, tokenizer, options.Seed);
            monitor.Write($"Encoder: {encoder}");
            if (options.Auxiliary)
            {
                // DEXA maps labels to vectors with the encoder it starts from (pre-trained there; here the initial
                // encoder, whose mean of random token vectors already groups labels that share words).
                var initial = encoder.EncodeAll(labels, options.EncodeChunk, monitor);
                int l = train.NumLabels;
                int head = options.AuxiliaryHeadVectors ?? (l + 99) / 100;
                head = Math.Min(head, l);
                int clusters = options.AuxiliaryClusterVectors ?? CeilingPowerOfTwo(Math.Max(1, (l - head) / 2));
                auxiliary = AuxiliaryVectors.Create(backend, initial, train.Labels.LabelCounts(), head, clusters, SeedStreams.Dexa.AuxiliaryVectors.Of(options.Seed));
                monitor.Write(auxiliary.ToString());
            }
            var clock = Stopwatch.StartNew();
            RunM1(encoder, auxiliary, documents, labels, train.Labels, options, monitor, collective);
            monitor.Write(string.Create(CultureInfo.InvariantCulture, $"M1 trained in {clock.Elapsed.TotalSeconds:F1} s"));
            var z = LabelRepresentations(encoder, auxiliary, labels, options, monitor);
            var ips = Propensity.Inverse(train.Labels, options.PropensityA, options.PropensityB);
            return new DexaModel(options, tokenizer, sequence, backend, encoder, auxiliary, z, ips);
        }
        catch
        {
            encoder?.Dispose();
            auxiliary?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// M-IV on a model from <see cref="TrainEncoder"/> (in place): classifier vectors trained on the frozen document
    /// embeddings of <paramref name="train"/>, then the score fusion fitted on <paramref name="heldout"/> (or the
    /// training points). Returns the same model, now predicting with fused scores.
    /// <para>
    /// With a <paramref name="collective"/> of several ranks (every rank calls it with the same model, data and
    /// options), the classifier vectors are label-sharded: each rank owns a share of the labels (dealt by frequency)
    /// and computes, for every batch, the scores, gradients and Adam updates of its own labels' vectors only. A batch
    /// couples its labels (each document's loss takes its hardest negatives among all the pool's labels), so the
    /// ranks exchange the batch's score matrix (documents x pool) and every rank evaluates the same loss; the
    /// vectors are gathered at the end and every rank gets the model one process trains, byte for byte. Only
    /// rank 0 logs.
    /// </para>
    /// </summary>
    public static DexaModel TrainClassifiers(DexaModel model, Dataset train, Dataset? heldout, TrainingMonitor? monitor = null, ICollective? collective = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        collective ??= SingleProcessCollective.Instance;
        monitor = collective.IsRoot() ? monitor ?? TrainingMonitor.Silent : TrainingMonitor.Silent;
        var options = model.Options;
        var texts = train.Texts ?? throw new ArgumentException($"{train.Name} has no texts");
        if (train.NumLabels != model.NumLabels) throw new ArgumentException($"{train.Name} has {train.NumLabels} labels, the model {model.NumLabels}");
        var clock = Stopwatch.StartNew();
        var documents = model.Encode(texts, monitor);
        var vectors = RunM4(model.Backend, documents, train.Labels, model.LabelEmbeddings, options, monitor, collective);
        monitor.Write(string.Create(CultureInfo.InvariantCulture, $"M-IV trained in {clock.Elapsed.TotalSeconds:F1} s"));

        TfidfCentroids? sparse = null;
        if (options.SparseScores)
        {
            clock.Restart();
            var labelTexts = train.LabelTexts ?? train.LabelNames ?? throw new ArgumentException($"{train.Name} has no label texts or names");
            sparse = TfidfCentroids.Fit(texts, train.Labels, labelTexts, options.SparseLabelTextWeight, monitor: monitor);
            monitor.Write(string.Create(CultureInfo.InvariantCulture, $"TF-IDF centroids fitted in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        var fitOn = heldout?.Texts is not null && heldout.NumPoints > 0 ? heldout : train;
        ScoreFusion fusion;
        if (options.Fusion.Kind == FusionKind.WeightedSum) fusion = ScoreFusion.WeightedSum(options.Fusion, model.InversePropensity);
        else
        {
            model.SetClassifiers(vectors, ScoreFusion.WeightedSum(options.Fusion, model.InversePropensity), sparse);
            var shortlists = model.WithSparseScores(
                model.Shortlists(ReferenceEquals(fitOn, train) ? documents : model.Encode(fitOn.Texts!, monitor), monitor), fitOn.Texts!);
            fusion = ScoreFusion.Fit(shortlists.Classifiers!, shortlists.Embeddings, fitOn.Labels, model.InversePropensity, options.Fusion,
                SeedStreams.Dexa.Fusion.Of(options.Seed), options.FusionFilter, shortlists.Sparse);
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Score fusion: a tree of {fusion.Tree!.NodeCount} nodes (depth {fusion.Tree.Depth}) fitted on {fitOn.Name}{(sparse is null ? "" : $", sparse weight {fusion.Options.SparseWeight}")}"));
        }
        model.SetClassifiers(vectors, fusion, sparse);
        return model;
    }

    /// <summary>
    /// The paper's ablation on <paramref name="data"/>: the encoder alone (M1 without auxiliary vectors, ranked by
    /// label embeddings), with auxiliary vectors, and with classifiers (fused scores); plus the classifiers' own
    /// scores. Metrics at k = 1..5 on the test split (filtered by <paramref name="testFilter"/>), with the training
    /// time of each stage.
    /// </summary>
    public static DexaAblation Ablation(DataSplits data, DexaOptions options, TrainingMonitor? monitor = null,
        LabelFilter? testFilter = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        monitor ??= TrainingMonitor.Silent;
        var ips = Propensity.Inverse(data.Train.Labels, options.PropensityA, options.PropensityB);
        var rows = new List<DexaAblationRow>();
        DexaAblationRow Evaluate(string stage, DexaModel model, DexaScores scores, double trainSeconds)
        {
            var clock = Stopwatch.StartNew();
            var predictions = model.TopK(data.Test, 5, testFilter, scores);
            var row = new DexaAblationRow(stage, XcMetrics.Evaluate(data.Test.Labels, predictions, 5, ips), trainSeconds, clock.Elapsed.TotalSeconds);
            monitor.Write($"{stage}: {string.Join(", ", row.Metrics.ToDictionary().Where(p => !p.Key.StartsWith('R')).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:F2}")))}");
            rows.Add(row);
            return row;
        }
        var clock = Stopwatch.StartNew();
        using (var plain = TrainEncoder(data.Train, options with { Auxiliary = false, Classifiers = false }, monitor))
            Evaluate("encoder only", plain, DexaScores.Embeddings, clock.Elapsed.TotalSeconds);
        clock.Restart();
        using var full = TrainEncoder(data.Train, options with { Auxiliary = true }, monitor);
        double encoderSeconds = clock.Elapsed.TotalSeconds;
        Evaluate("+ auxiliary vectors", full, DexaScores.Embeddings, encoderSeconds);
        clock.Restart();
        TrainClassifiers(full, data.Train, data.Heldout, monitor);
        double total = encoderSeconds + clock.Elapsed.TotalSeconds;
        Evaluate("+ classifiers (fused)", full, DexaScores.Fused, total);
        Evaluate("classifiers alone", full, DexaScores.Classifiers, total);
        return new DexaAblation(rows);
    }

    /// <summary>The power of two at or above n: (131,073 − 1,000)/2 labels give DEXA's 65,536 vectors.</summary>
    private static int CeilingPowerOfTwo(int n)
    {
        int p = 1;
        while (p < n) p *= 2;
        return p;
    }

    /// <summary>z_l = E(text_l) + a_c(l), normalised, on the host.</summary>
    private static RowMajorMatrix LabelRepresentations(ITextEncoder encoder, AuxiliaryVectors? auxiliary, TokenizedCorpus labels, DexaOptions options, TrainingMonitor monitor)
    {
        var z = encoder.EncodeAll(labels, options.EncodeChunk, monitor);
        auxiliary?.AddTo(z);
        return BalancedClustering.NormalizeRows(z);
    }

    private static void RunM1(ITextEncoder encoder, AuxiliaryVectors? auxiliary, TokenizedCorpus documents, TokenizedCorpus labelTexts,
        LabelMatrix labels, DexaOptions options, TrainingMonitor monitor, ICollective collective)
    {
        var parameters = new List<Parameter>(encoder.IsTrainable ? encoder.Parameters : []);
        if (auxiliary is not null) parameters.Add(auxiliary.Table);
        if (parameters.Count == 0 || options.EncoderEpochs == 0) return;
        var points = TextTowers.LabelledPoints(labels);
        if (points.Length < 2) throw new ArgumentException("M1 needs at least two training points with labels");
        var b = encoder.Backend;
        int d = encoder.Dimension;
        using var optimizer = new Adam(parameters, new AdamOptions
        {
            LearningRate = options.EncoderLearningRate, Epsilon = 1e-6f, WeightDecay = options.EncoderWeightDecay, Decoupled = true,
            NoDecayNameContains = ["bias", "norm", AuxiliaryVectors.ParameterName],
        });
        int batchSize = Math.Min(options.EncoderBatchSize, points.Length);
        var schedule = new LinearWarmupSchedule(options.EncoderLearningRate, options.EncoderWarmupSteps,
            (double)options.EncoderEpochs * points.Length / batchSize);
        var batching = new NgameBatching(points, options.EncoderCurriculum, SeedStreams.Dexa.EncoderBatching.Of(options.Seed));
        var bank = new RowMajorMatrix(documents.Count, d); // NGAME's memory bank of the latest document embeddings
        var lossOptions = options.EncoderLoss;
        var exchange = new GradientAllreduce(parameters, collective);
        for (int epoch = 0; epoch < options.EncoderEpochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (batching.ShouldRefresh(epoch)) batching.Refresh(bank);
            var batches = batching.Batches(epoch, batchSize);
            double lossSum = 0;
            int counted = 0;
            for (int bi = 0; bi < batches.Count; bi++)
            {
                var rows = batches[bi];
                if (rows.Length < 2) continue; // a lone point has no in-batch negatives
                var rng = new Random(SeedStreams.Dexa.BatchDraws.Of(options.Seed, epoch, bi));
                var sampled = rows.Select(i => { var ls = labels.LabelsOf(i); return ls[rng.Next(ls.Length)]; }).ToArray();
                var targets = new bool[rows.Length * rows.Length];
                for (int i = 0; i < rows.Length; i++)
                    for (int j = 0; j < rows.Length; j++) targets[i * rows.Length + j] = labels.Has(rows[i], sampled[j]);

                optimizer.ZeroGradients();
                lossSum += exchange.Sum(M1Step(encoder, auxiliary, documents, labelTexts, rows, sampled, targets, lossOptions, bank, collective))[0];
                counted++;
                optimizer.Step(schedule.At(optimizer.Steps));
                monitor.Report("M1 batches", bi + 1, batches.Count);
            }
            batching.EndEpoch();
            monitor.Write(string.Create(CultureInfo.InvariantCulture,
                $"Epoch: {epoch}, loss: {(counted == 0 ? 0 : lossSum / counted):F6}, clusters: {batching.Clusters.Count}, time: {clock.Elapsed.TotalSeconds:F2} sec"));
            monitor.Report("M1 epochs", epoch + 1, options.EncoderEpochs);
        }
    }

    /// <summary>
    /// One M1 step's gradients (accumulated into the parameters) and loss, on this rank's slice of the batch: its
    /// documents and their sampled labels go through the encoder; every rank needs every label representation (a
    /// document's hardest negatives are anywhere in the batch) and every document embedding (NGAME's memory bank), so
    /// one allreduce gathers both; its rows of the score matrix give its share of the loss (normalised over the whole
    /// batch) and of ∂loss/∂z, which a second allreduce sums (every document pulls on every label) before each rank
    /// back-propagates its own labels. With one rank: the one-process step, nothing exchanged. Returns this rank's share.
    /// </summary>
    private static double M1Step(ITextEncoder encoder, AuxiliaryVectors? auxiliary, TokenizedCorpus documents, TokenizedCorpus labelTexts,
        int[] rows, int[] sampled, bool[] targets, InBatchTripletOptions lossOptions, RowMajorMatrix bank, ICollective collective)
    {
        var b = encoder.Backend;
        int d = encoder.Dimension, n = rows.Length;
        bool distributed = collective.Size > 1;
        var own = RankSlice.Of(n, collective);
        var ownRows = own.Count == n ? rows : own.Take(rows);
        var ownSampled = own.Count == n ? sampled : own.Take(sampled);
        EncoderPass? docPass = null, labelPass = null;
        Tensor? z = null, zAll = null;
        ParameterRows? auxRows = null;
        try
        {
            float[]? everyone = null; // [x of every document | z of every label], n x d each
            if (own.Count > 0)
            {
                docPass = encoder.Forward(documents.Batch(ownRows), training: true);
                labelPass = encoder.Forward(labelTexts.Batch(ownSampled), training: true);
                z = b.Allocate(own.Count, d);
                b.Copy(labelPass.Embeddings, z);
                auxRows = auxiliary?.RowsOf(ownSampled);
                if (auxiliary is not null) auxiliary.Add(auxRows!, z);
            }
            if (distributed)
            {
                everyone = new float[2 * n * d];
                if (own.Count > 0)
                {
                    docPass!.Embeddings.CopyTo(everyone.AsSpan(own.Start * d, own.Count * d));
                    z!.CopyTo(everyone.AsSpan((n + own.Start) * d, own.Count * d));
                }
                collective.AllreduceSum(everyone);
                zAll = b.Upload(everyone.AsSpan(n * d, n * d).ToArray(), n, d);
            }
            double loss = 0;
            using var gradZ = b.Allocate(n, d);
            Tensor? gradX = null;
            try
            {
                if (own.Count > 0)
                {
                    using var cosine = new CosineScores(b, docPass!.Embeddings, zAll ?? z!);
                    var ownTargets = distributed ? targets.AsSpan(own.Start * n, own.Count * n).ToArray() : targets;
                    loss = TripletLosses.InBatchRows(cosine.Scores, ownTargets, own.Start, lossOptions, cosine.Gradient);
                    if (encoder.IsTrainable) gradX = b.Allocate(own.Count, d);
                    cosine.Backward(gradX, gradZ);
                }
                else b.Fill(gradZ, 0f);
                Tensor ownGradZ = gradZ;
                if (distributed)
                {
                    var all = gradZ.ToArray();
                    collective.AllreduceSum(all); // every document's pull on every label, summed over the ranks
                    ownGradZ = b.Upload(all.AsSpan(own.Start * d, own.Count * d).ToArray(), own.Count, d);
                }
                try
                {
                    if (own.Count > 0)
                    {
                        if (encoder.IsTrainable)
                        {
                            encoder.Backward(docPass!, gradX!);
                            encoder.Backward(labelPass!, ownGradZ);
                        }
                        auxiliary?.Backward(auxRows!, ownGradZ);
                    }
                }
                finally
                {
                    if (!ReferenceEquals(ownGradZ, gradZ)) ownGradZ.Dispose();
                }
            }
            finally
            {
                gradX?.Dispose();
            }
            var embedded = everyone ?? docPass!.Embeddings.ToArray();
            for (int i = 0; i < n; i++) embedded.AsSpan(i * d, d).CopyTo(bank.Row(rows[i]));
            return loss;
        }
        finally
        {
            docPass?.Dispose();
            labelPass?.Dispose();
            z?.Dispose();
            zAll?.Dispose();
            auxRows?.Dispose();
        }
    }

    private static RowMajorMatrix RunM4(IComputeBackend b, RowMajorMatrix documents, LabelMatrix labels, RowMajorMatrix labelEmbeddings,
        DexaOptions options, TrainingMonitor monitor, ICollective collective)
    {
        int d = documents.Cols, l = labelEmbeddings.Rows;
        var shards = collective.Size == 1 ? null : new LabelShardsOnRanks(collective, labels.LabelCounts(), l);
        if (shards is not null) monitor.Write($"M-IV label-sharded over {collective.Size} ranks: rank 0 owns {shards.OwnCount:N0} of {l:N0} labels");
        using var weights = new Parameter(b, "classifiers.weight", l, d, rowSparse: true);
        weights.SetValues(labelEmbeddings.Data); // initialised from the (normalised) label embeddings
        var points = TextTowers.LabelledPoints(labels);
        if (options.ClassifierEpochs > 0 && points.Length > 0)
        {
            using var optimizer = new Adam([weights], new AdamOptions { LearningRate = options.ClassifierLearningRate });
            int batchSize = Math.Min(options.ClassifierBatchSize, points.Length);
            var schedule = new LinearWarmupSchedule(options.ClassifierLearningRate, options.ClassifierWarmupSteps,
                (double)options.ClassifierEpochs * points.Length / batchSize);
            var batching = new NgameBatching(points, options.ClassifierCurriculum, SeedStreams.Dexa.ClassifierBatching.Of(options.Seed));
            for (int epoch = 0; epoch < options.ClassifierEpochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                if (batching.ShouldRefresh(epoch)) batching.Refresh(documents);
                var batches = batching.Batches(epoch, batchSize);
                double lossSum = 0;
                for (int bi = 0; bi < batches.Count; bi++)
                {
                    var rows = batches[bi];
                    var pool = rows.SelectMany(i => labels.LabelArray(i)).Distinct().Order().ToArray();
                    var column = new Dictionary<int, int>(pool.Length);
                    for (int u = 0; u < pool.Length; u++) column[pool[u]] = u;
                    var targets = new bool[rows.Length * pool.Length];
                    for (int i = 0; i < rows.Length; i++)
                        foreach (int label in labels.LabelsOf(rows[i])) targets[i * pool.Length + column[label]] = true;
                    var x = new float[rows.Length * d];
                    for (int i = 0; i < rows.Length; i++) documents.Row(rows[i]).CopyTo(x.AsSpan(i * d, d));

                    optimizer.ZeroGradients();
                    using var xt = b.Upload(x, rows.Length, d);
                    if (options.DocumentDropout > 0)
                    {
                        using var mask = b.Allocate(rows.Length, d);
                        b.DropoutMask(mask, options.DocumentDropout, (ulong)(uint)SeedStreams.Dexa.DocumentDropout.Of(options.Seed) << 32 | (uint)optimizer.Steps);
                        b.Multiply(xt, mask, xt);
                    }
                    if (shards is not null) lossSum += shards.Batch(b, weights, xt, pool, targets, options.ClassifierLoss);
                    else
                    {
                        using var poolRows = new ParameterRows(b, pool);
                        using var w = b.Allocate(pool.Length, d);
                        poolRows.Gather(weights, w);
                        using var cosine = new CosineScores(b, xt, w);
                        lossSum += TripletLosses.MultiPositive(cosine.Scores, targets, options.ClassifierLoss, cosine.Gradient);
                        using var gradW = b.Allocate(pool.Length, d);
                        cosine.Backward(null, gradW);
                        poolRows.ScatterGradient(weights, gradW);
                    }
                    optimizer.Step(schedule.At(optimizer.Steps)); // on every rank (its own rows): the step count stays common
                    monitor.Report("M-IV batches", bi + 1, batches.Count);
                }
                batching.EndEpoch();
                monitor.Write(string.Create(CultureInfo.InvariantCulture,
                    $"Epoch: {epoch}, loss: {(batches.Count == 0 ? 0 : lossSum / batches.Count):F6}, clusters: {batching.Clusters.Count}, time: {clock.Elapsed.TotalSeconds:F2} sec"));
                monitor.Report("M-IV epochs", epoch + 1, options.ClassifierEpochs);
            }
        }
        var values = weights.GetValues();
        return BalancedClustering.NormalizeRows(new RowMajorMatrix(l, d, shards is null ? values : shards.AllGatherRows(values, d)));
    }

    /// <summary>
    /// M-IV's labels dealt to ranks by frequency (<see cref="LabelShards.BalancedByFrequency"/>, as label-sharded
    /// one-vs-rest deals them), and the exchanges a sharded batch needs.
    /// </summary>
    private sealed class LabelShardsOnRanks
    {
        private readonly ICollective _collective;
        private readonly int[] _owner;
        private readonly int[][] _labelsOf;

        public LabelShardsOnRanks(ICollective collective, IReadOnlyList<int> labelCounts, int labels)
        {
            _collective = collective;
            var counts = Enumerable.Range(0, labels).Select(label => label < labelCounts.Count ? labelCounts[label] : 0).ToArray();
            _labelsOf = [.. LabelShards.BalancedByFrequency(counts, collective.Size)];
            _owner = new int[labels];
            for (int r = 0; r < _labelsOf.Length; r++)
                foreach (int label in _labelsOf[r]) _owner[label] = r;
        }

        /// <summary>Labels rank 0 owns.</summary>
        public int OwnCount => _labelsOf[0].Length;

        /// <summary>
        /// One batch on this rank: scores of its own pool labels, the whole score matrix assembled on every rank (rank
        /// 0 gathers and broadcasts it), the loss and its gradient (the same on every rank), and the backward pass into
        /// this rank's own rows only. Returns the loss.
        /// </summary>
        public double Batch(IComputeBackend b, Parameter weights, Tensor documents, int[] pool, bool[] targets, MultiPositiveTripletOptions loss)
        {
            int rows = documents.Rows, cols = pool.Length, d = documents.Cols, size = _collective.Size;
            var columns = Enumerable.Range(0, size).Select(_ => new List<int>()).ToArray();
            for (int u = 0; u < cols; u++) columns[_owner[pool[u]]].Add(u);
            var own = columns[_collective.Rank];
            using var ownRows = own.Count == 0 ? null : new ParameterRows(b, own.Select(u => pool[u]).ToArray());
            using var w = own.Count == 0 ? null : b.Allocate(own.Count, d);
            ownRows?.Gather(weights, w!);
            // Each score is summed over d in a fixed order (CpuGemm), whichever columns share the product: the same bits as one process's.
            using var ownCosine = w is null ? null : new CosineScores(b, documents, w);
            var scores = new float[rows * cols];
            _collective.Gather(ownCosine?.Scores.ToArray() ?? [], 0, (rank, values) =>
            {
                var at = columns[rank];
                for (int i = 0; i < rows; i++)
                    for (int c = 0; c < at.Count; c++) scores[i * cols + at[c]] = values[i * at.Count + c];
            });
            scores = MemoryMarshal.Cast<byte, float>(_collective.Broadcast(_collective.IsRoot() ? MemoryMarshal.AsBytes(scores.AsSpan()).ToArray() : null, 0)).ToArray();
            var gradient = new float[scores.Length];
            double value = TripletLosses.MultiPositive(scores, targets, rows, cols, loss, gradient);
            if (ownCosine is null) return value;
            var ownGradient = new float[rows * own.Count];
            for (int i = 0; i < rows; i++)
                for (int c = 0; c < own.Count; c++) ownGradient[i * own.Count + c] = gradient[i * cols + own[c]];
            ownCosine.Gradient.CopyFrom(ownGradient);
            using var gradW = b.Allocate(own.Count, d);
            ownCosine.Backward(null, gradW);
            ownRows!.ScatterGradient(weights, gradW);
            return value;
        }

        /// <summary>Every label's row (labels x d) on every rank, each from the rank that owns it.</summary>
        public float[] AllGatherRows(float[] values, int d)
        {
            var own = _labelsOf[_collective.Rank];
            var mine = new float[(long)own.Length * d];
            for (int r = 0; r < own.Length; r++) values.AsSpan(own[r] * d, d).CopyTo(mine.AsSpan(r * d, d));
            var merged = (float[])values.Clone();
            _collective.Gather(mine, 0, (rank, rows) =>
            {
                var labels = _labelsOf[rank];
                for (int r = 0; r < labels.Length; r++) rows.AsSpan(r * d, d).CopyTo(merged.AsSpan(labels[r] * d, d));
            });
            return MemoryMarshal.Cast<byte, float>(_collective.Broadcast(_collective.IsRoot() ? MemoryMarshal.AsBytes(merged.AsSpan()).ToArray() : null, 0)).ToArray();
        }
    }
}

/// <summary>One stage of the ablation: test metrics, cumulative training time and prediction time.</summary>
/// <param name="Stage">"encoder only", "+ auxiliary vectors", "+ classifiers (fused)", "classifiers alone".</param>
/// <param name="Metrics">P, nDCG, PSP, ... at k = 1..5.</param>
/// <param name="TrainSeconds">Training time up to this stage (the encoder-only row trains its own M1).</param>
/// <param name="PredictSeconds">Time to predict the test split.</param>
public sealed record DexaAblationRow(string Stage, MetricReport Metrics, double TrainSeconds, double PredictSeconds);

/// <summary>The ablation table (the paper's shape: encoder only, + auxiliary parameters, + classifier).</summary>
/// <param name="Rows">One row per stage.</param>
public sealed record DexaAblation(IReadOnlyList<DexaAblationRow> Rows)
{
    /// <summary>The table: stage, P@1/3/5, nDCG@3/5, PSP@1/3/5 (percent), training and prediction seconds.</summary>
    public HtmlTable ToTable(string? caption = null) =>
        new(["stage", "P@1", "P@3", "P@5", "nDCG@3", "nDCG@5", "PSP@1", "PSP@3", "PSP@5", "train s", "predict s"],
            Rows.Select(r => (IReadOnlyList<object?>)
            [
                r.Stage, 100 * r.Metrics.P(1), 100 * r.Metrics.P(3), 100 * r.Metrics.P(5), 100 * r.Metrics.NdcgAt(3), 100 * r.Metrics.NdcgAt(5),
                100 * r.Metrics.Psp(1), 100 * r.Metrics.Psp(3), 100 * r.Metrics.Psp(5), r.TrainSeconds, r.PredictSeconds,
            ]).ToArray())
        { Caption = caption, RealFormat = "F2" };

    /// <summary>P@1, P@3 and P@5 of every stage as grouped bars.</summary>
    public XcChart PrecisionChart(string title = "DEXA ablation: P@k per stage", ChartStyle? style = null) =>
        Charts.MetricBars(Rows.ToDictionary(r => r.Stage, r => r.Metrics.ToDictionary()), ["P@1", "P@3", "P@5"], title, style: style);

    /// <summary>Every stage's metrics (percent) and seconds, for run reports.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object>> Details() =>
        Rows.Select(r => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["stage"] = r.Stage,
            ["metrics"] = r.Metrics.ToDictionary(),
            ["trainSeconds"] = r.TrainSeconds,
            ["predictSeconds"] = r.PredictSeconds,
        }).ToArray();

    /// <summary>
    /// A run report of the ablation: metrics named "STAGE P@1" etc. (percent), training time of the longest stage
    /// (every stage's time is cumulative, the encoder-only row's its own), the rows under "ablation".
    /// </summary>
    public RunReport ToRunReport(DexaOptions options, IReadOnlyDictionary<string, string>? datasetFiles = null) => new()
    {
        Method = "dexa-ablation",
        DatasetFiles = datasetFiles ?? new Dictionary<string, string>(),
        Options = options,
        Metrics = Rows.SelectMany(r => r.Metrics.ToDictionary().Select(m => (Key: $"{r.Stage} {m.Key}", m.Value))).ToDictionary(m => m.Key, m => m.Value),
        TrainSeconds = Rows.Count == 0 ? 0 : Rows.Max(r => r.TrainSeconds),
        PredictSeconds = Rows.Sum(r => r.PredictSeconds),
        Details = new Dictionary<string, object?> { ["ablation"] = Details() },
    };

    /// <summary>The table as text.</summary>
    public override string ToString() => ToTable().ToText();
}
