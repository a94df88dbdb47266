namespace Vigil.Vuln.Feeds;

/// <summary>The feed kinds Vigil imports; the names are stored and printed.</summary>
public static class FeedSources
{
    /// <summary>CVE JSON 5 records (CVEProject/cvelistV5).</summary>
    public const string Cve5 = "cve5";

    /// <summary>NVD API 2.0 JSON (CVE items with CPE configurations).</summary>
    public const string Nvd = "nvd";

    /// <summary>OSV JSON (osv.dev, GitHub advisories, PyPI, RustSec, Go …).</summary>
    public const string Osv = "osv";
}
