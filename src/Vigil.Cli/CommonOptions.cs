using System.CommandLine;
using Vigil.Store;

namespace Vigil.Cli;

/// <summary>Options several commands share, defined once.</summary>
internal static class CommonOptions
{
    public static Option<string?> Store() => new("--store")
    {
        Description = "The Nix store to read, as nix takes it: '' (the system store), 'local?root=DIR' (a chroot store). Default: $NIX_REMOTE.",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON instead of text.",
    };

    public static Option<string?> Db() => new("--db")
    {
        Description = "Database: a SQLite file (default ./vigil.db), 'postgres://user@host/db' or an Npgsql connection string.",
    };

    public static StoreLocation ResolveStore(string? store) =>
        store is null ? StoreLocation.FromEnvironment() : StoreLocation.Parse(store, Environment.GetEnvironmentVariable("NIX_STORE_DIR"));
}
