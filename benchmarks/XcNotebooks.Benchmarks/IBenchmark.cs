namespace XcNotebooks.Benchmarks;

/// <summary>A benchmark the program can run by name (speed figures as ratios against a baseline measured in the same run).</summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    /// <summary>Runs with the remaining command-line arguments; returns the exit code.</summary>
    int Run(string[] args);
}
