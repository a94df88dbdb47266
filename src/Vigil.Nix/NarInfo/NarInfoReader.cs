using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.NarInfo;

/// <summary>
/// Reads a <c>.narinfo</c>: lines <c>Name: value</c>, each ending in a newline. Stricter than Nix
/// 2.8, which lets most repeated fields overwrite each other, reads past a missing space after the
/// colon, takes numbers with signs or leading zeros and an empty <c>CA</c> as none; but it accepts
/// everything Nix writes. Unknown fields are kept (Nix ignores them). Fields may come in any order; every known field but <c>Sig</c>
/// at most once; <c>StorePath</c>, <c>URL</c>, <c>NarHash</c> and a non-zero <c>NarSize</c> are
/// required, as in Nix. Every failure is a <see cref="NixFormatException"/> ("narinfo") with the
/// byte offset and the line and field it concerns.
/// </summary>
public static class NarInfoReader
{
    private const string Format = "narinfo";

    /// <summary>
    /// Real narinfos are a few hundred bytes; the largest (thousands of references) stay far
    /// below this. A bigger input is not a narinfo, and must not make us buffer it.
    /// </summary>
    public const int MaxSize = 4 * 1024 * 1024;

    public static NarInfoFile Parse(ReadOnlySpan<byte> text, StoreDir? storeDir = null)
    {
        if (text.Length > MaxSize)
        {
            throw new NixFormatException(Format, MaxSize, $"narinfo is {text.Length} bytes, more than the {MaxSize}-byte limit");
        }
        var fields = new Fields(storeDir ?? StoreDir.Default);
        var pos = 0;
        var line = 1;
        while (pos < text.Length)
        {
            var eol = text[pos..].IndexOf((byte)'\n');
            if (eol < 0)
            {
                throw new NixFormatException(Format, text.Length, $"line {line} does not end with a newline");
            }
            var content = text.Slice(pos, eol);
            var colon = content.IndexOf((byte)':');
            if (colon < 0)
            {
                throw new NixFormatException(Format, pos, $"line {line} is not of the form 'Name: value'");
            }
            if (!NarInfoSyntax.IsValidName(content[..colon]))
            {
                throw new NixFormatException(Format, pos, $"line {line} has an invalid field name");
            }
            var name = Encoding.ASCII.GetString(content[..colon]);
            if (colon + 1 >= content.Length || content[colon + 1] != (byte)' ')
            {
                throw new NixFormatException(Format, pos + colon + 1, $"line {line}, {name}: expected ': ' after the field name");
            }
            var valueAt = pos + colon + 2;
            var value = DecodeValue(content[(colon + 2)..], new Place(valueAt, line, name));
            fields.Add(name, value, new Place(valueAt, line, name));
            pos += eol + 1;
            line++;
        }
        return fields.Build(text.Length);
    }

    private static string DecodeValue(ReadOnlySpan<byte> bytes, Place place)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }
        var at = 0;
        while (System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            at += consumed;
        }
        throw place.Error(at, "value is not valid UTF-8");
    }

    /// <summary>Where a value starts, for error messages that name the line, the field and the byte.</summary>
    private readonly record struct Place(int Offset, int Line, string Field)
    {
        public NixFormatException Error(int offsetInValue, string reason) =>
            new(Format, Offset + offsetInValue, $"line {Line}, {Field}: {reason}");

        /// <summary>Re-anchors an error from a nested parser whose positions are characters of <paramref name="value"/>.</summary>
        public NixFormatException Error(string value, NixFormatException inner) =>
            Error(Encoding.UTF8.GetByteCount(value.AsSpan(0, (int)Math.Clamp(inner.Position, 0, value.Length))), inner.Reason);
    }

    /// <summary>The values seen so far; knows which fields may repeat and which are required.</summary>
    private sealed class Fields(StoreDir storeDir)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _signatures = [];
        private readonly HashSet<string> _distinctSignatures = new(StringComparer.Ordinal);
        private readonly List<NarInfoField> _extra = [];
        private StorePath? _storePath;
        private string? _url;
        private string? _compression;
        private NixHash? _fileHash;
        private HashEncoding _fileHashEncoding = HashEncoding.Nix32;
        private ulong? _fileSize;
        private NixHash? _narHash;
        private HashEncoding _narHashEncoding = HashEncoding.Nix32;
        private ulong? _narSize;
        private StorePath[] _references = [];
        private StorePath? _deriver;
        private string? _system;
        private string? _contentAddress;

        public void Add(string name, string value, Place place)
        {
            if (!NarInfoSyntax.IsKnown(name))
            {
                _extra.Add(new NarInfoField(name, value));
                return;
            }
            if (name != NarInfoSyntax.Sig && !_seen.Add(name))
            {
                throw place.Error(0, "duplicate field");
            }
            switch (name)
            {
                case NarInfoSyntax.StorePath:
                    _storePath = Nested(value, place, () => storeDir.Parse(value));
                    break;
                case NarInfoSyntax.Url:
                    _url = value.Length > 0 ? value : throw place.Error(0, "URL is empty");
                    break;
                case NarInfoSyntax.Compression:
                    _compression = value;
                    break;
                case NarInfoSyntax.FileHash:
                    (_fileHash, _fileHashEncoding) = ParseHash(value, place);
                    break;
                case NarInfoSyntax.FileSize:
                    _fileSize = ParseNumber(value, place);
                    break;
                case NarInfoSyntax.NarHash:
                    (_narHash, _narHashEncoding) = ParseHash(value, place);
                    break;
                case NarInfoSyntax.NarSize:
                    _narSize = ParseNumber(value, place);
                    if (_narSize == 0)
                    {
                        throw place.Error(0, "NarSize must not be 0");
                    }
                    break;
                case NarInfoSyntax.References:
                    _references = ParseReferences(value, place);
                    break;
                case NarInfoSyntax.Deriver:
                    _deriver = value == NarInfoSyntax.UnknownDeriver ? null : Nested(value, place, () => StorePath.ParseBaseName(value));
                    break;
                case NarInfoSyntax.System:
                    _system = value;
                    break;
                case NarInfoSyntax.Sig:
                    if (!_distinctSignatures.Add(value))
                    {
                        throw place.Error(0, "the same signature appears twice");
                    }
                    _signatures.Add(value);
                    break;
                case NarInfoSyntax.ContentAddress:
                    if (NarInfoSyntax.CheckContentAddress(value) is { } bad)
                    {
                        throw place.Error(value, new NixFormatException("content address", bad.Position, "bad content address: " + bad.Reason));
                    }
                    _contentAddress = value;
                    break;
                default:
                    throw new InvalidOperationException($"known field {name} has no case");
            }
        }

        public NarInfoFile Build(int end)
        {
            string? missing = _storePath is null ? NarInfoSyntax.StorePath
                : _url is null ? NarInfoSyntax.Url
                : _narHash is null ? NarInfoSyntax.NarHash
                : _narSize is null ? NarInfoSyntax.NarSize
                : null;
            if (missing is not null)
            {
                throw new NixFormatException(Format, end, $"missing required field {missing}");
            }
            return new NarInfoFile
            {
                StoreDir = storeDir,
                StorePath = _storePath!.Value,
                Url = _url!,
                Compression = _compression,
                FileHash = _fileHash,
                FileHashEncoding = _fileHashEncoding,
                FileSize = _fileSize,
                NarHash = _narHash!,
                NarHashEncoding = _narHashEncoding,
                NarSize = _narSize!.Value,
                References = _references,
                Deriver = _deriver,
                System = _system,
                Signatures = _signatures,
                ContentAddress = _contentAddress,
                ExtraFields = _extra,
            };
        }

        private static T Nested<T>(string value, Place place, Func<T> parse)
        {
            try
            {
                return parse();
            }
            catch (NixFormatException e)
            {
                throw place.Error(value, e);
            }
        }

        /// <summary>Nix's <c>parseAnyPrefixed</c>: the type must be named (<c>algo:</c> or SRI), any encoding.</summary>
        private static (NixHash, HashEncoding) ParseHash(string value, Place place)
        {
            var hash = Nested(value, place, () => NixHash.Parse(value));
            return (hash, NarInfoSyntax.EncodingOf(value, hash));
        }

        /// <summary>Plain decimal as Nix writes it: no sign, no spaces, no leading zeros, fits 64 bits.</summary>
        private static ulong ParseNumber(string value, Place place)
        {
            if (value.Length == 0 || value.Length > 20)
            {
                throw place.Error(0, $"'{value}' is not a number");
            }
            ulong n = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is < '0' or > '9' || (i == 0 && c == '0' && value.Length > 1))
                {
                    throw place.Error(i, $"'{value}' is not a number");
                }
                if (n > (ulong.MaxValue - (ulong)(c - '0')) / 10)
                {
                    throw place.Error(0, $"{value} is too large");
                }
                n = (n * 10) + (ulong)(c - '0');
            }
            return n;
        }

        /// <summary>Base names separated by single or repeated spaces (Nix tokenizes on ' ').</summary>
        private static StorePath[] ParseReferences(string value, Place place)
        {
            var references = new List<StorePath>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var at = 0;
            while (at < value.Length)
            {
                if (value[at] == ' ')
                {
                    at++;
                    continue;
                }
                var end = value.IndexOf(' ', at);
                end = end < 0 ? value.Length : end;
                var token = value[at..end];
                var start = at;
                StorePath reference;
                try
                {
                    reference = StorePath.ParseBaseName(token);
                }
                catch (NixFormatException e)
                {
                    throw place.Error(value, new NixFormatException(e.Format, start + e.Position, $"bad reference '{token}': {e.Reason}"));
                }
                if (!seen.Add(token))
                {
                    throw place.Error(value, new NixFormatException(Format, start, $"reference '{token}' is listed twice"));
                }
                references.Add(reference);
                at = end;
            }
            return [.. references];
        }
    }
}
