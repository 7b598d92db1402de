using System.Text;
using XcNotebooks.Notebooks;

namespace XcNotebooks.Cli.Notebooks;

/// <summary>
/// Collects one cell's outputs in order: console text (consecutive writes to the same stream merge, as in Jupyter),
/// displayed values and the final result.
/// </summary>
internal sealed class CellCapture
{
    private readonly List<CellOutput> _outputs = [];
    private readonly Lock _lock = new();
    private StringBuilder? _stream;
    private string? _streamName;

    public void Write(string streamName, string text)
    {
        if (text.Length == 0) return;
        lock (_lock)
        {
            if (_streamName != streamName) Flush();
            _streamName = streamName;
            (_stream ??= new StringBuilder()).Append(text);
        }
    }

    public void Add(CellOutput output)
    {
        lock (_lock)
        {
            Flush();
            _outputs.Add(output);
        }
    }

    public void Display(object? value, string? plainText = null) => Add(new DisplayDataOutput(Bundle(value, plainText)));

    /// <summary>The value's mime bundle; <paramref name="plainText"/> (a kernel's own printing) replaces the Formatter's text/plain.</summary>
    public static IReadOnlyDictionary<string, string> Bundle(object? value, string? plainText)
    {
        var bundle = XcFormatters.MimeBundle(value);
        if (plainText is null) return bundle;
        return new Dictionary<string, string>(bundle) { ["text/plain"] = plainText };
    }

    public IReadOnlyList<CellOutput> Outputs()
    {
        lock (_lock)
        {
            Flush();
            return _outputs.ToArray();
        }
    }

    private void Flush()
    {
        if (_stream is { Length: > 0 }) _outputs.Add(new StreamOutput(_streamName!, _stream.ToString()));
        _stream = null;
        _streamName = null;
    }
}

/// <summary>
/// Console.Out / Console.Error replacement that sends text written by a running cell (and by threads it starts,
/// which inherit the async flow) to that cell's capture, and everything else to the original writer. Installed
/// once per process, so notebook runs never swap the console under other code.
/// </summary>
internal sealed class CellConsoleWriter(TextWriter original, string streamName) : TextWriter
{
    private static readonly AsyncLocal<CellCapture?> CurrentCapture = new();
    private static readonly Lock InstallLock = new();
    private static TextWriter? _installedOut, _installedError;

    public override Encoding Encoding => original.Encoding;

    /// <summary>The capture of the cell running in this async flow.</summary>
    public static CellCapture? Current
    {
        get => CurrentCapture.Value;
        set => CurrentCapture.Value = value;
    }

    /// <summary>Routes Console.Out and Console.Error through cell captures (again, if someone replaced them).</summary>
    public static void Install()
    {
        lock (InstallLock)
        {
            if (!ReferenceEquals(Console.Out, _installedOut))
            {
                Console.SetOut(new CellConsoleWriter(Console.Out, "stdout"));
                _installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, _installedError))
            {
                Console.SetError(new CellConsoleWriter(Console.Error, "stderr"));
                _installedError = Console.Error;
            }
        }
    }

    public override void Write(char value)
    {
        if (Current is { } capture) capture.Write(streamName, value.ToString());
        else original.Write(value);
    }

    public override void Write(string? value)
    {
        if (Current is { } capture) capture.Write(streamName, value ?? "");
        else original.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (Current is { } capture) capture.Write(streamName, new string(buffer, index, count));
        else original.Write(buffer, index, count);
    }

    public override void WriteLine(string? value)
    {
        if (Current is { } capture) capture.Write(streamName, (value ?? "") + "\n");
        else original.WriteLine(value);
    }

    public override void Flush()
    {
        if (Current is null) original.Flush();
    }
}
