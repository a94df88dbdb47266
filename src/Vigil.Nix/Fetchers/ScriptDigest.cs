using System.Buffers;
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
    private static readonly SearchValues<byte> Nix32Bytes = SearchValues.Create(Encoding.ASCII.GetBytes(Nix32.Alphabet));

    /// <remarks>
    /// Masks the UTF-8 bytes, not the characters: what it masks is ASCII, which no multi-byte UTF-8
    /// sequence contains, so the result is the same and the script is copied once instead of twice
    /// (a scan digests the post-fetch script of nearly every fetchzip and fetchpatch FOD).
    /// </remarks>
    internal static string Of(string script) => Sha256Hex.OfUtf8(script, static text =>
    {
        var at = 0;
        while (true)
        {
            var slash = text[at..].IndexOf((byte)'/');
            if (slash < 0)
            {
                break;
            }
            var start = at + slash + 1;
            if (start + StorePath.HashLength < text.Length
                && text[start + StorePath.HashLength] == (byte)'-'
                && !text.Slice(start, StorePath.HashLength).ContainsAnyExcept(Nix32Bytes))
            {
                text.Slice(start, StorePath.HashLength).Fill((byte)'*');
                at = start + StorePath.HashLength;
            }
            else
            {
                at = start;
            }
        }
    });
}
