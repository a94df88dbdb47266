using Vigil.Data;
using Vigil.Nix.Fetchers;

namespace Vigil.Vuln.Inventory;

/// <summary>
/// The package inventory of a scanned revision, from what the scan stored: the roots, the
/// derivation graph (when the scan instantiated: a read-only scan stores FODs only) and the FOD
/// records. Every derivation of the roots' closure whose name splits into a name and a version is a
/// package (archives, patches and version-less helpers are not); its direct FOD inputs give its
/// source identities (patches excluded: a patch fetched from another project's repository says
/// nothing about this one), and inputs whose name or URL holds a CVE id are patches fixing it.
/// Without a graph the roots are the packages, and an FOD belongs to the root that is its nearest
/// attribute. The scan does not store env <c>pname</c>/<c>version</c> or <c>meta</c>, so names come
/// from the derivation name, as Nix's <c>parseDrvName</c> splits it.
/// </summary>
public static class InventoryBuilder
{
    /// <summary>Attributes kept per package.</summary>
    public const int MaxAttrs = 4;

    /// <param name="graph">The derivation graph stored with the revision; null (or empty) when it has none.</param>
    public static List<InventoryPackage> Build(IReadOnlyList<RevisionRoot> roots, RevisionGraph? graph, IReadOnlyList<SourceFod> fods)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(fods);
        var fodByPath = new Dictionary<string, SourceFod>(fods.Count, StringComparer.Ordinal);
        foreach (var f in fods)
        {
            fodByPath[f.DrvPath] = f;
        }
        return graph is null || graph.Count == 0 ? FromRoots(roots, fods) : FromGraph(roots, graph, fodByPath);
    }

    /// <summary>Whether an FOD is a patch (its name or URL says so) rather than a source.</summary>
    public static bool IsPatch(SourceFod fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        return LooksLikePatch(fod.Name) || fod.Urls.Any(LooksLikePatch);
    }

    private static bool LooksLikePatch(string text) =>
        text.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".diff", StringComparison.OrdinalIgnoreCase)
        || text.Contains("/commit/", StringComparison.Ordinal) || text.Contains("/pull/", StringComparison.Ordinal)
        || text.Contains(".patch?", StringComparison.OrdinalIgnoreCase) || text.Contains("patch", StringComparison.OrdinalIgnoreCase) && DrvNames.CveIds(text).Count > 0;

    private static List<InventoryPackage> FromGraph(IReadOnlyList<RevisionRoot> roots, RevisionGraph graph, Dictionary<string, SourceFod> fodByPath)
    {
        var attrs = ReachingAttrs(roots, graph);
        var packages = new List<InventoryPackage>();
        for (var node = 0; node < graph.Count; node++)
        {
            var path = graph.Path(node);
            if (graph.IsFod(node) || !DrvNames.IsPackageName(DrvNames.NameOfPath(path), out var pname, out var version))
            {
                continue;
            }
            var identities = new List<string>();
            var patches = new List<PatchEvidence>();
            foreach (var input in graph.Inputs(node))
            {
                var inputPath = graph.Path(input);
                Inspect(inputPath, fodByPath.GetValueOrDefault(inputPath), identities, patches);
            }
            packages.Add(new InventoryPackage(pname, version, path, attrs[node] ?? [], identities, patches));
        }
        packages.Sort((a, b) => string.CompareOrdinal(a.DrvPath, b.DrvPath));
        return packages;
    }

    private static List<InventoryPackage> FromRoots(IReadOnlyList<RevisionRoot> roots, IReadOnlyList<SourceFod> fods)
    {
        // The FODs each attribute is the nearest attribute of: its sources and patches.
        var nearest = new Dictionary<string, List<SourceFod>>(StringComparer.Ordinal);
        foreach (var f in fods)
        {
            if (f.Attrs.Count > 0)
            {
                if (!nearest.TryGetValue(f.Attrs[0], out var list))
                {
                    nearest[f.Attrs[0]] = list = [];
                }
                list.Add(f);
            }
        }
        var byDrv = new Dictionary<string, (string Pname, string Version, List<string> Attrs, List<string> Ids, List<PatchEvidence> Patches)>(StringComparer.Ordinal);
        foreach (var root in roots.OrderBy(r => r.Attr, StringComparer.Ordinal))
        {
            if (!DrvNames.IsPackageName(DrvNames.NameOfPath(root.DrvPath), out var pname, out var version))
            {
                continue;
            }
            if (!byDrv.TryGetValue(root.DrvPath, out var entry))
            {
                byDrv[root.DrvPath] = entry = (pname, version, [], [], []);
            }
            if (entry.Attrs.Count < MaxAttrs)
            {
                entry.Attrs.Add(root.Attr);
            }
            foreach (var fod in nearest.GetValueOrDefault(root.Attr) ?? [])
            {
                Inspect(fod.DrvPath, fod, entry.Ids, entry.Patches);
            }
        }
        return byDrv.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new InventoryPackage(p.Value.Pname, p.Value.Version, p.Key, p.Value.Attrs, p.Value.Ids, p.Value.Patches))
            .ToList();
    }

    /// <summary>Adds what one input of a package says: patches naming CVEs, and source identities of non-patch FODs.</summary>
    private static void Inspect(string inputPath, SourceFod? fod, List<string> identities, List<PatchEvidence> patches)
    {
        var name = DrvNames.NameOfPath(inputPath);
        foreach (var cve in DrvNames.CveIds(name))
        {
            AddPatch(patches, new PatchEvidence(cve, name));
        }
        if (fod is null)
        {
            return;
        }
        if (IsPatch(fod))
        {
            foreach (var url in fod.Urls)
            {
                foreach (var cve in DrvNames.CveIds(url))
                {
                    AddPatch(patches, new PatchEvidence(cve, url));
                }
            }
            return;
        }
        foreach (var url in fod.Urls)
        {
            foreach (var id in SourceIdentities.FromUrl(url))
            {
                if (!identities.Contains(id))
                {
                    identities.Add(id);
                }
            }
        }
    }

    private static void AddPatch(List<PatchEvidence> patches, PatchEvidence patch)
    {
        if (!patches.Exists(p => p.Cve == patch.Cve))
        {
            patches.Add(patch);
        }
    }

    /// <summary>
    /// Up to <see cref="MaxAttrs"/> attributes per derivation: each root first gets its own
    /// attributes, then each attribute, in order, is pushed down its closure into derivations not
    /// yet full (a full one is not descended through: its inputs are reached by enough already).
    /// </summary>
    private static List<string>?[] ReachingAttrs(IReadOnlyList<RevisionRoot> roots, RevisionGraph graph)
    {
        var attrs = new List<string>?[graph.Count];
        var ordered = roots.OrderBy(r => r.Attr, StringComparer.Ordinal).ToList();
        foreach (var root in ordered)
        {
            if (graph.TryFind(root.DrvPath, out var node))
            {
                Add(attrs, node, root.Attr);
            }
        }
        var stack = new Stack<int>();
        // Which root's walk saw a node last: one array for every walk instead of a set per root.
        var seenBy = new int[graph.Count];
        var walk = 0;
        foreach (var root in ordered)
        {
            if (!graph.TryFind(root.DrvPath, out var node))
            {
                continue;
            }
            walk++;
            stack.Push(node);
            seenBy[node] = walk;
            while (stack.Count > 0)
            {
                foreach (var input in graph.Inputs(stack.Pop()))
                {
                    if (seenBy[input] == walk)
                    {
                        continue;
                    }
                    seenBy[input] = walk;
                    var list = attrs[input];
                    if (list is not null && list.Count >= MaxAttrs && !list.Contains(root.Attr))
                    {
                        continue;
                    }
                    Add(attrs, input, root.Attr);
                    stack.Push(input);
                }
            }
        }
        return attrs;
    }

    private static void Add(List<string>?[] attrs, int node, string attr)
    {
        var list = attrs[node] ??= new List<string>(2);
        if (list.Count < MaxAttrs && !list.Contains(attr))
        {
            list.Add(attr);
        }
    }
}
