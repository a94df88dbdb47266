namespace Vigil.Store.Evaluation;

/// <summary>
/// A Nix command failed (non-zero exit, or it could not be started). <see cref="NixMessage"/> is
/// Nix's own error, condensed to one line; <see cref="StderrTail"/> the last lines it printed.
/// </summary>
public sealed class NixProcessException : Exception
{
    public NixProcessException(string command, int exitCode, string nixMessage, string stderrTail)
        : base($"{command} failed with exit code {exitCode}: {nixMessage}")
    {
        Command = command;
        ExitCode = exitCode;
        NixMessage = nixMessage;
        StderrTail = stderrTail;
    }

    public NixProcessException(string command, string message, Exception inner)
        : base($"{command}: {message}", inner)
    {
        Command = command;
        ExitCode = -1;
        NixMessage = message;
        StderrTail = "";
    }

    public NixProcessException() : this("nix", -1, "failed", "") { }

    public NixProcessException(string message) : this("nix", -1, message, "") { }

    public NixProcessException(string message, Exception innerException) : this("nix", message, innerException) { }

    /// <summary>The program and a shortened argument list.</summary>
    public string Command { get; }

    /// <summary>The exit code, or -1 when the program did not run.</summary>
    public int ExitCode { get; }

    public string NixMessage { get; }

    public string StderrTail { get; }
}
