using Microsoft.Data.Sqlite;
using Vigil.Data.Tests.Support;

namespace Vigil.Data.Tests;

/// <summary>The contract on SQLite files in a per-test temp directory, plus what only SQLite has.</summary>
public sealed class SqliteDatabaseTests : DatabaseContractTests, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vigil-data-").FullName;
    private int count;

    protected override string Dialect => "SQLite";

    protected override Task<string> NewDatabaseAsync() => Task.FromResult(Path.Combine(dir, $"db{++count}.db"));

    protected override async Task<List<string>> RawQueryAsync(string connection, string sql)
    {
        await using var c = new SqliteConnection($"Data Source={connection};Pooling=False");
        await c.OpenAsync();
        await using var command = c.CreateCommand();
        command.CommandText = sql;
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
        await using var c = new SqliteConnection($"Data Source={connection};Pooling=False");
        await c.OpenAsync();
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_file_is_in_wal_mode_and_other_spellings_open_the_same_file()
    {
        var path = await NewDatabaseAsync();
        await using (var db = await VigilDatabase.OpenAsync("sqlite:" + path, TestContext.Current.CancellationToken))
        {
            Assert.Equal($"SQLite {path}", db.Description);
            await db.SaveRevisionAsync("r", "t", [], [], [], null, TestContext.Current.CancellationToken);
        }
        Assert.Equal(["wal"], await RawQueryAsync(path, "PRAGMA journal_mode"));
        await using (var db = await VigilDatabase.OpenAsync("sqlite://" + path, TestContext.Current.CancellationToken))
        {
            Assert.NotNull(await db.FindRevisionAsync("r", TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task A_new_file_gets_64_KiB_pages_and_an_existing_one_keeps_its_own()
    {
        var ct = TestContext.Current.CancellationToken;
        var fresh = await NewDatabaseAsync();
        await using (var db = await VigilDatabase.OpenAsync(fresh, ct))
        {
            await db.SaveRevisionAsync("r", "t", [], [], [], null, ct);
        }
        Assert.Equal(["65536"], await RawQueryAsync(fresh, "PRAGMA page_size"));

        // A database made before (here: by plain SQLite, 4 KiB pages) is migrated and used as it is.
        var old = await NewDatabaseAsync();
        await RawExecuteAsync(old, "PRAGMA page_size=4096; CREATE TABLE keep (x INTEGER)");
        await using (var db = await VigilDatabase.OpenAsync(old, ct))
        {
            await db.SaveRevisionAsync("r", "t", [], [], [], null, ct);
            Assert.NotNull(await db.FindRevisionAsync("r", ct));
        }
        Assert.Equal(["4096"], await RawQueryAsync(old, "PRAGMA page_size"));
        Assert.Equal(["wal"], await RawQueryAsync(old, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task A_new_file_is_written_with_a_rollback_journal_until_its_first_revision_is_saved()
    {
        var ct = TestContext.Current.CancellationToken;
        var (graph, fods) = TestData.Graph(50);
        var path = await NewDatabaseAsync();
        await using (var db = await VigilDatabase.OpenAsync(path, ct))
        {
            await db.WriteFodsAsync(fods, ct);
            Assert.Equal(["delete"], await RawQueryAsync(path, "PRAGMA journal_mode"));
            Assert.False(File.Exists(path + "-wal"));
            await db.SaveRevisionAsync("r", "t", [], [new RevisionFod(fods[0].DrvPath, ["a"], 1)], [], graph, ct);
            Assert.Equal(["wal"], await RawQueryAsync(path, "PRAGMA journal_mode"));
            // The pooled connections opened before the switch follow the file into WAL.
            await db.WriteFodsAsync([fods[0] with { DrvPath = "/nix/store/" + new string('z', 32) + "-late.drv" }], ct);
            Assert.True(File.Exists(path + "-wal"));
        }
        Assert.Equal([fods.Count + 1 + "|ok"], await RawQueryAsync(path, "SELECT (SELECT count(*) FROM fods) || '|' || (SELECT integrity_check FROM pragma_integrity_check)"));

        // Closed before any revision was saved: in WAL from then on too.
        var unsaved = await NewDatabaseAsync();
        await using (var db = await VigilDatabase.OpenAsync(unsaved, ct))
        {
            await db.WriteFodsAsync(fods, ct);
        }
        Assert.Equal(["wal"], await RawQueryAsync(unsaved, "PRAGMA journal_mode"));
        await using (var db = await VigilDatabase.OpenAsync(unsaved, ct))
        {
            Assert.Equal(fods.Count, (await db.FindFodsAsync(fods.Select(f => f.DrvPath).ToList(), ct)).Count);
        }
    }

    [Fact]
    public async Task Empty_text_is_stored_as_empty_text_not_null()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = await NewDatabaseAsync();
        var (_, fods) = TestData.Graph(10);
        var fod = fods[0] with { Urls = [], Rev = "" };
        await using (var db = await VigilDatabase.OpenAsync(path, ct))
        {
            await db.WriteFodsAsync([fod, fods[^1]], ct);
            Assert.Equal(TestData.Render(fod), TestData.Render((await db.FindFodsAsync([fod.DrvPath], ct))[fod.DrvPath]));
        }
        Assert.Equal(["0|0||"], await RawQueryAsync(path, $"SELECT urls IS NULL, rev IS NULL, urls, rev FROM fods WHERE drv_path = '{fod.DrvPath}'"));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_gives_one_clear_error()
    {
        var path = Path.Combine(dir, "notes.txt");
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => VigilDatabase.OpenAsync(path, TestContext.Current.CancellationToken));

        Assert.StartsWith($"database SQLite {path}: opening failed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a database", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_directory_gives_one_clear_error()
    {
        var path = Path.Combine(dir, "no", "such", "dir", "vigil.db");

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => VigilDatabase.OpenAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains($"database SQLite {path}: opening failed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unable to open database file", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
