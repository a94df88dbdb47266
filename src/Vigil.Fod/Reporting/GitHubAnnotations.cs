using System.Text;
using Vigil.Fod.Detection;

namespace Vigil.Fod.Reporting;

/// <summary>
/// Findings as GitHub Actions workflow commands (<c>::error file=…,title=…::message</c>), one line
/// each, which the runner turns into annotations on the pull request.
/// </summary>
public static class GitHubAnnotations
{
    public static void Write(TextWriter output, FodReport report, string file)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var f in report.Findings)
        {
            var command = f.Severity switch
            {
                Severity.Error => "error",
                Severity.Warning => "warning",
                _ => "notice",
            };
            var title = $"vigil {f.Kind}: {Describe.Attr(f.Fod)}";
            output.Write($"::{command} file={EscapeProperty(file)},title={EscapeProperty(title)}::{EscapeData(f.Message)}\n");
        }
        var d = report.Diff;
        output.Write(EscapeData($"vigil: {report.Base.Name} -> {report.Head.Name}: {d.Added.Count} FODs added, {d.Removed.Count} removed, {d.Changed.Count} changed, {d.Unchanged} unchanged; {report.Findings.Count} findings") + "\n");
    }

    // The runner's own escaping (actions/toolkit command.ts): data escapes %, CR, LF; properties also ':' and ','.
    internal static string EscapeData(string s) =>
        new StringBuilder(s).Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A").ToString();

    internal static string EscapeProperty(string s) =>
        new StringBuilder(EscapeData(s)).Replace(":", "%3A").Replace(",", "%2C").ToString();
}
