using System.Text;

namespace Vigil.Vuln.Feeds;

/// <summary>A CPE 2.3 formatted string's first fields (<c>cpe:2.3:PART:VENDOR:PRODUCT:VERSION:UPDATE:…</c>), unescaped.</summary>
public sealed record Cpe(string Part, string Vendor, string Product, string Version, string Update)
{
    /// <exception cref="FeedFormatException">Not a CPE 2.3 formatted string.</exception>
    public static Cpe Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new List<string>(13);
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                sb.Append(text[++i]); // \: \. \- … quote the next character
            }
            else if (c == ':')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }
        fields.Add(sb.ToString());
        if (fields.Count < 6 || fields[0] != "cpe" || fields[1] != "2.3" || fields[2] is not ("a" or "o" or "h") || fields[3].Length == 0 || fields[4].Length == 0)
        {
            throw new FeedFormatException($"'{text}' is not a CPE 2.3 string");
        }
        return new Cpe(fields[2], fields[3], fields[4], fields[5], fields.Count > 6 ? fields[6] : "*");
    }
}
