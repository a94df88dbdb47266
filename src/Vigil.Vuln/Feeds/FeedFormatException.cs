namespace Vigil.Vuln.Feeds;

/// <summary>A feed file or record is not what its format says; the message says what is wrong. The only exception the feed parsers throw on bad input.</summary>
public sealed class FeedFormatException : Exception
{
    public FeedFormatException(string message) : base(message) { }

    public FeedFormatException() { }

    public FeedFormatException(string message, Exception innerException) : base(message, innerException) { }
}
