namespace Vigil.Nix.Derivations;

/// <summary>
/// The quoted strings of a <c>Derive(…)</c> ATerm (docs/nix-formats.md §3.1): where one ends, and its
/// escapes undone as Nix's parser undoes them (<c>\n \r \t</c> are control bytes, a backslash before
/// any other byte is that byte). Shared by every reader that looks at a file's bytes in place.
/// </summary>
public static class ATermStrings
{
    /// <summary>
    /// Finds the closing quote of the string whose opening quote is at <paramref name="at"/>; its body
    /// (escapes not undone) is <c>input[(at + 1)..end]</c>. False when there is no quote at
    /// <paramref name="at"/> or no closing one (unterminated, or a lone backslash at the very end).
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> input, int at, out int end, out bool escaped)
    {
        end = -1;
        escaped = false;
        if (at >= input.Length || input[at] != (byte)'"')
        {
            return false;
        }
        var i = at + 1;
        while (true)
        {
            var next = input[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return false;
            }
            i += next;
            if (input[i] == (byte)'"')
            {
                end = i;
                return true;
            }
            escaped = true;
            i += 2;
            if (i > input.Length)
            {
                return false;
            }
        }
    }

    /// <summary>The byte a backslash followed by <paramref name="escaped"/> stands for.</summary>
    public static byte Unescape(byte escaped) => escaped switch
    {
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        _ => escaped,
    };

    /// <summary>
    /// Undoes the escapes of <paramref name="body"/> (as <see cref="TryScan"/> delimits it: no lone
    /// backslash at its end) into <paramref name="destination"/>, which must be at least as long;
    /// returns the length written.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var n = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            destination[n++] = b == (byte)'\\' ? Unescape(body[++i]) : b;
        }
        return n;
    }
}
