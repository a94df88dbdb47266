using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// A per-test directory for chroot stores, databases and lists, deleted afterwards. It lives on
/// tmpfs (<c>/dev/shm</c>) when there is one: Nix registers every <c>.drv</c> it writes in its
/// SQLite database with fsyncs, and on a disk that makes instantiation about half as fast.
/// </summary>
public sealed class ScanWorkspace : IDisposable
{
    private int counter;

    public ScanWorkspace()
    {
        var name = "vigil-scan-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            Root = Directory.CreateDirectory(Path.Combine("/dev/shm", name)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No usable tmpfs: the temp directory will do, only slower.
            Root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), name)).FullName;
        }
    }

    public string Root { get; }

    /// <summary>A fresh path under the workspace (not created), unique per call.</summary>
    public string NewPath(string name) => Path.Combine(Root, $"{Interlocked.Increment(ref counter)}-{name}");

    /// <summary>A fresh, empty chroot store root.</summary>
    public string NewStoreRoot() => NewPath("store");

    /// <summary>A fresh SQLite database file.</summary>
    public string NewSqliteDb() => NewPath("vigil.db");

    /// <summary>A writable copy of a chroot store (its files and Nix's database), for a test to damage.</summary>
    public async Task<string> CopyStoreAsync(string storeRoot)
    {
        var copy = NewStoreRoot();
        await RunNixAsync("cp", "-a", storeRoot, copy);
        await RunNixAsync("chmod", "-R", "u+w", copy);
        return copy;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (UnauthorizedAccessException) when (!OperatingSystem.IsWindows())
        {
            // Nix leaves store directories read-only; unprivileged runs have to open them first.
            foreach (var dir in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Directory.Delete(Root, recursive: true);
        }
    }
}
