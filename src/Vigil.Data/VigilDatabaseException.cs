namespace Vigil.Data;

/// <summary>
/// A database could not be opened, read or written: unreachable, went away mid-call, refused a
/// write, holds a schema newer than this Vigil, or the connection string was malformed. The
/// message is one line naming the database (never its password) and what went wrong.
/// </summary>
public sealed class VigilDatabaseException : Exception
{
    public VigilDatabaseException(string database, string reason, Exception? innerException = null)
        : base($"database {database}: {reason}", innerException)
    {
        Database = database;
        Reason = reason;
    }

    public VigilDatabaseException() : this("(unknown)", "database error") { }

    public VigilDatabaseException(string message) : this("(unknown)", message) { }

    public VigilDatabaseException(string message, Exception innerException) : this("(unknown)", message, innerException) { }

    /// <summary>Which database, as <see cref="VigilDatabase.Description"/> prints it.</summary>
    public string Database { get; }

    /// <summary>What went wrong, without the database name.</summary>
    public string Reason { get; }
}
