using System.Diagnostics;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>Opening what is not there fails fast with one line naming the database, never its password.</summary>
public sealed class UnreachableDatabaseTests
{
    [Theory]
    [InlineData("postgres://vigil:s3cret@127.0.0.1:{0}/scans")]
    [InlineData("Host=127.0.0.1;Port={0};Username=vigil;Password=s3cret;Database=scans")]
    public async Task Unreachable_postgresql_is_one_clear_error(string template)
    {
        var port = PostgresServer.FreePort(); // nothing listens there once the probe closes
        var connection = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, port);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => VigilDatabase.OpenAsync(connection, TestContext.Current.CancellationToken));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.StartsWith($"database PostgreSQL vigil@127.0.0.1:{port}/scans: opening failed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("refused", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        TestContext.Current.TestOutputHelper!.WriteLine(ex.Message);
    }
}
