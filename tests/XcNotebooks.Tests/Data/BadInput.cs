using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

/// <summary>Checks that bad input is reported as "FILE:LINE: problem".</summary>
internal static class BadInput
{
    /// <summary>Runs <paramref name="read"/>, expects a DataFormatException at <paramref name="path"/>:<paramref name="line"/> mentioning <paramref name="problem"/>.</summary>
    public static DataFormatException Expect(Action read, string path, int line, string problem)
    {
        var e = Assert.Throws<DataFormatException>(read);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
        Assert.Contains(problem, e.Message);
        return e;
    }
}
