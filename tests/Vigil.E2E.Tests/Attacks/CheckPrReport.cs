using System.Text.Json;
using Vigil.E2E.Tests.Scanning;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// What <c>vigil check-pr --format json</c> prints (the contract of issue 5): the two revisions,
/// the FODs added, removed and changed between them, and the findings. An FOD is the object
/// <c>vigil fods --json</c> prints.
/// </summary>
public sealed record CheckPrReport(
    string? Base,
    string? Head,
    List<ScanCli.Fod> Added,
    List<ScanCli.Fod> Removed,
    List<CheckPrReport.Change> Changed,
    List<CheckPrReport.Finding> Findings)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Change(List<string> Attrs, ScanCli.Fod Base, ScanCli.Fod Head);

    public sealed record Finding(
        string Kind, string Severity, List<string> Attrs, string? DrvPath, string? OutputPath, string Message,
        ScanCli.Fod? Base, List<ScanCli.Fod>? Related);
}
