using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Data;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Inventory;
using Vigil.Vuln.Matching;
using Vigil.Vuln.Triage;

namespace Vigil.Vuln.Scanning;

/// <summary>
/// Matches a package inventory against the index and turns the matches into findings: per package
/// and vulnerability the affected candidates are merged (highest confidence, a little more when
/// several feeds agree, every piece of evidence kept); a patch naming the CVE or one of its aliases
/// makes it <c>patched</c>; a triage rule in force decides over both. Findings of the same
/// (vulnerability, pname, version, status) from several derivations are one, with their attributes.
/// Packages are matched in parallel.
/// </summary>
public static class VulnScanner
{
    /// <summary>Added to the best confidence for each further feed that reports the same match.</summary>
    public const double AgreementBonus = 0.05;

    /// <summary>Loads everything from the database and scans a revision.</summary>
    public static async Task<VulnScanResult> ScanAsync(VigilDatabase database, RevisionInfo revision, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var clock = Stopwatch.StartNew();
        // The records and the inventory are independent reads: one decodes on every core while the
        // other waits on the database.
        var indexTask = Task.Run(() => LoadIndexAsync(database, cancellationToken), cancellationToken);
        var packagesTask = Task.Run(() => RevisionInventory.LoadAsync(database, revision, cancellationToken), cancellationToken);
        var triage = new TriageBook(await database.ListVulnTriageAsync(cancellationToken).ConfigureAwait(false), time);
        var index = await indexTask.ConfigureAwait(false);
        var (packages, hasGraph) = await packagesTask.ConfigureAwait(false);
        var load = clock.Elapsed;
        return Scan(revision, packages, index, triage, load, cancellationToken) with { RootsOnly = !hasGraph };
    }

    /// <summary>Every stored record, decoded, indexed.</summary>
    public static async Task<VulnIndex> LoadIndexAsync(VigilDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var rows = await database.ListVulnRecordsAsync(cancellationToken).ConfigureAwait(false);
        var records = new VulnRecord[rows.Count];
        Parallel.For(0, rows.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var r = rows[i];
            records[i] = new VulnRecord(r.Source, r.RecordId, r.Aliases, r.Summary, r.Modified, AffectedCodec.Decode(r.Affected));
        });
        return new VulnIndex(records);
    }

    public static VulnScanResult Scan(RevisionInfo revision, IReadOnlyList<InventoryPackage> packages, VulnIndex index, TriageBook triage, TimeSpan loadTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packages);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(triage);
        var clock = Stopwatch.StartNew();
        var perPackage = new ConcurrentBag<(InventoryPackage Package, List<VulnFinding> Findings)>();
        var rejected = 0;
        // Matching and deciding are per package, in parallel; only the fold below is sequential.
        Parallel.ForEach(packages, new ParallelOptions { CancellationToken = cancellationToken }, package =>
        {
            var candidates = VulnMatcher.Match(index, package, explain: false);
            var rejectedHere = 0;
            Dictionary<string, List<MatchCandidate>>? byVulnerability = null;
            foreach (var c in candidates)
            {
                if (c.Outcome == MatchOutcome.Rejected)
                {
                    rejectedHere++;
                }
                else if (c.Outcome == MatchOutcome.Affected)
                {
                    byVulnerability ??= new Dictionary<string, List<MatchCandidate>>(StringComparer.OrdinalIgnoreCase);
                    var id = c.Record.VulnerabilityId;
                    if (!byVulnerability.TryGetValue(id, out var list))
                    {
                        byVulnerability[id] = list = new List<MatchCandidate>(1);
                    }
                    list.Add(c);
                }
            }
            if (rejectedHere > 0)
            {
                Interlocked.Add(ref rejected, rejectedHere);
            }
            if (byVulnerability is not null)
            {
                perPackage.Add((package, [.. byVulnerability.Select(v => Decide(package, v.Key.ToUpperInvariant(), v.Value, triage))]));
            }
        });
        // In derivation order, whatever order the threads finished in: the first derivation of a
        // finding gives its summary and the order of its evidence, so output is the same every run.
        var ordered = perPackage.ToArray();
        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.Package.DrvPath, b.Package.DrvPath));
        var grouped = new Dictionary<(string Cve, string Pname, string Version, string Status), Accumulator>();
        foreach (var (package, decided) in ordered)
        {
            foreach (var finding in decided)
            {
                var key = (finding.Cve, finding.Pname, finding.Version, finding.Status);
                if (!grouped.TryGetValue(key, out var acc))
                {
                    grouped[key] = acc = new Accumulator(finding);
                }
                acc.Add(finding, package.Attrs);
            }
        }
        var findings = grouped.Values.Select(a => a.ToFinding()).ToList();
        findings.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Cve, b.Cve);
            c = c != 0 ? c : string.CompareOrdinal(a.Pname, b.Pname);
            c = c != 0 ? c : string.CompareOrdinal(a.Version, b.Version);
            return c != 0 ? c : string.CompareOrdinal(a.Status, b.Status);
        });
        return new VulnScanResult(revision, packages.Count, index.RecordCount, findings, rejected, triage.Expired, loadTime, clock.Elapsed);
    }

    private static VulnFinding Decide(InventoryPackage package, string cve, List<MatchCandidate> candidates, TriageBook triage)
    {
        var best = candidates.Max(c => c.Confidence);
        var sources = candidates.Select(c => c.Record.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var confidence = Math.Min(1.0, Math.Round(best + (AgreementBonus * (sources.Count - 1)), 2));
        var evidence = new List<string>();
        foreach (var c in candidates.OrderByDescending(c => c.Confidence))
        {
            evidence.AddRange(c.Evidence.Where(e => !evidence.Contains(e)));
        }
        var status = TriageStatus.Affected;
        // Most packages carry no patches: the set of ids (every alias, upper-cased) is made only for those that do.
        if (package.Patches.Count > 0 && FindPatch(package, cve, candidates) is { } patch)
        {
            status = TriageStatus.Patched;
            evidence.Add($"patched: {patch.Source} names {patch.Cve}");
        }
        if (triage.Find(cve, package.Pname, package.Version) is { } rule)
        {
            status = rule.Status;
            evidence.Add($"triage: {rule.Status} ({rule.Reason}; {rule.Origin}{(rule.Until is { } until ? $", until {until:yyyy-MM-dd}" : "")})");
        }
        var summary = candidates.Select(c => c.Record.Summary).FirstOrDefault(s => !string.IsNullOrEmpty(s));
        return new VulnFinding(cve, package.Attrs, package.Pname, package.Version, status, confidence, evidence, summary, sources);
    }

    private static PatchEvidence? FindPatch(InventoryPackage package, string cve, List<MatchCandidate> candidates)
    {
        var ids = candidates.SelectMany(c => c.Record.Aliases.Append(c.Record.Id)).Append(cve).Select(i => i.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        return package.Patches.FirstOrDefault(p => ids.Contains(p.Cve));
    }

    /// <summary>One finding gathered over every derivation with the same name, version and status.</summary>
    private sealed class Accumulator(VulnFinding first)
    {
        // Most findings come from one derivation: the merged sets are made only for a second one.
        private SortedSet<string>? attrs;
        private List<string>? evidence;
        private SortedSet<string>? sources;
        private double confidence = first.Confidence;

        public void Add(VulnFinding finding, IReadOnlyList<string> packageAttrs)
        {
            if (ReferenceEquals(finding, first))
            {
                return; // the finding's own attributes are its package's
            }
            attrs ??= new SortedSet<string>(first.Attrs, StringComparer.Ordinal);
            evidence ??= [.. first.Evidence];
            sources ??= new SortedSet<string>(first.Sources, StringComparer.Ordinal);
            attrs.UnionWith(packageAttrs);
            foreach (var e in finding.Evidence)
            {
                if (!evidence.Contains(e))
                {
                    evidence.Add(e);
                }
            }
            sources.UnionWith(finding.Sources);
            confidence = Math.Max(confidence, finding.Confidence);
        }

        public VulnFinding ToFinding() => attrs is null
            ? first.Attrs.Count <= 1 ? first : first with { Attrs = [.. first.Attrs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] }
            : first with { Attrs = [.. attrs], Evidence = evidence!, Sources = [.. sources!], Confidence = confidence };
    }
}
