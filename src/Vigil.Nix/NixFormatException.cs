namespace Vigil.Nix;

/// <summary>
/// Raised by every parser in this library when its input is not valid: names the format, the byte
/// (or character) offset where the problem was found, and why. Parsers never throw anything else
/// for bad input, so callers can report one clear line and carry on with the next item.
/// </summary>
public sealed class NixFormatException : FormatException
{
    public NixFormatException(string format, long position, string reason)
        : base($"invalid {format} at offset {position}: {reason}")
    {
        Format = format;
        Position = position;
        Reason = reason;
    }

    public NixFormatException() : this("input", 0, "invalid input") { }

    public NixFormatException(string message) : this("input", 0, message) { }

    public NixFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Format = "input";
        Reason = message;
    }

    /// <summary>Which format was being read: "hash", "store path", "derivation", "NAR", "narinfo"…</summary>
    public string Format { get; }

    /// <summary>Offset in the input where the error was detected.</summary>
    public long Position { get; }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; }
}
