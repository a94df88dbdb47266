namespace Vigil.Builder;

/// <summary>How a builder runs: where its server and store are, what it offers, its limits.</summary>
/// <param name="ServerUrl">The farm server's gRPC address, e.g. <c>http://127.0.0.1:7070</c> (h2c) or https.</param>
/// <param name="BuilderId">Stable identity; reconnecting with the same id resumes the session.</param>
/// <param name="Store">Nix store URI of this builder's store (<c>local?root=DIR</c> for a chroot store); null: the environment's (NIX_REMOTE, else /nix/store).</param>
/// <param name="Jobs">Steps run at once.</param>
/// <param name="Systems">System types offered (first = native).</param>
/// <param name="SupportedFeatures">System features offered.</param>
/// <param name="MandatoryFeatures">Features every accepted step must require.</param>
public sealed record BuilderOptions(
    Uri ServerUrl,
    string BuilderId,
    string? Store,
    int Jobs,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> SupportedFeatures,
    IReadOnlyList<string> MandatoryFeatures)
{
    /// <summary>
    /// Extra <c>--option NAME VALUE</c> pairs for every build. The builder always adds
    /// <c>substituters ''</c> (inputs come from the server, never a cache); a chroot store with
    /// /bin/sh builders needs <c>sandbox-paths</c> (docs/nix-behaviour.md §2), which
    /// <see cref="ForChrootStore"/> supplies.
    /// </summary>
    public IReadOnlyDictionary<string, string> NixOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the Nix programs are; null searches PATH.</summary>
    public string? NixBinDirectory { get; init; }

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long running steps may finish after SIGTERM or a Shutdown before they are aborted.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long, at exit, the builder waits for the server to acknowledge its last results.</summary>
    public TimeSpan ResultFlushTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts at fetching a step's inputs before the step is reported transient.</summary>
    public int FetchAttempts { get; init; } = 5;

    /// <summary>HTTP/2 keep-alive ping period and timeout: how a half-dead connection (no RST, no FIN) is noticed.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Grace between the polite stop of a build (SIGTERM to Nix, which then kills its builder) and SIGKILL of the whole process tree.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Version string sent in Join.</summary>
    public string BuilderVersion { get; init; } = typeof(BuilderOptions).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The sandbox options a chroot store needs to run /bin/sh builders (the host's merged /usr, bind-mounted).</summary>
    public static IReadOnlyDictionary<string, string> ForChrootStore { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sandbox-paths"] = "/bin /usr /lib /lib64",
    };
}
