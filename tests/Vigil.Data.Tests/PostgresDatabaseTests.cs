using Npgsql;
using Vigil.Data.Tests.Support;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>The contract on PostgreSQL, one fresh database per test, plus what only a server has.</summary>
public sealed class PostgresDatabaseTests(PostgresFixture postgres) : DatabaseContractTests
{
    protected override string Dialect => "PostgreSQL";

    protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override async Task<List<string>> RawQueryAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return rows;
    }

    protected override async Task RawExecuteAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_postgres_uri_opens_the_same_database_and_its_description_hides_the_password()
    {
        var cs = new NpgsqlConnectionStringBuilder(await NewDatabaseAsync()) { Password = "p@ss:w/rd" };
        var uri = $"postgres://{cs.Username}:{Uri.EscapeDataString(cs.Password)}@{cs.Host}:{cs.Port}/{cs.Database}?sslmode=disable";

        await using var db = await VigilDatabase.OpenAsync(uri, TestContext.Current.CancellationToken);
        await db.SaveRevisionAsync("r", "t", [], [], [], null, TestContext.Current.CancellationToken);

        Assert.Equal($"PostgreSQL {cs.Username}@{cs.Host}:{cs.Port}/{cs.Database}", db.Description);
        Assert.Equal(["r"], await RawQueryAsync(cs.ConnectionString, "SELECT name FROM revisions"));
    }

    [Fact]
    public async Task A_server_that_goes_away_gives_a_clear_error_naming_the_database()
    {
        Assert.SkipWhen(PostgresServer.FindBinDir() is null, "no PostgreSQL binaries to start a second server with");
        var server = await PostgresServer.StartAsync(PostgresServer.FindBinDir()!);
        var cs = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Password = "s3cret" }.ConnectionString;
        await using var db = await VigilDatabase.OpenAsync(cs, TestContext.Current.CancellationToken);
        var (_, fods) = TestData.Graph(10);
        await db.WriteFodsAsync(fods, TestContext.Current.CancellationToken);

        await server.DisposeAsync();

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => db.LoadLatestGraphAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith($"database PostgreSQL postgres@127.0.0.1:{server.Port}/postgres: reading a revision's derivation graph failed: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.ToString(), StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper!.WriteLine(ex.Message);
    }
}
