using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.StorePaths;

/// <summary>
/// A logical store directory (default <c>/nix/store</c>) and the path constructions that depend
/// on it: the directory is part of every fingerprint, so the same inputs give different paths
/// under <c>/gnu/store</c>.
/// </summary>
public sealed class StoreDir
{
    public static readonly StoreDir Default = new("/nix/store");

    public StoreDir(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path[0] != '/' || (path.Length > 1 && path[^1] == '/'))
        {
            throw new ArgumentException($"store directory '{path}' must be absolute and have no trailing slash", nameof(path));
        }
        Path = path;
        Prefix = path + "/";
    }

    public string Path { get; }

    /// <summary>The directory with a trailing slash: what every full store path starts with.</summary>
    public string Prefix { get; }

    public string Print(StorePath path) => Prefix + path.BaseName;

    /// <summary>Parses a full path <c>storeDir/hash-name</c>; nothing may follow the base name.</summary>
    public StorePath Parse(string fullPath, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        if (!fullPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new NixFormatException("store path", offset, $"path '{fullPath}' is not in the Nix store {Path}");
        }
        var baseName = fullPath[Prefix.Length..];
        if (baseName.Contains('/', StringComparison.Ordinal))
        {
            throw new NixFormatException("store path", offset + Prefix.Length + baseName.IndexOf('/', StringComparison.Ordinal), $"path '{fullPath}' is inside a store object, not a store path");
        }
        return StorePath.ParseBaseName(baseName, offset + Prefix.Length);
    }

    public bool TryParse(string fullPath, out StorePath path)
    {
        try
        {
            path = Parse(fullPath);
            return true;
        }
        catch (NixFormatException)
        {
            path = default;
            return false;
        }
    }

    /// <summary>
    /// <c>makeStorePath</c>: hash part = nix32(compress20(sha256("type:sha256:hex(inner):storeDir:name"))).
    /// </summary>
    public StorePath MakeStorePath(string type, ReadOnlySpan<byte> innerSha256, string name)
    {
        StorePathName.Validate(name);
        var length = Encoding.UTF8.GetByteCount(type) + 8 + (innerSha256.Length * 2) + 1 + Path.Length + 1 + name.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var buffer = rented.AsSpan(0, length);
            var at = Encoding.UTF8.GetBytes(type, buffer);
            at += Encoding.ASCII.GetBytes(":sha256:", buffer[at..]);
            at += WriteHex(innerSha256, buffer[at..]);
            buffer[at++] = (byte)':';
            at += Encoding.UTF8.GetBytes(Path, buffer[at..]);
            buffer[at++] = (byte)':';
            at += Encoding.ASCII.GetBytes(name, buffer[at..]);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(buffer[..at], digest);
            Span<byte> compressed = stackalloc byte[StorePath.DigestSize];
            NixHash.Compress(digest, compressed);
            return StorePath.FromDigest(compressed, name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Type string with references: <c>kind:/nix/store/ref1:/nix/store/ref2[:self]</c>, refs in byte order.</summary>
    public static string MakeType(string kind, IEnumerable<string>? references, bool self = false)
    {
        var sorted = references?.ToArray() ?? [];
        Array.Sort(sorted, StringComparer.Ordinal);
        // Sized once: a .drv's type lists all its inputs (hundreds of characters), and growing
        // the builder chunk by chunk showed in `drv check -r` over 41k derivations.
        var length = kind.Length + (self ? ":self".Length : 0);
        foreach (var reference in sorted)
        {
            length += 1 + reference.Length;
        }
        var sb = new StringBuilder(kind, length);
        foreach (var reference in sorted)
        {
            sb.Append(':').Append(reference);
        }
        if (self)
        {
            sb.Append(":self");
        }
        return sb.ToString();
    }

    /// <summary>
    /// <c>makeFixedOutputPath</c>: recursive sha256 is a <c>source</c> path (with references);
    /// everything else hashes the inner string <c>fixed:out:[r:]algo:hex:</c> (trailing colon).
    /// </summary>
    public StorePath MakeFixedOutputPath(ContentAddressMethod method, NixHash hash, string name, IEnumerable<string>? references = null, bool self = false)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (hash.Algorithm == HashAlgorithmKind.Sha256 && method == ContentAddressMethod.Recursive)
        {
            return MakeStorePath(MakeType("source", references, self), hash.Digest, name);
        }
        if ((references is not null && references.Any()) || self)
        {
            throw new ArgumentException("a fixed-output path other than recursive sha256 cannot have references", nameof(references));
        }
        var inner = "fixed:out:" + (method == ContentAddressMethod.Recursive ? "r:" : "") + hash.Algorithm.Name() + ":" + hash.ToBase16() + ":";
        return MakeStorePath("output:out", SHA256.HashData(Encoding.ASCII.GetBytes(inner)), name);
    }

    /// <summary><c>makeTextPath</c>: <c>builtins.toFile</c> and <c>.drv</c> files.</summary>
    public StorePath MakeTextPath(string name, ReadOnlySpan<byte> contentSha256, IEnumerable<string>? references) =>
        MakeStorePath(MakeType("text", references), contentSha256, name);

    /// <summary>Input-addressed output: <c>output:NAME</c> over the masked derivation hash.</summary>
    public StorePath MakeOutputPath(string outputName, ReadOnlySpan<byte> drvModuloHash, string drvName) =>
        MakeStorePath("output:" + outputName, drvModuloHash, OutputPathName(drvName, outputName));

    /// <summary>An output's path name: the derivation name, plus <c>-output</c> unless it is <c>out</c>.</summary>
    public static string OutputPathName(string drvName, string outputName) =>
        outputName == "out" ? drvName : drvName + "-" + outputName;

    private static int WriteHex(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string hex = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)hex[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)hex[bytes[i] & 15];
        }
        return bytes.Length * 2;
    }
}
