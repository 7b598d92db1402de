using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using XcNotebooks.Core;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>
/// The HNSW graph's settings (Malkov and Yashunin's M, ef_construction and ef, as USearch names them), with USearch's
/// own defaults; benchmarks/results/hnsw-cpu.md gives their recall@10 and speed against exact search at 10^4-10^6 labels.
/// </summary>
public sealed record HnswOptions
{
    /// <summary>Neighbours per node and layer (M): more gives higher recall, a bigger graph and slower adds.</summary>
    public int Connectivity { get; init; } = 16;

    /// <summary>Candidates kept while inserting (ef_construction): more gives a better graph and slower adds.</summary>
    public int ExpansionAdd { get; init; } = 128;

    /// <summary>Candidates kept while searching (ef, at least k): more gives higher recall and slower queries.</summary>
    public int ExpansionSearch { get; init; } = 64;

    /// <summary>
    /// Threads that add and search (0: every core). USearch draws node levels from its own fixed-seed generator
    /// (it takes no seed), so a build with 1 thread is the same graph run to run; with more threads the insertion
    /// order, and so the graph, depends on scheduling.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>Threads actually used.</summary>
    internal int ThreadCount => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Connectivity < 2) throw new ArgumentException($"HNSW connectivity must be at least 2, got {Connectivity}");
        if (ExpansionAdd < 1) throw new ArgumentException($"HNSW expansion_add must be positive, got {ExpansionAdd}");
        if (ExpansionSearch < 1) throw new ArgumentException($"HNSW expansion_search must be positive, got {ExpansionSearch}");
        if (Threads < 0) throw new ArgumentException($"HNSW threads must be 0 (every core) or positive, got {Threads}");
    }
}

/// <summary>
/// Approximate nearest labels by cosine in a USearch HNSW graph (native, from the Cloud.Unum.USearch package): label
/// vectors are normalised and stored as float32 under the inner-product metric, so 1 - distance is the cosine that
/// <see cref="ExactLabelIndex"/> returns. Adds and searches run in parallel, one USearch thread context per worker.
/// The graph serialises to bytes (<see cref="Serialize"/>) that <see cref="LabelIndexes.Write"/> puts in the model file.
/// </summary>
public sealed unsafe class HnswLabelIndex : ILabelIndex
{
    /// <summary>Labels added per parallel batch (progress is reported between batches).</summary>
    private const int AddBatch = 16_384;

    private readonly UsearchHandle _index;

    /// <summary>One search at a time: each runs as many workers as USearch has thread contexts.</summary>
    private readonly Lock _searching = new();

    private HnswLabelIndex(UsearchHandle index, HnswOptions options, int count, int dimension)
    {
        _index = index;
        Options = options;
        Count = count;
        Dimension = dimension;
    }

    /// <summary>The graph's settings.</summary>
    public HnswOptions Options { get; }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public LabelIndexKind Kind => LabelIndexKind.Hnsw;

    /// <summary>USearch's own count of the bytes it holds: vectors, graph and thread contexts.</summary>
    public long SizeBytes
    {
        get
        {
            IntPtr error = IntPtr.Zero;
            long bytes = (long)UsearchNative.Api.MemoryUsage(_index.Pointer, &error);
            UsearchNative.Check(error, "memory usage");
            return bytes;
        }
    }

    /// <summary>Builds the graph of the rows of <paramref name="labelVectors"/> (label l is row l), adding in parallel.</summary>
    public static HnswLabelIndex Build(RowMajorMatrix labelVectors, HnswOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(labelVectors);
        options ??= new HnswOptions();
        options.Validate();
        if (labelVectors.Rows < 1) throw new ArgumentException("no label vectors to index");
        if (labelVectors.Cols < 1) throw new ArgumentException("label vectors have no columns");
        var init = new IndexOptions(MetricKind.Ip, default, ScalarKind.Float32, (ulong)labelVectors.Cols,
            (ulong)options.Connectivity, (ulong)options.ExpansionAdd, (ulong)options.ExpansionSearch, false);
        var handle = UsearchHandle.Create(init);
        try
        {
            var api = UsearchNative.Api;
            IntPtr error = IntPtr.Zero;
            api.Reserve(handle.Pointer, (nuint)labelVectors.Rows, &error);
            UsearchNative.Check(error, $"reserving {labelVectors.Rows:N0} vectors");
            SetThreads(handle, options.ThreadCount);
            int d = labelVectors.Cols;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.ThreadCount };
            for (int start = 0; start < labelVectors.Rows; start += AddBatch)
            {
                int end = Math.Min(labelVectors.Rows, start + AddBatch);
                Parallel.For(start, end, parallel, () => new float[d], (l, _, unit) =>
                {
                    Normalize(labelVectors.Row(l), unit);
                    IntPtr addError = IntPtr.Zero;
                    fixed (float* vector = unit) UsearchNative.Api.Add(handle.Pointer, (ulong)l, vector, ScalarKind.Float32, &addError);
                    UsearchNative.Check(addError, $"adding label {l}");
                    return unit;
                }, _ => { });
                monitor?.Report("HNSW index", end, labelVectors.Rows);
            }
            return new HnswLabelIndex(handle, options, labelVectors.Rows, d);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public TopKPredictions Search(RowMajorMatrix queries, int k, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (k < 1) throw new ArgumentException($"k must be positive, got {k}");
        if (queries.Cols != Dimension) throw new ArgumentException($"queries have {queries.Cols} columns, the index {Dimension}");
        lock (_searching) return SearchAll(queries, k, monitor);
    }

    private TopKPredictions SearchAll(RowMajorMatrix queries, int k, TrainingMonitor? monitor)
    {
        var result = TopKPredictions.Empty(queries.Rows, k);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.ThreadCount };
        int d = Dimension;
        const int chunk = 4096;
        for (int start = 0; start < queries.Rows; start += chunk)
        {
            int end = Math.Min(queries.Rows, start + chunk);
            Parallel.For(start, end, parallel, () => new SearchBuffers(d, k), (i, _, buffers) =>
            {
                Normalize(queries.Row(i), buffers.Query);
                IntPtr error = IntPtr.Zero;
                nuint found;
                fixed (float* query = buffers.Query)
                fixed (ulong* keys = buffers.Keys)
                fixed (float* distances = buffers.Distances)
                    found = UsearchNative.Api.Search(_index.Pointer, query, ScalarKind.Float32, (nuint)k, keys, distances, &error);
                UsearchNative.Check(error, "search");
                var labels = result.Labels.AsSpan(i * k, k);
                var scores = result.Scores.AsSpan(i * k, k);
                // USearch returns ascending distances; equal scores are put in label order, as exact search ranks them.
                for (int r = 0; r < (int)found; r++)
                {
                    int label = (int)buffers.Keys[r], pos = r;
                    float score = 1f - buffers.Distances[r];
                    while (pos > 0 && (score > scores[pos - 1] || (score == scores[pos - 1] && label < labels[pos - 1])))
                    {
                        labels[pos] = labels[pos - 1];
                        scores[pos] = scores[pos - 1];
                        pos--;
                    }
                    labels[pos] = label;
                    scores[pos] = score;
                }
                return buffers;
            }, _ => { });
            monitor?.Report("search", end, queries.Rows);
        }
        return result;
    }

    /// <summary>USearch's serialised index (its header, vectors and graph) as bytes.</summary>
    public byte[] Serialize()
    {
        var api = UsearchNative.Api;
        IntPtr error = IntPtr.Zero;
        ulong length = api.SerializedLength(_index.Pointer, &error);
        UsearchNative.Check(error, "measuring the serialised index");
        if (length > (ulong)Array.MaxLength) throw new InvalidOperationException($"the HNSW index serialises to {length:N0} bytes, more than one array holds");
        var bytes = new byte[length];
        fixed (byte* buffer = bytes) api.SaveBuffer(_index.Pointer, buffer, (nuint)length, &error);
        UsearchNative.Check(error, "serialising the index");
        return bytes;
    }

    /// <summary>
    /// An index from bytes of <see cref="Serialize"/> (copied into USearch's memory), searching with
    /// <paramref name="options"/>' expansion and threads. Throws <see cref="InvalidOperationException"/> with USearch's
    /// message when the bytes are not an index.
    /// </summary>
    public static HnswLabelIndex Deserialize(byte[] bytes, HnswOptions options)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (bytes.Length == 0) throw new InvalidOperationException("no bytes to load an index from");
        var handle = UsearchHandle.Create(new IndexOptions(MetricKind.Ip, default, ScalarKind.Float32, 1, 0, 0, 0, false));
        try
        {
            var api = UsearchNative.Api;
            IntPtr error = IntPtr.Zero;
            fixed (byte* buffer = bytes) api.LoadBuffer(handle.Pointer, buffer, (nuint)bytes.Length, &error);
            UsearchNative.Check(error, "loading the index");
            int count = checked((int)api.Size(handle.Pointer, &error));
            int dimension = checked((int)api.Dimensions(handle.Pointer, &error));
            UsearchNative.Check(error, "reading the index's shape");
            if (count < 1 || dimension < 1) throw new InvalidOperationException($"the loaded index holds {count} vectors of dimension {dimension}");
            api.ChangeExpansionSearch(handle.Pointer, (nuint)options.ExpansionSearch, &error);
            UsearchNative.Check(error, "setting expansion_search");
            SetThreads(handle, options.ThreadCount);
            return new HnswLabelIndex(handle, options, count, dimension);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Thread contexts for at least <paramref name="threads"/> concurrent adds and searches: USearch hands each
    /// call a free context, and more concurrent calls than contexts is undefined in its release build.
    /// </summary>
    private static void SetThreads(UsearchHandle handle, int threads)
    {
        IntPtr error = IntPtr.Zero;
        UsearchNative.Api.ChangeThreadsAdd(handle.Pointer, (nuint)threads, &error);
        UsearchNative.Check(error, "reserving add threads");
        UsearchNative.Api.ChangeThreadsSearch(handle.Pointer, (nuint)threads, &error);
        UsearchNative.Check(error, "reserving search threads");
    }

    /// <summary>Writes <paramref name="row"/> / ||row|| into <paramref name="unit"/> (a zero row stays zero).</summary>
    private static void Normalize(ReadOnlySpan<float> row, Span<float> unit)
    {
        float norm = TensorPrimitives.Norm(row);
        if (norm > 0) TensorPrimitives.Divide(row, norm, unit);
        else unit.Clear();
    }

    /// <summary>Frees the native index.</summary>
    public void Dispose() => _index.Dispose();

    /// <summary>Size and settings.</summary>
    public override string ToString() =>
        $"HnswLabelIndex {Count:N0} labels x {Dimension} (USearch, M = {Options.Connectivity}, ef_add = {Options.ExpansionAdd}, ef = {Options.ExpansionSearch})";

    /// <summary>One worker's query, key and distance buffers.</summary>
    private sealed class SearchBuffers(int dimension, int k)
    {
        public readonly float[] Query = new float[dimension];
        public readonly ulong[] Keys = new ulong[k];
        public readonly float[] Distances = new float[k];
    }

    /// <summary>The native index pointer, freed once (also by the finalizer when a caller forgets to dispose).</summary>
    private sealed class UsearchHandle : SafeHandle
    {
        private UsearchHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        public IntPtr Pointer => IsClosed ? throw new ObjectDisposedException(nameof(HnswLabelIndex)) : handle;

        public static UsearchHandle Create(IndexOptions options)
        {
            IntPtr error = IntPtr.Zero;
            var result = new UsearchHandle();
            result.SetHandle(UsearchNative.Api.Init(&options, &error));
            if (error != IntPtr.Zero)
            {
                result.Dispose();
                UsearchNative.Check(error, "creating an index");
            }
            return result;
        }

        protected override bool ReleaseHandle()
        {
            IntPtr error = IntPtr.Zero;
            UsearchNative.Api.Free(handle, &error);
            return error == IntPtr.Zero;
        }
    }
}
