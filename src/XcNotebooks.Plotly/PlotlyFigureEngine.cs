using System.Text;
using Plotly.NET;

namespace XcNotebooks.Plotly;

/// <summary>
/// Renders a figure described in plain data (trace types and properties, layout properties) through Plotly.NET to
/// its figure JSON, with Plotly.NET's default template. XcNotebooks calls these methods through delegates over BCL
/// types only, so nothing of Plotly.NET or FSharp.Core crosses into the caller's load context.
/// </summary>
public static class PlotlyFigureEngine
{
    /// <summary>
    /// The figure JSON of <paramref name="traces"/> (trace type, properties) under <paramref name="layout"/>.
    /// Null property values are left out. Nested values (dictionaries, arrays) are serialised as they are.
    /// </summary>
    public static string FigureJson(IReadOnlyList<KeyValuePair<string, IReadOnlyDictionary<string, object?>>> traces,
        IReadOnlyDictionary<string, object?> layout)
    {
        var traceObjects = new Trace[traces.Count];
        for (int i = 0; i < traces.Count; i++)
        {
            var trace = new Trace2D(traces[i].Key);
            foreach (var (name, value) in traces[i].Value)
                if (value is not null) trace.SetProperty(name, value);
            traceObjects[i] = trace;
        }
        var chart = GenericChart.ofTraceObjects(true, traceObjects);
        var layoutObject = new Layout();
        foreach (var (name, value) in layout)
            if (value is not null) layoutObject.SetProperty(name, value);
        return GenericChart.toJson(GenericChart.addLayout(layoutObject, chart));
    }

    /// <summary>The version and minified source of the plotly.js that Plotly.NET embeds.</summary>
    public static KeyValuePair<string, string> EmbeddedPlotlyJs()
    {
        const string prefix = "Plotly.NET.plotly-", suffix = ".min.js";
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} does not embed plotly.js (expected a {prefix}*{suffix} resource)");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new(name[prefix.Length..^suffix.Length], reader.ReadToEnd());
    }
}
