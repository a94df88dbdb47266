using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Store.Evaluation;

/// <summary>
/// Condenses what Nix printed on stderr into one line: the first <c>error:</c> paragraph and the
/// source position that follows it (Nix 2.8 prints <c>at FILE:LINE:COL:</c> and a code excerpt
/// after a blank line), without colours or the <c>--show-trace</c> hint.
/// </summary>
public static partial class NixErrorText
{
    public static string Condense(string stderr)
    {
        var lines = Ansi().Replace(stderr, "").Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        if (start < 0)
        {
            var last = lines.Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
            return last ?? "no error message";
        }
        var message = new StringBuilder(lines[start]["error:".Length..].Trim());
        var i = start + 1;
        for (; i < lines.Length && !EndsParagraph(lines[i]); i++)
        {
            message.Append(' ').Append(lines[i].Trim());
        }
        for (; i < lines.Length && !lines[i].StartsWith("error:", StringComparison.Ordinal); i++)
        {
            var at = Position().Match(lines[i]);
            if (at.Success)
            {
                message.Append(" (at ").Append(at.Groups[1].Value).Append(')');
                break;
            }
        }
        return message.ToString();
    }

    private static bool EndsParagraph(string line) =>
        line.Trim().Length == 0
        || line.StartsWith("error:", StringComparison.Ordinal)
        || line.StartsWith("(use '--show-trace'", StringComparison.Ordinal);

    [GeneratedRegex("\u001b\\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"^\s+at (.+):$")]
    private static partial Regex Position();
}
