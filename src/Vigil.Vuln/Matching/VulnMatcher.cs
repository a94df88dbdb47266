using System.Globalization;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Matching;

/// <summary>
/// Matches one package against the index and explains every candidate. Candidates come from the
/// package's repository identities and its name variants; each is then judged on identity (a
/// repository or ecosystem the record names and the package lacks rejects it; a matching repository,
/// registry name or CPE vendor raises confidence) and on version (unaffected ranges win, then the
/// first affected range holding the version; a record naming no version matches every version at
/// half the confidence). Confidence levels are in docs/vuln.md.
/// </summary>
public static class VulnMatcher
{
    public const double RepositoryConfidence = 0.95;
    public const double RegistryConfidence = 0.9;
    public const double NameConfidence = 0.6;
    public const double VariantConfidence = 0.5;
    public const double VendorBonus = 0.2;
    public const double EcosystemBonus = 0.1;
    public const double NameCap = 0.9;

    /// <param name="explain">Write the evidence of every candidate; false writes it for affected ones only (a scan drops the rest).</param>
    public static List<MatchCandidate> Match(VulnIndex index, InventoryPackage package, bool explain = true)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(package);
        var seen = new HashSet<AffectedEntry>(ReferenceEqualityComparer.Instance);
        var result = new List<MatchCandidate>();
        var context = new PackageContext(package);
        foreach (var repo in context.Repositories)
        {
            foreach (var (record, entry) in index.ByRepository(repo))
            {
                if (seen.Add(entry))
                {
                    result.Add(Judge(context, record, entry, null, false, explain));
                }
            }
        }
        foreach (var (name, isVariant) in context.Names)
        {
            foreach (var (record, entry) in index.ByName(name))
            {
                if (seen.Add(entry))
                {
                    result.Add(Judge(context, record, entry, name, isVariant, explain));
                }
            }
        }
        return result;
    }

    /// <summary>What matching needs of a package, computed once.</summary>
    private sealed class PackageContext
    {
        public PackageContext(InventoryPackage package)
        {
            Package = package;
            Names = PackageNames.Candidates(package.Pname);
            Repositories = [.. package.Identities.Where(SourceIdentities.IsRepository)];
            Ecosystems = [.. package.Identities.Select(SourceIdentities.EcosystemOf).OfType<string>()];
            if (PackageNames.SplitLanguagePrefix(package.Pname) is { } prefix)
            {
                Ecosystems.Add(prefix.Ecosystem);
            }
            // Words a CPE vendor may be: repository owners, host and mirror names.
            foreach (var id in package.Identities)
            {
                var colon = id.IndexOf(':', StringComparison.Ordinal);
                var value = id[(colon + 1)..];
                switch (id[..colon])
                {
                    case "github" or "gitlab":
                        VendorWords.Add(PackageNames.Normalise(value[..value.IndexOf('/', StringComparison.Ordinal)]));
                        break;
                    case "host":
                        VendorWords.Add(PackageNames.Normalise(value.Split('.')[0]));
                        break;
                    case "mirror":
                        VendorWords.Add(PackageNames.Normalise(value));
                        break;
                }
            }
            foreach (var (name, _) in Names)
            {
                VendorWords.Add(name);
            }
        }

        public InventoryPackage Package { get; }

        public List<(string Name, bool IsVariant)> Names { get; }

        public List<string> Repositories { get; }

        public List<string> Ecosystems { get; }

        public HashSet<string> VendorWords { get; } = new(StringComparer.Ordinal);
    }

    private static MatchCandidate Judge(PackageContext context, VulnRecord record, AffectedEntry entry, string? matchedName, bool isVariant, bool explain)
    {
        // Most candidates are out of range: their evidence is written only when asked for, an
        // affected one's always (a second pass, with the strings).
        var judged = Judge(context, record, entry, matchedName, isVariant, explain ? [] : null);
        return judged.Outcome == MatchOutcome.Affected && !explain ? Judge(context, record, entry, matchedName, isVariant, []) : judged;
    }

    /// <param name="evidence">Where the reasons go; null to decide without writing them.</param>
    private static MatchCandidate Judge(PackageContext context, VulnRecord record, AffectedEntry entry, string? matchedName, bool isVariant, List<string>? evidence)
    {
        var package = context.Package;
        double confidence;
        if (matchedName is null)
        {
            confidence = RepositoryConfidence;
            evidence?.Add($"{entry.Origin}: repository {entry.Repo} is the package's source");
        }
        else
        {
            var field = entry.Product is not null && PackageNames.Normalise(entry.Product) == matchedName ? $"product '{entry.Product}'" : $"package '{entry.PackageName ?? entry.Product}'";
            evidence?.Add($"{entry.Origin}: {field} matches pname '{package.Pname}'{(isVariant ? $" as '{matchedName}'" : "")}");
            confidence = isVariant ? VariantConfidence : NameConfidence;
            if (entry.Repo is not null)
            {
                if (context.Repositories.Contains(entry.Repo))
                {
                    confidence = RepositoryConfidence;
                    evidence?.Add($"repository {entry.Repo} is the package's source");
                }
                else if (context.Repositories.Count > 0)
                {
                    evidence?.Add($"rejected: the record names repository {entry.Repo}, the package is built from {string.Join(", ", context.Repositories)}");
                    return new MatchCandidate(record, entry, MatchOutcome.Rejected, 0, evidence ?? []);
                }
            }
            if (entry.Ecosystem is { } ecosystem && confidence < RepositoryConfidence)
            {
                if (!context.Ecosystems.Contains(ecosystem, StringComparer.OrdinalIgnoreCase))
                {
                    evidence?.Add($"rejected: the record is about a {ecosystem} package, the package is {(context.Ecosystems.Count == 0 ? "not from a language registry" : "from " + string.Join(", ", context.Ecosystems))}");
                    return new MatchCandidate(record, entry, MatchOutcome.Rejected, 0, evidence ?? []);
                }
                var registry = RegistryIdentity(ecosystem, entry.PackageName);
                if (registry is not null && package.Identities.Contains(registry))
                {
                    confidence = RegistryConfidence;
                    evidence?.Add($"the package's source is {registry}");
                }
                else
                {
                    confidence = Math.Min(NameCap, confidence + EcosystemBonus);
                    evidence?.Add($"ecosystem {ecosystem} agrees");
                }
            }
            if (entry.Vendor is { } vendor && context.VendorWords.Contains(PackageNames.Normalise(vendor)))
            {
                confidence = Math.Max(confidence, Math.Min(NameCap, confidence + VendorBonus));
                evidence?.Add($"vendor '{vendor}' agrees with the package's name or source");
            }
        }
        foreach (var range in entry.Unaffected)
        {
            if (range.Contains(package.Version))
            {
                evidence?.Add($"version {package.Version} is unaffected ({range.Describe()})");
                return new MatchCandidate(record, entry, MatchOutcome.OutOfRange, confidence, evidence ?? []);
            }
        }
        if (entry.AllVersions)
        {
            evidence?.Add("version: the record names no version, every version is taken as affected");
            return new MatchCandidate(record, entry, MatchOutcome.Affected, Round(confidence / 2), evidence ?? []);
        }
        foreach (var range in entry.Affected)
        {
            if (range.Contains(package.Version))
            {
                evidence?.Add($"version {package.Version} in {range.Describe()}");
                return new MatchCandidate(record, entry, MatchOutcome.Affected, Round(confidence), evidence ?? []);
            }
        }
        evidence?.Add($"version {package.Version} outside {string.Join(", ", entry.Affected.Take(3).Select(r => r.Describe()))}{(entry.Affected.Count > 3 ? string.Create(CultureInfo.InvariantCulture, $" (+{entry.Affected.Count - 3} more)") : "")}");
        return new MatchCandidate(record, entry, MatchOutcome.OutOfRange, Round(confidence), evidence ?? []);
    }

    private static string? RegistryIdentity(string ecosystem, string? packageName)
    {
        if (packageName is null)
        {
            return null;
        }
        return ecosystem switch
        {
            "PyPI" => "pypi:" + PackageNames.Normalise(packageName),
            "crates.io" => "crates:" + PackageNames.Normalise(packageName),
            "npm" => "npm:" + packageName.ToLowerInvariant(),
            _ => null,
        };
    }

    private static double Round(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
