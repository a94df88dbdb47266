using System.Collections;

namespace Vigil.Nix.Signatures;

/// <summary>
/// The public keys a verifier trusts, looked up by name as Nix does: a signature counts only when
/// the key its name points at verifies it.
/// </summary>
public sealed class TrustedKeys : IReadOnlyCollection<NixPublicKey>
{
    private readonly Dictionary<string, NixPublicKey> _byName = new(StringComparer.Ordinal);

    public TrustedKeys(IEnumerable<NixPublicKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (_byName.TryGetValue(key.Name, out var existing) && !existing.Equals(key))
            {
                // Nix would silently keep the first; two different keys under one name is a configuration error.
                throw new ArgumentException($"two different public keys are named '{key.Name}'", nameof(keys));
            }
            _byName[key.Name] = key;
        }
    }

    public int Count => _byName.Count;

    /// <summary>Parses a whitespace-separated list, the form of nix.conf's <c>trusted-public-keys</c>.</summary>
    public static TrustedKeys Parse(string keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var parsed = new List<NixPublicKey>();
        var at = 0;
        while (at < keys.Length)
        {
            if (char.IsWhiteSpace(keys[at]))
            {
                at++;
                continue;
            }
            var end = at;
            while (end < keys.Length && !char.IsWhiteSpace(keys[end]))
            {
                end++;
            }
            try
            {
                parsed.Add(NixPublicKey.Parse(keys[at..end]));
            }
            catch (NixFormatException e)
            {
                throw new NixFormatException(e.Format, at + e.Position, e.Reason);
            }
            at = end;
        }
        try
        {
            return new TrustedKeys(parsed);
        }
        catch (ArgumentException e)
        {
            throw new NixFormatException(NixKeyText.FormatName, 0, e.Message);
        }
    }

    public bool TryGet(string name, out NixPublicKey? key) => _byName.TryGetValue(name, out key);

    public SignatureStatus Check(ReadOnlySpan<byte> data, string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!NixSignature.TryParse(signature, out var parsed))
        {
            return SignatureStatus.Malformed;
        }
        return Check(data, parsed!);
    }

    public SignatureStatus Check(ReadOnlySpan<byte> data, NixSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!_byName.TryGetValue(signature.KeyName, out var key))
        {
            return SignatureStatus.UntrustedKey;
        }
        return key.Verify(data, signature) ? SignatureStatus.Valid : SignatureStatus.Invalid;
    }

    public bool Verify(ReadOnlySpan<byte> data, NixSignature signature) => Check(data, signature) == SignatureStatus.Valid;

    public IEnumerator<NixPublicKey> GetEnumerator() => _byName.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
