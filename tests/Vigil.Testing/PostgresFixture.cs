using Npgsql;

namespace Vigil.Testing;

/// <summary>
/// The PostgreSQL every PostgreSQL test of a test assembly shares: the server in env <c>PG_CONN</c>
/// when set, else a throw-away server started on first use and stopped when the run ends. Each test
/// gets a fresh database of its own. Tests skip only when no PostgreSQL binaries are installed.
/// A test project makes it its assembly fixture with
/// <c>[assembly: AssemblyFixture(typeof(Vigil.Testing.PostgresFixture))]</c> (an assembly attribute
/// here would only apply to this library).
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<string> created = [];
    private PostgresServer? server;
    private string? admin;
    private Exception? startFailure;
    private int counter;

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("PG_CONN") is { Length: > 0 } || PostgresServer.FindBinDir() is not null
            ? null
            : "PostgreSQL binaries are absent (no /usr/lib/postgresql/*/bin/initdb and no PG_CONN); scripts/install-deps.sh installs them";

    /// <summary>A new empty database; returns its Npgsql connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var adminConnection = await AdminAsync().ConfigureAwait(false);
        var name = $"vigil_test_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}";
        await using (var connection = new NpgsqlConnection(adminConnection))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        lock (created)
        {
            created.Add(name);
        }
        return new NpgsqlConnectionStringBuilder(adminConnection) { Database = name }.ConnectionString;
    }

    private async Task<string> AdminAsync()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (startFailure is not null)
            {
                throw new InvalidOperationException("PostgreSQL did not start earlier in this run", startFailure);
            }
            if (admin is null)
            {
                if (Environment.GetEnvironmentVariable("PG_CONN") is { Length: > 0 } external)
                {
                    admin = external;
                }
                else
                {
                    try
                    {
                        server = await PostgresServer.StartAsync(PostgresServer.FindBinDir()!).ConfigureAwait(false);
                        admin = server.AdminConnectionString;
                    }
                    catch (Exception ex)
                    {
                        startFailure = ex;
                        throw;
                    }
                }
            }
            return admin;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        else if (admin is not null)
        {
            // Someone else's server: leave it as found.
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync().ConfigureAwait(false);
            foreach (var name in created)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        gate.Dispose();
    }
}
