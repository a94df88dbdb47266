using Npgsql;

namespace Vigil.Data.Tests;

/// <summary>How a <c>--db</c> value is read: which provider, which connection string, which description.</summary>
public sealed class DatabaseLocationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Nothing_means_vigil_db_in_the_current_directory(string? connection)
    {
        var location = DatabaseLocation.Parse(connection);

        Assert.Equal(DatabaseKind.Sqlite, location.Kind);
        Assert.Equal($"SQLite {Path.GetFullPath("vigil.db")}", location.Description);
    }

    [Theory]
    [InlineData("scans.db", "scans.db")]
    [InlineData("/var/lib/vigil/x.db", "/var/lib/vigil/x.db")]
    [InlineData("sqlite:./a/b.db", "a/b.db")]
    [InlineData("SQLITE:/abs.db", "/abs.db")]
    [InlineData("sqlite:///abs/c.db", "/abs/c.db")]
    [InlineData("dir/with=equals.db", "dir/with=equals.db")]
    public void Paths_and_sqlite_prefixes_are_sqlite_files(string connection, string path)
    {
        var location = DatabaseLocation.Parse(connection);

        Assert.Equal(DatabaseKind.Sqlite, location.Kind);
        Assert.Equal($"SQLite {Path.GetFullPath(path)}", location.Description);
        Assert.Contains(Path.GetFullPath(path), location.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://alice:s%3Acr%40t@db.example:6543/vigil", "alice", "s:cr@t", "db.example", 6543, "vigil")]
    [InlineData("postgresql://alice@10.0.0.7/vigil", "alice", null, "10.0.0.7", 5432, "vigil")]
    [InlineData("postgres://[::1]:5433/x%20y", null, null, "::1", 5433, "x y")]
    [InlineData("Host=db.example;Port=6543;Username=alice;Password=s3cret;Database=vigil", "alice", "s3cret", "db.example", 6543, "vigil")]
    [InlineData("server=h;user id=bob;database=d", "bob", null, "h", 5432, "d")]
    public void Uris_and_npgsql_strings_are_postgresql(string connection, string? user, string? password, string host, int port, string database)
    {
        var location = DatabaseLocation.Parse(connection);

        Assert.Equal(DatabaseKind.Postgres, location.Kind);
        var cs = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal((user, password, host, port, database), (cs.Username, cs.Password, cs.Host, cs.Port, cs.Database));
        Assert.Equal($"PostgreSQL {(user is null ? "" : user + "@")}{host}:{port}/{database}", location.Description);
        if (password is not null)
        {
            Assert.DoesNotContain(password, location.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Uri_parameters_map_to_npgsql_keywords()
    {
        var cs = new NpgsqlConnectionStringBuilder(DatabaseLocation.Parse("postgres://u@h/d?sslmode=disable&application_name=scanner&connect_timeout=3").ConnectionString);

        Assert.Equal((SslMode.Disable, "scanner", 3), (cs.SslMode, cs.ApplicationName, cs.Timeout));
    }

    [Theory]
    [InlineData("postgres://u:hunter2@h/d?frobnicate=1", "'frobnicate' is not one Npgsql knows")]
    [InlineData("postgres://u:hunter2@/d", "bad PostgreSQL URI")]
    [InlineData("Host=h;Password=hunter2;Bogus Key=1", "bad PostgreSQL connection string")]
    [InlineData("sqlite:", "'sqlite:' needs a file path")]
    public void Malformed_connections_are_one_clear_error_without_the_password(string connection, string reason)
    {
        var ex = Assert.Throws<VigilDatabaseException>(() => DatabaseLocation.Parse(connection));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }
}
