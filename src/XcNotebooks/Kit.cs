namespace XcNotebooks;

/// <summary>Library-wide facts: version strings written into saved models and reports.</summary>
public static class Kit
{
    /// <summary>The library version; saved models record it.</summary>
    public const string Version = "0.1.0";
}
