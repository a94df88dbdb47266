using System.Buffers;

namespace Vigil.Nix.StorePaths;

/// <summary>
/// Name rules of Nix 2.8: 1..211 bytes of <c>0-9 a-z A-Z + - . _ ? =</c>. Nix 2.8 has no
/// leading-dot rule (later versions do), so ".", ".." and ".gitignore" are valid here.
/// </summary>
public static class StorePathName
{
    public const int MaxLength = 211;

    private static readonly SearchValues<byte> ValidBytes =
        SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?="u8);

    public static bool IsValidChar(char c) =>
        c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '+' or '-' or '.' or '_' or '?' or '=';

    /// <summary>As <see cref="Check"/> without the reason, on the bytes of a file read in place.</summary>
    public static bool IsValid(ReadOnlySpan<byte> name) =>
        name.Length is > 0 and <= MaxLength && name.IndexOfAnyExcept(ValidBytes) < 0;

    /// <summary>Null when valid, else why not (with the offending offset).</summary>
    public static (int Position, string Reason)? Check(ReadOnlySpan<char> name)
    {
        if (name.Length == 0)
        {
            return (0, "store path name is empty");
        }
        if (name.Length > MaxLength)
        {
            return (MaxLength, $"store path name is longer than {MaxLength} characters");
        }
        for (var i = 0; i < name.Length; i++)
        {
            if (!IsValidChar(name[i]))
            {
                return (i, $"store path name contains illegal character '{name[i]}'");
            }
        }
        return null;
    }

    public static void Validate(ReadOnlySpan<char> name)
    {
        if (Check(name) is { } error)
        {
            throw new NixFormatException("store path", error.Position, error.Reason);
        }
    }
}
