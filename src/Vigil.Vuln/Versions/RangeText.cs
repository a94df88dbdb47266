namespace Vigil.Vuln.Versions;

/// <summary>
/// Version constraints written as text, as some CVE 5 records carry them in <c>version</c>
/// (GitHub's CNA writes <c>"&gt;= 1.0, &lt; 1.4.2"</c>), and the placeholders feeds use for "no version".
/// </summary>
internal static class RangeText
{
    /// <summary>Whether <paramref name="version"/> means "no particular version" (<c>*</c>, <c>n/a</c>, <c>unspecified</c>…).</summary>
    public static bool IsUnspecified(string? version) =>
        string.IsNullOrWhiteSpace(version)
        || version.Trim() is "*" or "-" or "n/a" or "N/A" or "unspecified" or "unknown" or "all" or "all versions" or "All versions";

    /// <summary>Whether <paramref name="version"/> as a lower bound means "from the beginning".</summary>
    public static bool IsOpenStart(string? version) => IsUnspecified(version) || version!.Trim() == "0";

    /// <summary>
    /// Reads comparator text (<c>&gt;= 1.0, &lt; 1.4</c>, <c>&lt;=2.0</c>, <c>= 1.2</c>); false when
    /// <paramref name="text"/> holds no comparator (a plain version).
    /// </summary>
    public static bool TryParse(string text, out VersionRange range)
    {
        range = VersionRange.All;
        if (text.IndexOfAny(['<', '>', '=']) < 0)
        {
            return false;
        }
        string? start = null, end = null;
        bool startInclusive = true, endInclusive = true;
        foreach (var raw in text.Split([',', '&'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var part = raw;
            string op;
            if (part.StartsWith(">=", StringComparison.Ordinal) || part.StartsWith("<=", StringComparison.Ordinal) || part.StartsWith("==", StringComparison.Ordinal))
            {
                op = part[..2];
                part = part[2..].Trim();
            }
            else if (part[0] is '<' or '>' or '=')
            {
                op = part[..1];
                part = part[1..].Trim();
            }
            else
            {
                return false;
            }
            if (part.Length == 0 || part.IndexOfAny(['<', '>', '=', ' ']) >= 0)
            {
                return false;
            }
            switch (op)
            {
                case ">=": start = part; startInclusive = true; break;
                case ">": start = part; startInclusive = false; break;
                case "<=": end = part; endInclusive = true; break;
                case "<": end = part; endInclusive = false; break;
                default: start = end = part; startInclusive = endInclusive = true; break;
            }
        }
        range = new VersionRange(start, startInclusive, end, endInclusive);
        return true;
    }
}
