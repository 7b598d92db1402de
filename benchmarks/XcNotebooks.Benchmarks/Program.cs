using System.Reflection;
using XcNotebooks.Benchmarks;

// `dotnet run -c Release --project benchmarks/XcNotebooks.Benchmarks -- NAME [args]`: runs the benchmark called NAME.
// Benchmarks are the IBenchmark implementations of this assembly (found by reflection: no list to edit).
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine("usage: XcNotebooks.Benchmarks NAME [args]; benchmarks:");
    foreach (var b in benchmarks.Values.OrderBy(b => b.Name)) Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    return 1;
}
return benchmark.Run(args[1..]);
