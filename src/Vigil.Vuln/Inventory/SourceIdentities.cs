namespace Vigil.Vuln.Inventory;

/// <summary>
/// What a source URL says about the project it belongs to, as identity keys matching compares:
/// <c>github:OWNER/REPO</c>, <c>gitlab:OWNER/REPO</c> (lowercase), <c>pypi:NAME</c>, <c>crates:NAME</c>,
/// <c>npm:NAME</c>, <c>host:DOMAIN</c> (the registrable part, <c>www.openssl.org</c> → <c>openssl.org</c>)
/// and <c>mirror:NAME</c> for an unexpanded <c>mirror://NAME/…</c>. A forge repository is the strongest
/// identity a package has: a record naming another repository is about another project.
/// </summary>
public static class SourceIdentities
{
    /// <summary>Ecosystem names as OSV writes them, for the registry identities.</summary>
    public static string? EcosystemOf(string identity) => identity.AsSpan()[..Math.Max(0, identity.IndexOf(':', StringComparison.Ordinal))] switch
    {
        "pypi" => "PyPI",
        "crates" => "crates.io",
        "npm" => "npm",
        _ => null,
    };

    /// <summary>Whether <paramref name="identity"/> names a source repository on a forge.</summary>
    public static bool IsRepository(string identity) =>
        identity.StartsWith("github:", StringComparison.Ordinal) || identity.StartsWith("gitlab:", StringComparison.Ordinal);

    /// <summary>The identities of one URL: at most one repository or registry identity, plus the host.</summary>
    public static IEnumerable<string> FromUrl(string url)
    {
        if (string.IsNullOrEmpty(url))
        {
            yield break;
        }
        var text = url.StartsWith("git+", StringComparison.Ordinal) ? url[4..] : url;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            yield break;
        }
        var host = uri.Host.ToLowerInvariant();
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (uri.Scheme == "mirror")
        {
            yield return "mirror:" + host;
            yield break;
        }
        if (Repository(host, segments) is { } repository)
        {
            yield return repository;
        }
        if (Registry(host, segments) is { } registry)
        {
            yield return registry;
        }
        yield return "host:" + Registrable(host);
    }

    /// <summary>The repository identity of a repository URL (a CVE 5 <c>repo</c>, an OSV GIT range), or null.</summary>
    public static string? RepositoryOf(string url)
    {
        var text = url.StartsWith("git+", StringComparison.Ordinal) ? url[4..] : url;
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text; // Go module paths: github.com/owner/repo/…
        }
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host)
            ? Repository(uri.Host.ToLowerInvariant(), uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            : null;
    }

    private static string? Repository(string host, string[] s)
    {
        switch (host)
        {
            case "github.com" or "www.github.com" or "codeload.github.com" or "raw.githubusercontent.com" when s.Length >= 2:
                return Repo("github", s[0], s[1]);
            case "api.github.com" when s.Length >= 3 && s[0] == "repos":
                return Repo("github", s[1], s[2]);
            case "gitlab.com" or "www.gitlab.com" when s.Length >= 2:
                if (s is ["api", "v4", "projects", var project, ..])
                {
                    var parts = Uri.UnescapeDataString(project).Split('/');
                    return parts.Length >= 2 ? Repo("gitlab", parts[0], parts[1]) : null;
                }
                return Repo("gitlab", s[0], s[1]);
            default:
                return null;
        }
    }

    private static string Repo(string forge, string owner, string repo)
    {
        if (repo.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            repo = repo[..^4];
        }
        return $"{forge}:{owner.ToLowerInvariant()}/{repo.ToLowerInvariant()}";
    }

    private static string? Registry(string host, string[] s)
    {
        switch (host)
        {
            // packages/source/r/requests/requests-2.31.0.tar.gz, packages/py3/r/requests/… (wheels)
            case "files.pythonhosted.org" or "pypi.io" or "pypi.python.org" or "pypi.org" when s.Length >= 4 && s[0] == "packages" && s[1] is "source" or "py2" or "py3" or "py2.py3":
                return "pypi:" + PackageNames.Normalise(s[3]);
            case "crates.io" when s is ["api", "v1", "crates", var crate, ..]:
                return "crates:" + PackageNames.Normalise(crate);
            case "static.crates.io" when s is ["crates", var crate, ..]:
                return "crates:" + PackageNames.Normalise(crate);
            case "registry.npmjs.org" or "registry.yarnpkg.com" when s.Length >= 1:
                return "npm:" + (s[0].StartsWith('@') && s.Length >= 2 ? $"{s[0]}/{s[1]}" : s[0]).ToLowerInvariant();
            default:
                return null;
        }
    }

    /// <summary>The last two labels of a host name (three under a two-letter country code with a short second label, e.g. <c>co.uk</c>).</summary>
    internal static string Registrable(string host)
    {
        var labels = host.Split('.');
        if (labels.Length <= 2)
        {
            return host;
        }
        var take = labels[^1].Length == 2 && labels[^2].Length <= 3 ? 3 : 2;
        return string.Join('.', labels[^take..]);
    }
}
