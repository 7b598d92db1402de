using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>
/// The C entry points of USearch's native library (libusearch_c, shipped in the Cloud.Unum.USearch package) that the
/// package's managed wrapper does not expose in 2.26.6: serialisation to and from memory (so the index lives inside
/// the kit's model file), thread contexts for parallel adds and searches, expansion changes, memory usage, and
/// add/search on caller-owned buffers (the wrapper allocates two arrays per query). The option struct and the enums
/// are the package's own. Entry points are bound through <see cref="NativeLibrary"/> function pointers, so the kit
/// registers no DllImport resolver (an assembly may have only one).
/// </summary>
internal static unsafe class UsearchNative
{
    private const string LibraryName = "libusearch_c";

    private static readonly Lazy<Entries> Bound = new(Bind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bound entry points; the first use loads the library (a clear error when it is missing).</summary>
    public static Entries Api => Bound.Value;

    /// <summary>USearch's C functions as unmanaged function pointers.</summary>
    internal sealed class Entries
    {
        public delegate* unmanaged[Cdecl]<IndexOptions*, IntPtr*, IntPtr> Init;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, void> Free;
        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void> Reserve;
        public delegate* unmanaged[Cdecl]<IntPtr, ulong, float*, ScalarKind, IntPtr*, void> Add;
        public delegate* unmanaged[Cdecl]<IntPtr, float*, ScalarKind, nuint, ulong*, float*, IntPtr*, nuint> Search;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> SerializedLength;
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr*, void> SaveBuffer;
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr*, void> LoadBuffer;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> Size;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> Dimensions;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> Connectivity;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> ExpansionAdd;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> ExpansionSearch;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint> MemoryUsage;
        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void> ChangeExpansionSearch;
        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void> ChangeThreadsAdd;
        public delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void> ChangeThreadsSearch;
        public delegate* unmanaged[Cdecl]<IntPtr> Version;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with USearch's message when <paramref name="error"/> is set.</summary>
    public static void Check(IntPtr error, string operation)
    {
        if (error != IntPtr.Zero)
            throw new InvalidOperationException($"USearch {operation} failed: {Marshal.PtrToStringAnsi(error)}");
    }

    /// <summary>The native library's version (for reports).</summary>
    public static string Version => Marshal.PtrToStringAnsi(Api.Version()) ?? "unknown";

    private static Entries Bind()
    {
        var library = LoadLibrary();
        IntPtr Export(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address
            : throw new InvalidOperationException($"{LibraryName} has no entry point {name}: the Cloud.Unum.USearch native library is not version 2.26.x");
        return new Entries
        {
            Init = (delegate* unmanaged[Cdecl]<IndexOptions*, IntPtr*, IntPtr>)Export("usearch_init"),
            Free = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, void>)Export("usearch_free"),
            Reserve = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void>)Export("usearch_reserve"),
            Add = (delegate* unmanaged[Cdecl]<IntPtr, ulong, float*, ScalarKind, IntPtr*, void>)Export("usearch_add"),
            Search = (delegate* unmanaged[Cdecl]<IntPtr, float*, ScalarKind, nuint, ulong*, float*, IntPtr*, nuint>)Export("usearch_search"),
            SerializedLength = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_serialized_length"),
            SaveBuffer = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr*, void>)Export("usearch_save_buffer"),
            LoadBuffer = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr*, void>)Export("usearch_load_buffer"),
            Size = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_size"),
            Dimensions = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_dimensions"),
            Connectivity = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_connectivity"),
            ExpansionAdd = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_expansion_add"),
            ExpansionSearch = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_expansion_search"),
            MemoryUsage = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint>)Export("usearch_memory_usage"),
            ChangeExpansionSearch = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void>)Export("usearch_change_expansion_search"),
            ChangeThreadsAdd = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void>)Export("usearch_change_threads_add"),
            ChangeThreadsSearch = (delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, void>)Export("usearch_change_threads_search"),
            Version = (delegate* unmanaged[Cdecl]<IntPtr>)Export("usearch_version"),
        };
    }

    /// <summary>
    /// The application's own probing first (deps.json lists the package's runtimes/RID/native files); then the
    /// runtimes folder beside XcNotebooks.dll, which a notebook kernel that loads the dll by path does not probe.
    /// </summary>
    private static IntPtr LoadLibrary()
    {
        var assembly = typeof(UsearchNative).Assembly;
        if (NativeLibrary.TryLoad(LibraryName, assembly, null, out var handle)) return handle;
        var tried = new List<string>();
        var folder = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(folder))
        {
            string file = OperatingSystem.IsWindows() ? "libusearch_c.dll" : OperatingSystem.IsMacOS() ? "libusearch_c.dylib" : "libusearch_c.so";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            foreach (var candidate in new[] { Path.Combine(folder, "runtimes", $"{os}-{arch}", "native", file), Path.Combine(folder, file) })
            {
                tried.Add(candidate);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle)) return handle;
            }
        }
        throw new InvalidOperationException(
            $"USearch's native library {LibraryName} could not be loaded (the Cloud.Unum.USearch package ships it for linux-x64, win-x64 and osx-arm64; tried the application's probing paths{(tried.Count > 0 ? " and " + string.Join(", ", tried) : "")})");
    }
}
