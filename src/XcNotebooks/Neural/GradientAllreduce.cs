using XcNotebooks.Core;

namespace XcNotebooks.Neural;

/// <summary>
/// The gradient exchange of data-parallel training: after every rank has back-propagated its slice of the batch,
/// <see cref="Sum"/> replaces each parameter's gradient by its sum over the ranks, so that the same optimiser step on
/// every rank keeps the parameters identical. All gradients travel in one flat float buffer, one
/// <see cref="ICollective.AllreduceSum(float[])"/> per step, with the step's scalars (the loss) packed behind them.
/// <para>
/// Row-sparse parameters (embedding tables, auxiliary vectors) carry only the rows their layers touched, and ranks
/// touch different rows; so when there are any, one allreduce of a flag per row comes first: every rank marks the
/// union of the touched rows (rows it did not touch hold zero gradient, as <see cref="Parameter.ZeroGradient"/>
/// leaves them) and only those rows go into the buffer, in increasing row order. Lazy optimisers then update the
/// same rows on every rank, as one process that saw the whole batch would.
/// </para>
/// Floats per step: Σ dense parameter sizes + (union of touched rows) × columns of the row-sparse ones + 2 per scalar
/// (rounded up to a multiple of 4,096, so that steps reuse one buffer), and Σ rows of the row-sparse parameters for the flags. With one rank nothing is exchanged and nothing changes.
/// </summary>
public sealed class GradientAllreduce
{
    private readonly Parameter[] _parameters;
    private readonly ICollective _collective;
    private readonly int _flagCount;
    private const int BufferBlock = 4096;
    private float[]? _flags, _buffer;

    /// <summary>An exchange of the gradients of <paramref name="parameters"/> over the ranks of <paramref name="collective"/>.</summary>
    public GradientAllreduce(IEnumerable<Parameter> parameters, ICollective collective)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _collective = collective ?? throw new ArgumentNullException(nameof(collective));
        _parameters = parameters.Distinct().ToArray();
        _flagCount = _parameters.Where(p => p.RowSparse).Sum(p => p.Rows);
    }

    /// <summary>The collective the gradients are summed over.</summary>
    public ICollective Collective => _collective;

    /// <summary>Floats sent by each rank in the last <see cref="Sum"/> (flags, gradients and scalars; 0 with one rank).</summary>
    public long LastFloats { get; private set; }

    /// <summary>
    /// Sums every parameter's gradient over the ranks in place and returns <paramref name="scalars"/> (this rank's
    /// share of the loss, counts, ...) summed over the ranks, closer than float precision (each scalar travels as two floats,
    /// a multiple of 2^-10 whose sum is exact and the remainder: about 10 significant digits for values below 8,192).
    /// </summary>
    public double[] Sum(params double[] scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (_collective.Size == 1)
        {
            LastFloats = 0;
            return [.. scalars];
        }
        long floats = 0;
        var rows = new int[_parameters.Length][];
        if (_flagCount > 0)
        {
            var flags = _flags ??= new float[_flagCount];
            Array.Clear(flags);
            int at = 0;
            foreach (var p in _parameters)
            {
                if (!p.RowSparse) continue;
                foreach (int r in p.TouchedRows) flags[at + r] = 1f;
                at += p.Rows;
            }
            _collective.AllreduceSum(flags);
            floats += flags.Length;
            at = 0;
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                if (!p.RowSparse) continue;
                var union = new List<int>();
                for (int r = 0; r < p.Rows; r++)
                    if (flags[at + r] > 0) union.Add(r);
                rows[i] = [.. union];
                p.MarkTouched(rows[i]);
                at += p.Rows;
            }
        }
        long length = 2L * scalars.Length;
        for (int i = 0; i < _parameters.Length; i++)
            length += rows[i] is { } touched ? (long)touched.Length * _parameters[i].Cols : _parameters[i].Gradient.Length;
        // Rounded up to whole blocks (zeros add nothing) so that a step can reuse the last step's buffer: no large
        // allocation per step.
        long padded = (length + BufferBlock - 1) / BufferBlock * BufferBlock;
        if (padded > Array.MaxLength) throw new InvalidOperationException($"{length:N0} gradient values do not fit one allreduce buffer");
        if (_buffer is null || _buffer.Length != padded) _buffer = new float[padded];
        var buffer = _buffer;
        buffer.AsSpan((int)length).Clear();
        long offset = 0;
        for (int i = 0; i < _parameters.Length; i++) offset = Pack(_parameters[i], rows[i], buffer, offset);
        for (int s = 0; s < scalars.Length; s++)
        {
            // A multiple of 2^-10 (sums of those stay exact in a float below 2^13) and the small remainder.
            double x = scalars[s];
            float high = Math.Abs(x) < 8192 ? (float)(Math.Round(x * 1024) / 1024) : (float)x;
            buffer[offset++] = high;
            buffer[offset++] = (float)(x - high);
        }
        _collective.AllreduceSum(buffer);
        floats += buffer.Length;
        offset = 0;
        for (int i = 0; i < _parameters.Length; i++) offset = Unpack(_parameters[i], rows[i], buffer, offset);
        var sums = new double[scalars.Length];
        for (int s = 0; s < scalars.Length; s++, offset += 2) sums[s] = (double)buffer[offset] + buffer[offset + 1];
        LastFloats = floats;
        return sums;
    }

    private static long Pack(Parameter p, int[]? rows, float[] buffer, long offset)
    {
        var g = p.Gradient;
        if (rows is null)
        {
            g.CopyTo(buffer.AsSpan((int)offset, g.Length));
            return offset + g.Length;
        }
        // A device gradient is read through one host copy.
        ReadOnlySpan<float> values = g.IsOnHost ? g.AsSpan() : g.ToArray();
        int cols = p.Cols;
        foreach (int r in rows)
        {
            values.Slice(r * cols, cols).CopyTo(buffer.AsSpan((int)offset, cols));
            offset += cols;
        }
        return offset;
    }

    private static long Unpack(Parameter p, int[]? rows, float[] buffer, long offset)
    {
        var g = p.Gradient;
        if (rows is null)
        {
            g.CopyFrom(buffer.AsSpan((int)offset, g.Length));
            return offset + g.Length;
        }
        // A device gradient is written through one host copy, sent back once.
        var host = g.IsOnHost ? null : g.ToArray();
        var values = host is null ? g.AsSpan() : host.AsSpan();
        int cols = p.Cols;
        foreach (int r in rows)
        {
            buffer.AsSpan((int)offset, cols).CopyTo(values.Slice(r * cols, cols));
            offset += cols;
        }
        if (host is not null) g.CopyFrom(host);
        return offset;
    }
}

/// <summary>
/// A collective that times its calls (wall time inside each, waiting for the other ranks included): how much of a
/// data-parallel epoch is communication and synchronisation rather than computation.
/// </summary>
internal sealed class TimedCollective(ICollective inner) : ICollective
{
    private readonly System.Diagnostics.Stopwatch _clock = new();

    /// <summary>Total time spent inside the collective operations.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Number of collective operations called.</summary>
    public long Calls { get; private set; }

    public int Rank => inner.Rank;

    public int Size => inner.Size;

    private void Timed(Action operation)
    {
        Calls++;
        _clock.Start();
        try { operation(); }
        finally { _clock.Stop(); }
    }

    public void Barrier() => Timed(inner.Barrier);

    public void AllreduceSum(float[] values) => Timed(() => inner.AllreduceSum(values));

    public void AllreduceSum(double[] values) => Timed(() => inner.AllreduceSum(values));

    public byte[] Broadcast(byte[]? data, int root)
    {
        byte[] result = [];
        Timed(() => result = inner.Broadcast(data, root));
        return result;
    }

    public void Gather(byte[] data, int root, Action<int, byte[]> receive) => Timed(() => inner.Gather(data, root, receive));

    public void Gather(float[] values, int root, Action<int, float[]> receive) => Timed(() => inner.Gather(values, root, receive));

    public void Abort(int exitCode) => inner.Abort(exitCode);
}
