using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// The SHA-256 of a fetcher script (postFetch, buildCommand…) with the hash parts of store paths
/// blanked. Scripts change what an FOD produces, so they belong in its recipe; but they also
/// interpolate tools (fetchpatch's <c>${patchutils}/bin/lsdiff</c>), whose hash parts move with
/// every stdenv rebuild. Blanking only the 32-character hash part keeps the tool's name and
/// version — a new patchutils version can normalise a patch differently and does change the
/// recipe — while a mass rebuild of the same version does not change every recipe.
/// </summary>
internal static class ScriptDigest
{
    private static readonly SearchValues<char> Nix32Chars = SearchValues.Create(Nix32.Alphabet);

    internal static string Of(string script)
    {
        var masked = script.ToCharArray();
        var text = masked.AsSpan();
        var at = 0;
        while (true)
        {
            var slash = text[at..].IndexOf('/');
            if (slash < 0)
            {
                break;
            }
            var start = at + slash + 1;
            if (start + StorePath.HashLength < text.Length
                && text[start + StorePath.HashLength] == '-'
                && !text.Slice(start, StorePath.HashLength).ContainsAnyExcept(Nix32Chars))
            {
                text.Slice(start, StorePath.HashLength).Fill('*');
                at = start + StorePath.HashLength;
            }
            else
            {
                at = start;
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(masked)));
    }
}
