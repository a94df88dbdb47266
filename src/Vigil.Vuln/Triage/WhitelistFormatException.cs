namespace Vigil.Vuln.Triage;

/// <summary>A whitelist file is not the TOML subset vulnix writes; the message names the line. The only exception the whitelist parser throws on bad input.</summary>
public sealed class WhitelistFormatException : Exception
{
    public WhitelistFormatException(string message) : base(message) { }

    public WhitelistFormatException() { }

    public WhitelistFormatException(string message, Exception innerException) : base(message, innerException) { }
}
