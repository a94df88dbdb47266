using System.Text;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.NarInfo;

/// <summary>
/// Writes a <c>.narinfo</c> in the field order of Nix's <c>NarInfo::to_string</c> (StorePath,
/// URL, Compression, FileHash, FileSize, NarHash, NarSize, References, Deriver, System, Sig…, CA),
/// then any unknown fields. Optional fields are written when set; <c>References</c> always, as Nix
/// does (an empty list gives <c>"References: "</c> with the trailing space). Refuses, with an
/// <see cref="ArgumentException"/>, anything <see cref="NarInfoReader"/> would not read back.
/// </summary>
public static class NarInfoWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Write(NarInfoFile info)
    {
        var text = Format(info);
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("narinfo text contains an unpaired surrogate", nameof(info), e);
        }
    }

    public static string Format(NarInfoFile info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var text = new StringBuilder(512);
        Line(text, NarInfoSyntax.StorePath, info.StoreDir.Prefix + Require(info.StorePath, "StorePath"));
        if (info.Url.Length == 0)
        {
            throw new ArgumentException("narinfo URL is empty", nameof(info));
        }
        Line(text, NarInfoSyntax.Url, info.Url);
        OptionalLine(text, NarInfoSyntax.Compression, info.Compression);
        OptionalLine(text, NarInfoSyntax.FileHash, info.FileHash?.ToString(info.FileHashEncoding, includeAlgorithm: true));
        OptionalLine(text, NarInfoSyntax.FileSize, info.FileSize?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(text, NarInfoSyntax.NarHash, info.NarHash.ToString(info.NarHashEncoding, includeAlgorithm: true));
        if (info.NarSize == 0)
        {
            throw new ArgumentException("narinfo NarSize must not be 0", nameof(info));
        }
        Line(text, NarInfoSyntax.NarSize, info.NarSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(text, NarInfoSyntax.References, JoinReferences(info.References));
        OptionalLine(text, NarInfoSyntax.Deriver, info.Deriver is { } deriver ? Require(deriver, "Deriver") : null);
        OptionalLine(text, NarInfoSyntax.System, info.System);
        var signatures = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in info.Signatures)
        {
            if (!signatures.Add(signature))
            {
                throw new ArgumentException($"signature '{signature}' is listed twice", nameof(info));
            }
            Line(text, NarInfoSyntax.Sig, signature);
        }
        if (info.ContentAddress is { } ca && NarInfoSyntax.CheckContentAddress(ca) is { } bad)
        {
            throw new ArgumentException($"'{ca}' is not a content address: {bad.Reason}", nameof(info));
        }
        OptionalLine(text, NarInfoSyntax.ContentAddress, info.ContentAddress);
        foreach (var field in info.ExtraFields)
        {
            if (field.Name is null || !NarInfoSyntax.IsValidName(Encoding.UTF8.GetBytes(field.Name)) || NarInfoSyntax.IsKnown(field.Name))
            {
                throw new ArgumentException($"'{field.Name}' cannot be the name of an extra narinfo field", nameof(info));
            }
            Line(text, field.Name, field.Value);
        }
        return text.ToString();
    }

    private static string JoinReferences(IReadOnlyList<StorePath> references)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var joined = new StringBuilder();
        foreach (var reference in references)
        {
            if (!seen.Add(Require(reference, "References")))
            {
                throw new ArgumentException($"reference '{reference}' is listed twice", nameof(references));
            }
            if (joined.Length > 0)
            {
                joined.Append(' ');
            }
            joined.Append(reference.BaseName);
        }
        return joined.ToString();
    }

    private static string Require(StorePath path, string field) =>
        path.BaseName ?? throw new ArgumentException($"narinfo {field} holds a default StorePath", nameof(path));

    private static void OptionalLine(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            Line(text, name, value);
        }
    }

    private static void Line(StringBuilder text, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"narinfo {name} value contains a newline", name);
        }
        text.Append(name).Append(": ").Append(value).Append('\n');
    }
}
