using Vigil.Nix.StorePaths;

namespace Vigil.Store;

/// <summary>
/// Where a local Nix store lives: its logical directory (part of every hash, normally
/// <c>/nix/store</c>) and the real directory holding the files, which differs for a chroot store
/// (<c>local?root=/tmp/x</c> keeps <c>/nix/store/…</c> paths under <c>/tmp/x/nix/store</c>).
/// </summary>
public sealed class StoreLocation
{
    public StoreLocation(StoreDir storeDir, string realDirectory, string? stateDirectory = null)
    {
        StoreDir = storeDir;
        RealDirectory = realDirectory.TrimEnd('/');
        StateDirectory = (stateDirectory ?? DefaultStateDirectory).TrimEnd('/');
    }

    /// <summary>Nix's state directory (<c>NIX_STATE_DIR</c>, else <c>/nix/var/nix</c>) of the system store.</summary>
    private static string DefaultStateDirectory =>
        Environment.GetEnvironmentVariable("NIX_STATE_DIR") is { Length: > 0 } dir ? dir : "/nix/var/nix";

    public StoreDir StoreDir { get; }

    public string RealDirectory { get; }

    /// <summary>Where Nix keeps this store's database (<c>db/db.sqlite</c>): <c>ROOT/nix/var/nix</c> for a chroot store.</summary>
    public string StateDirectory { get; }

    public static StoreLocation Default { get; } = new(StoreDir.Default, StoreDir.Default.Path);

    /// <summary>
    /// Reads a store URI as Nix does for local stores: <c>""</c>, <c>auto</c>, <c>local</c>,
    /// <c>daemon</c> and <c>/path</c> mean the system store; <c>local?root=R</c> a chroot store;
    /// <c>?store=S</c> a different logical store dir. <paramref name="storeDirOverride"/> is
    /// <c>NIX_STORE_DIR</c>.
    /// </summary>
    public static StoreLocation Parse(string? uri, string? storeDirOverride = null)
    {
        var logical = string.IsNullOrEmpty(storeDirOverride) ? StoreDir.Default.Path : storeDirOverride.TrimEnd('/');
        string? root = null;
        uri ??= "";
        var query = "";
        var q = uri.IndexOf('?', StringComparison.Ordinal);
        var scheme = q >= 0 ? uri[..q] : uri;
        if (q >= 0)
        {
            query = uri[(q + 1)..];
        }
        if (scheme is not ("" or "auto" or "local" or "daemon" or "unix") && !scheme.StartsWith('/'))
        {
            throw new ArgumentException($"store '{uri}' is not a local store; use '', 'auto', 'local?root=DIR' or a directory");
        }
        if (scheme.StartsWith('/'))
        {
            root = scheme;
        }
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq >= 0 ? part[..eq] : part;
            var value = eq >= 0 ? Uri.UnescapeDataString(part[(eq + 1)..]) : "";
            switch (key)
            {
                case "root":
                    root = value;
                    break;
                case "store":
                    logical = value.TrimEnd('/');
                    break;
                case "real":
                    return new StoreLocation(new StoreDir(logical), value);
            }
        }
        var storeDir = new StoreDir(logical);
        return root is null
            ? new StoreLocation(storeDir, logical)
            : new StoreLocation(storeDir, root.TrimEnd('/') + logical, root.TrimEnd('/') + "/nix/var/nix");
    }

    /// <summary>The store of the environment, as the <c>nix</c> commands would pick it.</summary>
    public static StoreLocation FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable("NIX_REMOTE"), Environment.GetEnvironmentVariable("NIX_STORE_DIR"));

    /// <summary>The file holding a store path (full logical path) on this machine.</summary>
    public string RealPath(string storePath)
    {
        var baseName = StoreDir.Parse(storePath).BaseName;
        return RealDirectory + "/" + baseName;
    }

    /// <summary>Whether the file of a store path (a <c>.drv</c>, or an output that is one file) is on this machine.</summary>
    public bool HasFile(string storePath) => File.Exists(RealPath(storePath));

    /// <summary>Accepts a logical store path, or a real file path inside the store, and returns the logical path.</summary>
    public string ToStorePath(string path)
    {
        if (path.StartsWith(StoreDir.Prefix, StringComparison.Ordinal))
        {
            return path;
        }
        var full = Path.GetFullPath(path);
        if (full.StartsWith(RealDirectory + "/", StringComparison.Ordinal))
        {
            return StoreDir.Prefix + full[(RealDirectory.Length + 1)..];
        }
        return path;
    }
}
