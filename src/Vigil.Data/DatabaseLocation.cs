using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Vigil.Data;

internal enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// What a <c>--db</c> value names: the provider, its own connection string and a description for
/// messages that never includes a password.
/// </summary>
internal sealed record DatabaseLocation(DatabaseKind Kind, string ConnectionString, string Description)
{
    public const string DefaultSqlitePath = "vigil.db";

    public static DatabaseLocation Parse(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return Sqlite(DefaultSqlitePath);
        }
        var text = connection.Trim();
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["sqlite:".Length..];
            // sqlite:///abs/path and sqlite://rel/path read as URIs; sqlite:PATH as a bare path.
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }
            return path.Length == 0
                ? throw Invalid("'sqlite:' needs a file path, as in sqlite:./vigil.db")
                : Sqlite(path);
        }
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresFromUri(text);
        }
        return LooksLikeNpgsql(text) ? Postgres(ParseNpgsql(text)) : Sqlite(text);
    }

    private static DatabaseLocation Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new DatabaseLocation(DatabaseKind.Sqlite, builder.ConnectionString, $"SQLite {full}");
    }

    private static bool LooksLikeNpgsql(string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            var generic = new DbConnectionStringBuilder { ConnectionString = text };
            return generic.ContainsKey("host") || generic.ContainsKey("server");
        }
        catch (ArgumentException)
        {
            return false; // not key=value pairs: a file name that happens to hold '='
        }
    }

    private static NpgsqlConnectionStringBuilder ParseNpgsql(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException ex)
        {
            throw Invalid($"bad PostgreSQL connection string: {ex.Message}");
        }
    }

    private static DatabaseLocation PostgresFromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid("bad PostgreSQL URI; expected postgres://user:password@host:port/database");
        }
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost.Trim('[', ']') };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            try
            {
                builder[UriParameterKeyword(key)] = value;
            }
            catch (ArgumentException)
            {
                throw Invalid($"PostgreSQL URI parameter '{key}' is not one Npgsql knows");
            }
            catch (FormatException)
            {
                throw Invalid($"PostgreSQL URI parameter '{key}' has a bad value");
            }
        }
        return Postgres(builder);
    }

    // libpq spells URI parameters differently from Npgsql's keywords for the few that matter here.
    private static string UriParameterKeyword(string key) => key.ToLowerInvariant() switch
    {
        "sslmode" => "SSL Mode",
        "application_name" => "Application Name",
        "connect_timeout" => "Timeout",
        "options" => "Options",
        _ => key,
    };

    private static DatabaseLocation Postgres(NpgsqlConnectionStringBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw Invalid("PostgreSQL connection string has no Host");
        }
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "vigil";
        }
        var user = string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@";
        var database = string.IsNullOrEmpty(builder.Database) ? "" : "/" + builder.Database;
        var description = $"PostgreSQL {user}{builder.Host}:{builder.Port}{database}";
        return new DatabaseLocation(DatabaseKind.Postgres, builder.ConnectionString, description);
    }

    // The raw text may hold a password, so the message names only what was wrong.
    private static VigilDatabaseException Invalid(string reason) => new("(connection string)", reason);
}
