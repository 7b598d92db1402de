using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Neural;

namespace XcNotebooks.Methods.Dsnc;

/// <summary>
/// DSNC's linear decoder from the m-bit code to K class scores, trained by sampled softmax when K is large
/// (<see cref="DsncOptions.SampledSoftmaxMinClasses"/>). A dense softmax costs batch x m x K per step in the forward
/// pass, again in the backward pass, and an Adam step over all m x K weights: at K = 10^5 that is most of DSNC's
/// training. Here a step scores only a candidate set U: the batch's own classes and
/// <see cref="DsncOptions.NegativeSamples"/> classes drawn (with replacement, seeded) from the smoothed training
/// frequencies Q_j ∝ count_j + 1, each drawn class kept once. The score of candidate j is corrected by − log π_j,
/// π_j = 1 − (1 − Q_j)^S (1 − p_j)^B the probability that j is in U (S draws, B points of class frequency p_j): the
/// logQ correction of sampled softmax (Bengio and Senécal 2008; Jean et al. 2015), which makes the sampled loss's
/// gradient a consistent estimate of the full softmax's. When S ≥ K the candidates are all classes in order, π = 1,
/// and the loss and gradients are exactly those of the full softmax. Weights are class-major (K x m) and bias K x 1,
/// both row-sparse parameters: a step gathers, scatters and Adam-updates only the candidates' rows. Scoring all
/// classes (the learned decoder's prediction) runs over blocks of classes with a running top-k, never a points x K
/// matrix. Runs on any backend through its gather (embedding bag) and GEMM kernels. Not thread-safe.
/// </summary>
internal sealed class SampledSoftmaxDecoder : IDisposable
{
    /// <summary>Classes scored together when the decoder ranks all classes.</summary>
    internal const int ScoringBlock = 8192;

    private readonly IComputeBackend _backend;
    private double[]? _cumulative;
    private double[]? _logProposalComplement;
    private double[]? _logFrequencyComplement;
    private int _batchRows;
    private Step? _step;

    /// <summary>A decoder from <paramref name="bits"/> code bits to <paramref name="classes"/> scores, initialised as PyTorch's nn.Linear (seeded).</summary>
    public SampledSoftmaxDecoder(IComputeBackend backend, int bits, int classes, int negativeSamples, int seed)
    {
        _backend = backend;
        Bits = bits;
        NumClasses = classes;
        NegativeSamples = negativeSamples;
        Weight = new Parameter(backend, "decoder.weight", classes, bits, rowSparse: true);
        Weight.SetValues(Initializers.Weights(WeightInit.PyTorchDefault, bits, classes, classes * bits, SeedStreams.Layer.Weights.Of(seed)));
        Bias = new Parameter(backend, "decoder.bias", classes, 1, rowSparse: true);
        Bias.SetValues(Initializers.Bias(bits, classes, SeedStreams.Layer.Bias.Of(seed)));
    }

    public int Bits { get; }

    public int NumClasses { get; }

    public int NegativeSamples { get; }

    /// <summary>Class-major weights, K x m.</summary>
    public Parameter Weight { get; }

    /// <summary>Class biases, K x 1.</summary>
    public Parameter Bias { get; }

    /// <summary>True when a step scores every class (S ≥ K): the exact softmax.</summary>
    public bool Exhaustive => NegativeSamples >= NumClasses;

    /// <summary>
    /// Sets the proposal from the training classes (Q_j ∝ count_j + 1) and the class frequencies p_j used in the
    /// inclusion probabilities of a batch of <paramref name="batchRows"/> points.
    /// </summary>
    public void SetProposal(IReadOnlyList<int> trainingClasses, int batchRows)
    {
        var counts = new long[NumClasses];
        foreach (int c in trainingClasses) counts[c]++;
        double total = trainingClasses.Count + (double)NumClasses;
        _cumulative = new double[NumClasses];
        _logProposalComplement = new double[NumClasses];
        _logFrequencyComplement = new double[NumClasses];
        double sum = 0;
        for (int j = 0; j < NumClasses; j++)
        {
            double q = (counts[j] + 1) / total;
            sum += q;
            _cumulative[j] = sum;
            _logProposalComplement[j] = double.LogP1(-Math.Min(q, 1 - 1e-12));
            double p = trainingClasses.Count == 0 ? 0 : (double)counts[j] / trainingClasses.Count;
            _logFrequencyComplement[j] = double.LogP1(-Math.Min(p, 1 - 1e-12));
        }
        _batchRows = batchRows;
    }

    /// <summary>
    /// The candidate set of a batch (its classes first, in order of first occurrence, then the new draws in draw
    /// order; all classes in order when exhaustive), each point's target index in it, and the − log π corrections.
    /// </summary>
    public (int[] Candidates, int[] Targets, float[] Corrections) Candidates(IReadOnlyList<int> targets, Random random)
    {
        if (Exhaustive)
        {
            var all = Enumerable.Range(0, NumClasses).ToArray();
            return (all, [.. targets], new float[NumClasses]);
        }
        if (_cumulative is null) throw new InvalidOperationException("the sampled decoder needs its proposal first (SetProposal)");
        var position = new Dictionary<int, int>(targets.Count + NegativeSamples);
        var candidates = new List<int>(targets.Count + NegativeSamples);
        var targetIndex = new int[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            if (!position.TryGetValue(targets[i], out int at))
            {
                at = candidates.Count;
                position[targets[i]] = at;
                candidates.Add(targets[i]);
            }
            targetIndex[i] = at;
        }
        double last = _cumulative[^1];
        for (int s = 0; s < NegativeSamples; s++)
        {
            int j = Array.BinarySearch(_cumulative, random.NextDouble() * last);
            if (j < 0) j = ~j;
            j = Math.Min(j, NumClasses - 1);
            if (position.TryAdd(j, candidates.Count)) candidates.Add(j);
        }
        var corrections = new float[candidates.Count];
        for (int a = 0; a < corrections.Length; a++)
        {
            int j = candidates[a];
            double logMiss = NegativeSamples * _logProposalComplement![j] + _batchRows * _logFrequencyComplement![j];
            corrections[a] = (float)-Math.Log(-double.ExpM1(logMiss)); // − log π_j, π_j = 1 − e^logMiss
        }
        return ([.. candidates], targetIndex, corrections);
    }

    /// <summary>
    /// Scores of a batch's codes (rows x m) on the candidates of <see cref="Candidates"/>, corrected: rows x |U|
    /// (owned by the decoder until the next step). Keeps what <see cref="Backward"/> needs.
    /// </summary>
    public Tensor Forward(Tensor codes, int[] candidates, float[] corrections)
    {
        if (codes.Cols != Bits) throw new ArgumentException($"the codes have {codes.Cols} bits, the decoder {Bits}");
        _step?.Dispose();
        var step = new Step(_backend, candidates, codes);
        _step = step;
        _backend.EmbeddingBag(step.Tokens, step.Ones, Weight.Value, step.Weights, EmbeddingBagMode.Sum);
        var offsets = GatherBias(step.Tokens, step.Ones, candidates.Length);
        for (int a = 0; a < offsets.Length; a++) offsets[a] += corrections[a];
        step.Offsets.CopyFrom(offsets);
        _backend.Gemm(codes, false, step.Weights, true, step.Scores);
        _backend.AddRowVector(step.Offsets, step.Scores);
        return step.Scores;
    }

    /// <summary>Accumulates the candidates' weight and bias gradients from the score gradient; returns the code gradient (rows x m, owned by the decoder).</summary>
    public Tensor Backward(Tensor scoreGradient)
    {
        var step = _step ?? throw new InvalidOperationException("Backward before Forward");
        int u = step.Candidates.Length;
        using (var weightGradient = _backend.Allocate(u, Bits))
        {
            _backend.Gemm(scoreGradient, true, step.Codes, false, weightGradient);
            _backend.EmbeddingBagBackward(step.Tokens, step.Ones, weightGradient, Weight.Gradient, EmbeddingBagMode.Sum);
        }
        Weight.MarkTouched(step.Candidates);
        using (var biasRow = _backend.Allocate(1, u))
        using (var biasColumn = _backend.Allocate(u, 1))
        {
            _backend.ColumnSums(scoreGradient, biasRow);
            biasColumn.CopyFrom(biasRow.ToArray());
            _backend.EmbeddingBagBackward(step.Tokens, step.Ones, biasColumn, Bias.Gradient, EmbeddingBagMode.Sum);
        }
        Bias.MarkTouched(step.Candidates);
        _backend.Gemm(scoreGradient, false, step.Weights, false, step.CodeGradient);
        return step.CodeGradient;
    }

    /// <summary>
    /// The k best classes of each row of <paramref name="codes"/> by the full (uncorrected) scores, over blocks of
    /// <see cref="ScoringBlock"/> classes: classes (rows x k; -1 past the class count) and scores, ties to the smaller class.
    /// </summary>
    public (int[] Classes, float[] Scores) TopK(Tensor codes, int k)
    {
        int rows = codes.Rows;
        var bestClasses = new int[rows * k];
        var bestScores = new float[rows * k];
        Array.Fill(bestClasses, -1);
        Array.Fill(bestScores, float.NegativeInfinity);
        for (int c0 = 0; c0 < NumClasses; c0 += ScoringBlock)
        {
            int n = Math.Min(ScoringBlock, NumClasses - c0), kb = Math.Min(k, n);
            var ids = Enumerable.Range(c0, n).ToArray();
            using var step = new Step(_backend, ids, codes);
            _backend.EmbeddingBag(step.Tokens, step.Ones, Weight.Value, step.Weights, EmbeddingBagMode.Sum);
            step.Offsets.CopyFrom(GatherBias(step.Tokens, step.Ones, n));
            _backend.Gemm(codes, false, step.Weights, true, step.Scores);
            _backend.AddRowVector(step.Offsets, step.Scores);
            using var values = _backend.Allocate(rows, kb);
            using var indices = _backend.AllocateInt(rows, kb);
            _backend.TopK(step.Scores, values, indices);
            var v = values.ToArray();
            var ix = indices.ToArray();
            for (int i = 0; i < rows; i++)
                for (int t = 0; t < kb; t++)
                    Insert(bestClasses.AsSpan(i * k, k), bestScores.AsSpan(i * k, k), c0 + ix[i * kb + t], v[i * kb + t]);
        }
        return (bestClasses, bestScores);
    }

    /// <summary>Inserts a (class, score) into a row's descending top list; on equal scores the smaller class ranks first.</summary>
    private static void Insert(Span<int> classes, Span<float> scores, int c, float s)
    {
        int k = classes.Length;
        if (!(s > scores[k - 1] || (s == scores[k - 1] && (classes[k - 1] < 0 || c < classes[k - 1])))) return;
        int at = k - 1;
        while (at > 0 && (s > scores[at - 1] || (s == scores[at - 1] && c < classes[at - 1])))
        {
            scores[at] = scores[at - 1];
            classes[at] = classes[at - 1];
            at--;
        }
        scores[at] = s;
        classes[at] = c;
    }

    private float[] GatherBias(IntTensor tokens, IntTensor ones, int count)
    {
        using var bias = _backend.Allocate(count, 1);
        _backend.EmbeddingBag(tokens, ones, Bias.Value, bias, EmbeddingBagMode.Sum);
        return bias.ToArray();
    }

    public void Dispose()
    {
        _step?.Dispose();
        _step = null;
        Weight.Dispose();
        Bias.Dispose();
    }

    /// <summary>The device buffers of one step (or one scoring block).</summary>
    private sealed class Step : IDisposable
    {
        public Step(IComputeBackend backend, int[] candidates, Tensor codes)
        {
            Candidates = candidates;
            Codes = codes;
            int u = candidates.Length;
            Tokens = backend.UploadInt(candidates, u, 1);
            var ones = new int[u];
            Array.Fill(ones, 1);
            Ones = backend.UploadInt(ones, u, 1);
            Weights = backend.Allocate(u, codes.Cols);
            Offsets = backend.Allocate(1, u);
            Scores = backend.Allocate(codes.Rows, u);
            CodeGradient = backend.Allocate(codes.Rows, codes.Cols);
        }

        public int[] Candidates { get; }

        public Tensor Codes { get; }

        public IntTensor Tokens { get; }

        public IntTensor Ones { get; }

        public Tensor Weights { get; }

        public Tensor Offsets { get; }

        public Tensor Scores { get; }

        public Tensor CodeGradient { get; }

        public void Dispose()
        {
            Tokens.Dispose();
            Ones.Dispose();
            Weights.Dispose();
            Offsets.Dispose();
            Scores.Dispose();
            CodeGradient.Dispose();
        }
    }
}
