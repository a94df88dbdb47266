using Vigil.Nix.Hashing;

namespace Vigil.Nix.NarInfo;

/// <summary>Field names and value rules the reader and the writer must agree on.</summary>
internal static class NarInfoSyntax
{
    public const string StorePath = "StorePath";
    public const string Url = "URL";
    public const string Compression = "Compression";
    public const string FileHash = "FileHash";
    public const string FileSize = "FileSize";
    public const string NarHash = "NarHash";
    public const string NarSize = "NarSize";
    public const string References = "References";
    public const string Deriver = "Deriver";
    public const string System = "System";
    public const string Sig = "Sig";
    public const string ContentAddress = "CA";

    /// <summary>What old Nix wrote when it did not know the deriver; Nix reads it as "none".</summary>
    public const string UnknownDeriver = "unknown-deriver";

    public static bool IsKnown(string name) => name is StorePath or Url or Compression or FileHash or FileSize
        or NarHash or NarSize or References or Deriver or System or Sig or ContentAddress;

    /// <summary>
    /// Names are words: Nix's own fields use letters only, and anything with spaces or punctuation
    /// is more likely a corrupt line than a field from a newer tool.
    /// </summary>
    public static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (c is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Checks <c>text:sha256:HASH</c> or <c>fixed:[r:]ALGO:HASH</c>, the hash unprefixed in any
    /// encoding Nix accepts (Nix's <c>parseContentAddress</c>). Null when valid, else where and why.
    /// </summary>
    public static (int Position, string Reason)? CheckContentAddress(string value)
    {
        int at;
        if (value.StartsWith("text:", StringComparison.Ordinal))
        {
            at = 5;
        }
        else if (value.StartsWith("fixed:", StringComparison.Ordinal))
        {
            at = value.AsSpan(6).StartsWith("r:") ? 8 : 6;
        }
        else
        {
            return (0, "a content address starts with 'text:' or 'fixed:'");
        }
        var colon = value.IndexOf(':', at);
        if (colon < 0)
        {
            return (at, "a content address needs ALGO:HASH after its method");
        }
        if (!HashAlgorithms.TryParse(value.AsSpan(at, colon - at), out var algo))
        {
            return (at, $"unknown hash algorithm '{value[at..colon]}'");
        }
        if (at == 5 && algo != HashAlgorithmKind.Sha256)
        {
            return (at, "a text content address must use sha256");
        }
        var hash = value[(colon + 1)..];
        var prefixed = hash.IndexOfAny([':', '-']);
        if (prefixed >= 0)
        {
            return (colon + 1 + prefixed, "the hash of a content address carries no type prefix");
        }
        try
        {
            NixHash.Parse(hash, algo);
            return null;
        }
        catch (NixFormatException e)
        {
            return (colon + 1 + (int)Math.Min(e.Position, hash.Length), e.Reason);
        }
    }

    /// <summary>How a parsed hash was spelled, so writing it back reproduces the text.</summary>
    public static HashEncoding EncodingOf(string text, NixHash hash)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return HashEncoding.Sri;
        }
        var length = text.Length - colon - 1;
        var size = hash.Algorithm.DigestSize();
        return length == size * 2 ? HashEncoding.Base16
            : length == Nix32.EncodedLength(size) ? HashEncoding.Nix32
            : HashEncoding.Base64;
    }
}
