using System.Globalization;

namespace XcNotebooks.Benchmarks;

/// <summary>The `--name value` arguments of a benchmark command.</summary>
internal static class BenchmarkArgs
{
    /// <summary>The value after <paramref name="name"/>, or null.</summary>
    public static string? Arg(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback) =>
        Arg(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The comma-separated list after <paramref name="name"/> (or <paramref name="fallback"/>).</summary>
    public static string[] List(string[] args, string name, string fallback) =>
        (Arg(args, name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
