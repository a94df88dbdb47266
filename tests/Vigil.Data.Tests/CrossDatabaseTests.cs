using Microsoft.Data.Sqlite;
using Npgsql;
using Vigil.Data.Tests.Support;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>SQLite and PostgreSQL are one schema: same tables and columns, same answers, same order.</summary>
public sealed class CrossDatabaseTests(PostgresFixture postgres) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vigil-cross-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Both_dialects_answer_every_query_identically()
    {
        var sqlite = Path.Combine(dir, "a.db");
        var pg = await postgres.CreateDatabaseAsync();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero).AddTicks(1234));
        var (graph, fods) = TestData.Graph(3001, "cross");
        // Attribute names across UTF-16 and UTF-8 orders: U+E000 sorts before 😀 in UTF-16, after it in UTF-8.
        string[] attrs = ["zlib", "Zlib", "a", "é", "\uE000", "😀", "a.b", "a-b", "\"quoted\"", "back\\slash", "new\nline", ""];
        var roots = attrs.Select((a, i) => new RevisionRoot(a, graph.Path(i * 2))).ToList();
        var members = fods.Select((f, i) => new RevisionFod(f.DrvPath, [.. attrs.Skip(i % attrs.Length).Take(3)], 3 + i)).ToList();
        var errors = attrs.Select(a => new EvalErrorRecord(a, $"error in {a}")).Append(new EvalErrorRecord("a", "second error of a")).ToList();

        var answers = new List<List<string>>();
        foreach (var cs in new[] { sqlite, pg })
        {
            await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
            await db.WriteFodsAsync(fods, Ct);
            await db.SaveRevisionAsync("old", "x", roots.Take(2).ToList(), members.Take(9).ToList(), [], null, Ct);
            var rev = await db.SaveRevisionAsync("main", "./pkgs", roots, members, errors, graph, Ct);
            var keys = TestData.Paths(graph).AsEnumerable().Reverse().ToList();
            var answer = new List<string>();
            answer.AddRange((await db.ListFodsAsync(rev.Id, Ct)).Select(TestData.Render));
            answer.AddRange((await db.ListRootsAsync(rev.Id, Ct)).Select(r => $"root {r}"));
            answer.AddRange((await db.ListEvalErrorsAsync(rev.Id, Ct)).Select(e => $"error {e}"));
            answer.AddRange((await db.ListRevisionsAsync(Ct)).Select(r => $"revision {r.Name} {r.Target} {r.ScannedAt.UtcTicks} {r.RootCount} {r.FodCount} {r.EvalErrorCount}"));
            answer.AddRange(TestData.Render(await db.LoadGraphAsync(rev.Id, Ct)));
            answer.AddRange((await db.FindFodsAsync(keys, Ct)).Values.Select(TestData.Render).Order(StringComparer.Ordinal));
            answers.Add(answer);
        }

        Assert.Equal(fods.Count + attrs.Length + errors.Count + 2 + graph.Count + fods.Count, answers[0].Count);
        Assert.Equal(answers[0], answers[1]);
        // And the order is UTF-8 byte order, what Nix itself sorts by.
        var listedRoots = answers[0].Where(l => l.StartsWith("root ", StringComparison.Ordinal)).ToList();
        Assert.Equal(attrs.OrderBy(a => System.Text.Encoding.UTF8.GetBytes(a), Utf8Order.Instance).Select(a => $"root {new RevisionRoot(a, roots.Single(r => r.Attr == a).DrvPath)}"), listedRoots);
    }

    [Fact]
    public async Task Both_dialects_have_the_same_tables_columns_and_indexes()
    {
        var sqlite = Path.Combine(dir, "schema.db");
        var pg = await postgres.CreateDatabaseAsync();
        await (await VigilDatabase.OpenAsync(sqlite, Ct)).DisposeAsync();
        await (await VigilDatabase.OpenAsync(pg, Ct)).DisposeAsync();

        var sqliteSchema = new List<string>();
        await using (var c = new SqliteConnection($"Data Source={sqlite};Pooling=False"))
        {
            await c.OpenAsync(Ct);
            await using var command = c.CreateCommand();
            command.CommandText = """
                SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid;
                SELECT 'index ' || name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name
                """;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            do
            {
                while (await reader.ReadAsync(Ct))
                {
                    sqliteSchema.Add(reader.GetString(0));
                }
            }
            while (await reader.NextResultAsync(Ct));
        }
        var pgSchema = new List<string>();
        await using (var c = new NpgsqlConnection(pg))
        {
            await c.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = current_schema() ORDER BY table_name COLLATE "C", ordinal_position;
                SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema()
                AND indexname NOT LIKE '%\_pkey' AND indexname NOT LIKE '%\_key' ORDER BY indexname COLLATE "C"
                """, c);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            do
            {
                while (await reader.ReadAsync(Ct))
                {
                    pgSchema.Add(reader.GetString(0));
                }
            }
            while (await reader.NextResultAsync(Ct));
        }

        Assert.Contains("fods.recipe_hash", sqliteSchema);
        Assert.Contains("index fods_recipe_hash", sqliteSchema);
        Assert.Equal(sqliteSchema, pgSchema);
    }

    [Fact]
    public void Both_dialects_have_the_same_migration_versions()
    {
        Assert.Equal(
            SchemaMigrations.For(DatabaseKind.Sqlite).Select(m => (m.Version, m.Description)),
            SchemaMigrations.For(DatabaseKind.Postgres).Select(m => (m.Version, m.Description)));
        Assert.Equal(SchemaMigrations.Latest, SchemaMigrations.For(DatabaseKind.Sqlite)[^1].Version);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private sealed class Utf8Order : IComparer<byte[]>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
