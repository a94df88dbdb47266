namespace Vigil.Vuln.Versions;

/// <summary>
/// The version order matching uses, for the versions of every ecosystem at once (Nix package
/// versions, NVD, CVE 5 and OSV ranges). A version is read as a sequence of tokens: numbers, and
/// words; separators (<c>.</c>, <c>-</c>, <c>_</c>, <c>+</c>, …) only split. Tokens compare, position
/// by position, in this order:
/// <list type="number">
/// <item>pre-release words (<c>dev</c> &lt; <c>alpha</c>/<c>a</c>N &lt; <c>beta</c>/<c>b</c>N &lt; <c>pre</c>/<c>preview</c> &lt; <c>rc</c>/<c>c</c>N), so <c>1.0rc1 &lt; 1.0</c>;</item>
/// <item>the end of the version, so <c>1.0 &lt; 1.0.1</c> and <c>1.0.2 &lt; 1.0.2k</c>;</item>
/// <item>other words, by ordinal case-insensitive text (<c>1.0.2k &lt; 1.0.2l</c>);</item>
/// <item>numbers, by value of any length (no overflow: leading zeros dropped, then length, then digits).</item>
/// </list>
/// Two pre-release words of the same rank are equal (<c>a1</c> = <c>alpha1</c>). A leading <c>v</c>
/// before a digit is dropped (<c>v1.2</c> = <c>1.2</c>). This is a total preorder on all strings:
/// lexicographic order over a total order of tokens, padded with the end token. It allocates nothing.
/// </summary>
public sealed class VersionComparer : IComparer<string>
{
    public static VersionComparer Instance { get; } = new();

    private enum Kind
    {
        PreRelease = 0,
        End = 1,
        Word = 2,
        Number = 3,
    }

    private readonly record struct Token(Kind Kind, int Start, int Length, int Rank);

    int IComparer<string>.Compare(string? x, string? y) => Compare(x, y);

    /// <summary>Negative, zero or positive as <paramref name="x"/> is older than, the same as, or newer than <paramref name="y"/>; null sorts first.</summary>
    public static int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        var a = x.AsSpan();
        var b = y.AsSpan();
        var i = SkipPrefix(a);
        var j = SkipPrefix(b);
        while (true)
        {
            var ta = Next(a, ref i);
            var tb = Next(b, ref j);
            var c = CompareTokens(a, ta, b, tb);
            if (c != 0)
            {
                return c;
            }
            if (ta.Kind == Kind.End)
            {
                return 0; // both ended
            }
        }
    }

    /// <summary>Whether <paramref name="x"/> and <paramref name="y"/> are the same version in this order.</summary>
    public static bool Equal(string x, string y) => Compare(x, y) == 0;

    private static int SkipPrefix(ReadOnlySpan<char> s) =>
        s.Length >= 2 && (s[0] is 'v' or 'V') && char.IsAsciiDigit(s[1]) ? 1 : 0;

    private static int CompareTokens(ReadOnlySpan<char> a, Token ta, ReadOnlySpan<char> b, Token tb)
    {
        if (ta.Kind != tb.Kind)
        {
            return ta.Kind.CompareTo(tb.Kind);
        }
        switch (ta.Kind)
        {
            case Kind.PreRelease:
                return ta.Rank.CompareTo(tb.Rank);
            case Kind.Word:
                return CompareWords(a.Slice(ta.Start, ta.Length), b.Slice(tb.Start, tb.Length));
            case Kind.Number:
                {
                    var na = a.Slice(ta.Start, ta.Length).TrimStart('0');
                    var nb = b.Slice(tb.Start, tb.Length).TrimStart('0');
                    return na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : na.SequenceCompareTo(nb);
                }
            default:
                return 0;
        }
    }

    private static int CompareWords(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var c = char.ToLowerInvariant(a[k]).CompareTo(char.ToLowerInvariant(b[k]));
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }

    private static bool IsSeparator(char c) => !char.IsAsciiLetterOrDigit(c);

    private static Token Next(ReadOnlySpan<char> s, ref int pos)
    {
        while (pos < s.Length && IsSeparator(s[pos]))
        {
            pos++;
        }
        if (pos >= s.Length)
        {
            return new Token(Kind.End, pos, 0, 0);
        }
        var start = pos;
        if (char.IsAsciiDigit(s[pos]))
        {
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                pos++;
            }
            return new Token(Kind.Number, start, pos - start, 0);
        }
        while (pos < s.Length && char.IsAsciiLetter(s[pos]))
        {
            pos++;
        }
        var word = s[start..pos];
        var followedByDigit = pos < s.Length && char.IsAsciiDigit(s[pos]);
        var rank = PreReleaseRank(word, followedByDigit);
        return rank >= 0 ? new Token(Kind.PreRelease, start, pos - start, rank) : new Token(Kind.Word, start, pos - start, 0);
    }

    /// <summary>The rank of a pre-release word, or -1. Single letters count only before a number (<c>1.0b2</c>), since <c>1.0.2a</c> is a later OpenSSL release.</summary>
    private static int PreReleaseRank(ReadOnlySpan<char> word, bool followedByDigit)
    {
        Span<char> lower = stackalloc char[8];
        if (word.Length > lower.Length)
        {
            return -1;
        }
        var n = word.ToLowerInvariant(lower);
        return lower[..n] switch
        {
            "dev" or "snapshot" => 0,
            "alpha" => 1,
            "a" when followedByDigit => 1,
            "beta" => 2,
            "b" when followedByDigit => 2,
            "pre" or "preview" => 3,
            "rc" or "cr" => 4,
            "c" when followedByDigit => 4,
            _ => -1,
        };
    }
}
