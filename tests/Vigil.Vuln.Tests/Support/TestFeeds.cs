using Vigil.Vuln.Feeds;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Tests.Support;

/// <summary>The hand-written feeds under Feeds/ and packages to match them with.</summary>
public static class TestFeeds
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Feeds");

    public static string Cve5 => Path.Combine(Root, "cve5");

    public static string Nvd => Path.Combine(Root, "nvd");

    public static string Osv => Path.Combine(Root, "osv");

    public static string Whitelist => Path.Combine(Root, "vulnix-whitelist.toml");

    /// <summary>Every well-formed record of every feed.</summary>
    public static List<VulnRecord> AllRecords() =>
        [.. FeedReader.Read(Root).Where(i => i.Record is not null).Select(i => i.Record!)];

    public static InventoryPackage Package(string pname, string version, string[]? identities = null, PatchEvidence[]? patches = null, string? attr = null) =>
        new(pname, version, $"/nix/store/{new string('a', 32)}-{pname}-{version}.drv", [attr ?? pname], identities ?? [], patches ?? []);
}
