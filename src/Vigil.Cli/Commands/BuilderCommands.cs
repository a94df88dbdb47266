using System.CommandLine;
using System.Runtime.InteropServices;
using Vigil.Builder;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>vigil builder --server URL</c>: a farm builder (docs/farm-protocol.md). Dials out to the
/// server, builds what it is sent with real Nix in its store, until SIGTERM/SIGINT (finish running
/// steps within --shutdown-grace, then abort them; a second signal aborts at once) or a Shutdown
/// from the server. Exit 0 after a requested stop, 2 when the server rejects the builder or the
/// options are wrong.
/// </summary>
internal static class BuilderCommands
{
    public static Command Build(CliContext context)
    {
        var server = new Option<string>("--server") { Description = "The farm server's gRPC address, e.g. http://127.0.0.1:7070 (HTTP/2 cleartext) or https://farm.example.", Required = true };
        var id = new Option<string?>("--id") { Description = "This builder's id, stable across restarts: reconnecting with the same id resumes its session (default: the host name)." };
        var store = CommonOptions.Store();
        var jobs = new Option<int>("--jobs") { Description = "Steps built at once (default 1).", DefaultValueFactory = _ => 1 };
        var features = new Option<string?>("--features") { Description = "Supported system features, comma-separated (e.g. kvm,big-parallel)." };
        var mandatory = new Option<string?>("--mandatory-features") { Description = "Features every step given to this builder must require, comma-separated." };
        var system = new Option<string[]>("--system") { Description = "System type built (repeatable; default: this machine's, e.g. x86_64-linux).", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var nixOption = new Option<string[]>("--nix-option") { Description = "NAME=VALUE passed to every build as --option NAME VALUE (repeatable). A chroot store gets sandbox-paths '/bin /usr /lib /lib64' unless given.", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var grace = new Option<double>("--shutdown-grace") { Description = "Seconds running steps may take to finish after SIGTERM before they are aborted (default 300).", DefaultValueFactory = _ => 300 };
        var command = new SelfStoppingCommand(
            "builder",
            "Run a farm builder: connect to the server at --server (no inbound port needed), report load and pressure,\n" +
            "build the steps it sends with real Nix in this machine's store (or --store), stream logs, upload outputs.\n" +
            "Reconnects with backoff when the server goes away. SIGTERM: finish running steps within --shutdown-grace.")
        {
            server, id, store, jobs, features, mandatory, system, nixOption, grace,
        };
        command.SetAction(async (parse, _) =>
        {
            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--server '{parse.GetValue(server)}' is not an http:// or https:// URL");
            }
            if (parse.GetValue(jobs) < 1 || parse.GetValue(grace) < 0)
            {
                throw new UsageException("--jobs must be at least 1 and --shutdown-grace not negative");
            }
            var storeUri = parse.GetValue(store) ?? NullIfEmpty(Environment.GetEnvironmentVariable("NIX_REMOTE"));
            var options = new BuilderOptions(
                url,
                parse.GetValue(id) ?? Environment.MachineName,
                storeUri,
                parse.GetValue(jobs),
                parse.GetValue(system) is { Length: > 0 } systems ? systems : [NativeSystem()],
                SplitList(parse.GetValue(features)),
                SplitList(parse.GetValue(mandatory)))
            {
                NixOptions = NixOptions(parse.GetValue(nixOption) ?? [], storeUri),
                ShutdownGrace = TimeSpan.FromSeconds(parse.GetValue(grace)),
            };
            var logger = new StderrLogger(context.Error, "vigil builder");
            using var agent = new BuilderAgent(options, logger);
            using var stop = new CancellationTokenSource();
            var signals = 0;
            void OnSignal(PosixSignalContext signal)
            {
                // Handled here, not by the default handler, so the grace period is ours to run.
                signal.Cancel = true;
                if (Interlocked.Increment(ref signals) == 1)
                {
                    stop.Cancel();
                }
                else
                {
                    agent.RequestShutdown(TimeSpan.Zero, "second signal: aborting running steps");
                }
            }
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            var exit = await agent.RunAsync(stop.Token).ConfigureAwait(false);
            return exit == BuilderExit.Rejected ? VigilApp.InputError : VigilApp.Success;
        });
        return command;
    }

    private static string NativeSystem() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => "aarch64-linux",
        Architecture.X86 => "i686-linux",
        _ => "x86_64-linux",
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string[] SplitList(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Dictionary<string, string> NixOptions(string[] pairs, string? store)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--nix-option '{pair}' is not NAME=VALUE");
            }
            options[pair[..eq]] = pair[(eq + 1)..];
        }
        // A chroot store forces the sandbox; /bin/sh builders then need the host's /bin and /usr inside (docs/nix-behaviour.md §2).
        if (store is not null && store.Contains("root=", StringComparison.Ordinal) && !options.ContainsKey("sandbox-paths"))
        {
            foreach (var (name, value) in BuilderOptions.ForChrootStore)
            {
                options[name] = value;
            }
        }
        return options;
    }
}
