namespace Vigil.Cli;

/// <summary>The command line asked for something impossible; the message says what to do instead.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException() { }

    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
