using System.Data.Common;
using System.Globalization;

namespace Vigil.Data;

/// <summary>
/// The few plain statements both dialects run (migrations, the revision upsert, list queries) over
/// ADO.NET directly. Parameters are named values whose database types the provider infers from the
/// CLR type, as Dapper did; no reflection, so the <c>vigil</c> binary can be compiled ahead of time.
/// </summary>
internal static class SqlCommands
{
    public static async Task ExecuteAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, sql, transaction, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="ExecuteAsync(DbConnection, string, DbTransaction?, CancellationToken, ValueTuple{string, object}[])"/>, with a command timeout in seconds.</summary>
    public static async Task ExecuteAsync(this DbConnection connection, string sql, DbTransaction? transaction, int timeoutSeconds, CancellationToken cancellationToken)
    {
        await using var command = Create(connection, sql, transaction, []);
        command.CommandTimeout = timeoutSeconds;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a statement and returns how many rows it changed.</summary>
    public static async Task<int> ExecuteCountAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first column of the first row as a 64-bit integer (SQLite and PostgreSQL return different integer widths).</summary>
    public static async Task<long> ExecuteInt64Async(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull
            ? throw new InvalidDataException($"'{sql}' returned no value")
            : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of a query, each made into a <typeparamref name="T"/> by <paramref name="read"/>.</summary>
    public static Task<IReadOnlyList<T>> QueryAsync<T>(this DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        connection.QueryAsync(sql, read, null, cancellationToken, parameters);

    /// <summary>As <see cref="QueryAsync{T}(DbConnection, string, Func{DbDataReader, T}, CancellationToken, ValueTuple{string, object}[])"/>, inside <paramref name="transaction"/>.</summary>
    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this DbConnection connection, string sql, Func<DbDataReader, T> read, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Create(connection, sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(read(reader));
        }
        return list;
    }

    /// <summary>The first column of every row as an integer, inside <paramref name="transaction"/>.</summary>
    public static async Task<List<long>> QueryInt64sAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = Create(connection, sql, transaction, []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<long>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(reader.GetInt64(0));
        }
        return list;
    }

    private static DbCommand Create(DbConnection connection, string sql, DbTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        // The statements are the constant SQL of this assembly; values go in parameters.
#pragma warning disable CA2100
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
