using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Vigil.Testing;

/// <summary>
/// A throw-away PostgreSQL server: <c>initdb</c> into a temp directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port with durability off, and stop plus delete on dispose. As root (postgres refuses
/// to run as root) every step runs through <c>runuser -u postgres</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string binDir;
    private readonly string dir;
    private bool running;

    private PostgresServer(string binDir, string dir, int port)
    {
        this.binDir = binDir;
        this.dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Superuser connection to the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    /// <summary>The newest installed PostgreSQL's bin directory, or null when none is installed.</summary>
    public static string? FindBinDir()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl")))
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0))
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault();
    }

    public static async Task<PostgresServer> StartAsync(string binDir)
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var server = new PostgresServer(binDir, dir, FreePort());
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", ["postgres:postgres", dir]).ConfigureAwait(false);
            }
            await server.RunPgAsync("initdb", ["-D", server.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]).ConfigureAwait(false);
            await server.StartAgainAsync().ConfigureAwait(false);
            return server;
        }
        catch (Exception ex)
        {
            var log = File.Exists(server.LogFile) ? await File.ReadAllTextAsync(server.LogFile).ConfigureAwait(false) : "";
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"throw-away PostgreSQL did not start: {ex.Message}\n{log}", ex);
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        if (running)
        {
            return;
        }
        await RunPgAsync("pg_ctl", ["-D", DataDir, "-l", LogFile, "-w", "-t", "30", "-o",
            $"-p {Port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start"]).ConfigureAwait(false);
        running = true;
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended) and keeps its files.</summary>
    public async Task StopAsync()
    {
        if (!running)
        {
            return;
        }
        running = false;
        await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "stop"]).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string DataDir => Path.Combine(dir, "data");

    private string LogFile => Path.Combine(dir, "server.log");

    private Task RunPgAsync(string tool, string[] args)
    {
        var exe = Path.Combine(binDir, tool);
        return Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args])
            : RunAsync(exe, args);
    }

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        // pg_ctl leaves the server holding stdout open; read to the end only what the tool itself wrote.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
