namespace Vigil.Farm.Grpc;

/// <summary>
/// The farm server's settings: the 127.0.0.1 port of its HTTP/2-only gRPC endpoint (0: any free
/// one), its Nix store (null: the default), where step logs go, the heartbeat interval it asks of
/// builders, how long a builder may stay silent before it is declared lost (a multiple of the
/// heartbeat), how long a graceful stop lets running steps finish, and how often the database is
/// polled for new builds where nothing announces them (SQLite).
/// </summary>
public sealed record FarmServerOptions(
    string Listen,
    int Port,
    string? Store,
    string LogDirectory,
    TimeSpan Heartbeat,
    TimeSpan LivenessTimeout,
    TimeSpan StopGrace,
    TimeSpan PollInterval)
{
    public const int DefaultPort = 7311;

    public string ServerVersion { get; init; } = "vigil";

    /// <summary>The wait before the first retry of a step that failed for the farm's sake (then ×3 per attempt, up to 1 h).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Nix options given to the server's own store calls (e.g. sandbox-paths of a chroot store).</summary>
    public IReadOnlyDictionary<string, string> NixOptions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
