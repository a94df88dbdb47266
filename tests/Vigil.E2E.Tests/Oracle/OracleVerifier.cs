using System.Text;
using System.Text.Json;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Text;
using Vigil.Store;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// Holds Vigil up against what Nix did with a batch: for every <c>.drv</c> Nix wrote, Vigil must
/// parse it, write it back byte for byte, re-derive its path, every output path and output env
/// entry, agree with the output paths Nix's evaluation reported, and read back exactly the
/// environment, arguments, builder and platform the source asked for. Then the CLI: <c>vigil drv
/// show -r</c> must print what <c>nix show-derivation -r</c> prints, and <c>vigil drv check -r</c>
/// must find nothing. Every failure names the derivation and carries the Nix source that made it.
/// </summary>
internal sealed class OracleVerifier
{
    private const int MaxReported = 6;

    private readonly NixOracle _nix;
    private readonly string _label;
    private readonly string? _source;
    private readonly BatchPaths _paths;
    private readonly Dictionary<string, DrvSpec> _specById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Derivation> _parsed = new(StringComparer.Ordinal);
    private readonly List<string> _failures = [];
    private DerivationHasher? _hasher;

    /// <summary>A generated batch: every derivation also checked against what its spec asked for.</summary>
    public OracleVerifier(NixOracle nix, DrvBatch batch, BatchPaths paths)
        : this(nix, batch.Label, null, paths)
    {
        foreach (var spec in batch.Drvs)
        {
            _specById[spec.Id] = spec;
        }
    }

    /// <summary>A hand-written expression: only what Nix wrote and reported is known.</summary>
    public OracleVerifier(NixOracle nix, string label, string? source, BatchPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _nix = nix;
        _label = label;
        _source = source;
        _paths = paths;
        foreach (var (id, info) in paths.DrvInfo)
        {
            _idByPath[info.DrvPath] = id;
        }
    }

    public int DerivationCount => _idByPath.Count;

    /// <summary>The derivation Vigil parsed for an attribute (after <see cref="VerifyAsync"/>).</summary>
    public Derivation Parsed(string id) => _parsed[_paths.DrvPath(id)];

    /// <summary>
    /// Instantiates <paramref name="source"/>, a Nix file whose value is an attribute set of
    /// derivations, and returns a verifier over all of them.
    /// </summary>
    public static OracleVerifier ForExpression(NixOracle nix, string label, string source, bool experimental)
    {
        ArgumentNullException.ThrowIfNull(nix);
        File.WriteAllText(Path.Combine(nix.WorkDir, "explicit.nix"), source, new UTF8Encoding(false));
        var json = nix.EvalJson(
            "{ drvs = builtins.mapAttrs (n: d: { drv = d.drvPath; first = d.outPath;\n" +
            "    outs = builtins.listToAttrs (map (o: { name = o; value = d.${o}.outPath; }) (d.outputs or [ \"out\" ])); }) (import ./explicit.nix);\n" +
            "  files = { }; }",
            experimental);
        return new OracleVerifier(nix, label, source, BatchPaths.Parse(json));
    }

    /// <summary>Where the time went, for the test log.</summary>
    public string Timings { get; private set; } = "";

    /// <summary>All checks; the returned text is empty when Vigil agreed with Nix everywhere.</summary>
    public async Task<string> VerifyAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var id in _paths.DrvInfo.Keys.Order(StringComparer.Ordinal))
        {
            var problems = CheckOne(id);
            if (problems.Count > 0)
            {
                Fail(id, problems);
            }
        }
        var perDrv = clock.Elapsed;
        CheckStoreChecker();
        var checker = clock.Elapsed;
        await CheckShowAsync(ct);
        var show = clock.Elapsed;
        await CheckCliCheckAsync();
        Timings = $"per-drv {perDrv.TotalSeconds:F1}s, DerivationChecker {(checker - perDrv).TotalSeconds:F1}s, " +
            $"show vs nix {(show - checker).TotalSeconds:F1}s, drv check {(clock.Elapsed - show).TotalSeconds:F1}s";
        if (_failures.Count == 0)
        {
            return "";
        }
        var shown = _failures.Take(MaxReported).ToList();
        var more = _failures.Count > MaxReported ? $"\n… and {_failures.Count - MaxReported} more failures" : "";
        return $"{_failures.Count} failures in batch [{_label}] ({_idByPath.Count} derivations, store {_nix.Root}):\n\n" +
            string.Join("\n\n", shown) + more;
    }

    private List<string> CheckOne(string id)
    {
        var problems = new List<string>();
        var drvPath = _paths.DrvPath(id);
        byte[] bytes;
        Derivation drv;
        try
        {
            bytes = File.ReadAllBytes(_nix.RealPath(drvPath));
            _bytes[drvPath] = bytes;
            drv = ATermReader.Parse(bytes, ATermReader.NameFromPath(drvPath));
            _parsed[drvPath] = drv;
        }
        catch (NixFormatException e)
        {
            problems.Add($"Vigil cannot parse the .drv Nix wrote: {e.Message}");
            return problems;
        }

        var written = ATermWriter.Write(drv);
        if (!written.AsSpan().SequenceEqual(bytes))
        {
            problems.Add("ATerm written back differs: " + JsonDiff.ByteContext(bytes, written));
        }
        var derived = StoreDir.Default.Print(DerivationPaths.DrvPath(drv, bytes, StoreDir.Default));
        if (derived != drvPath)
        {
            problems.Add($"drv path: Vigil derives {derived}");
        }
        CheckDerivedOutputs(id, drv, drvPath, problems);
        if (_specById.TryGetValue(id, out var spec))
        {
            if (drv.Name != spec.Name)
            {
                problems.Add($"name: Vigil reads '{drv.Name}', the source says '{spec.Name}'");
            }
            CheckOutputKinds(spec, drv, problems);
            CheckFixed(spec, drv, problems);
            CheckFields(spec, drv, problems);
        }
        return problems;
    }

    private static void CheckOutputKinds(DrvSpec spec, Derivation drv, List<string> problems)
    {
        var names = drv.Outputs.Select(o => o.Name).ToList();
        var wanted = spec.Outputs.Order(StringComparer.Ordinal).ToList();
        if (!names.SequenceEqual(wanted))
        {
            problems.Add($"outputs: Vigil reads [{string.Join(",", names)}], the source has [{string.Join(",", wanted)}]");
            return;
        }
        foreach (var o in drv.Outputs)
        {
            var kindOk = spec.Kind switch
            {
                SpecKind.FixedOutput => o.Kind == OutputKind.Fixed,
                SpecKind.Floating => o.Kind == OutputKind.Floating,
                SpecKind.Impure => o.Kind == OutputKind.Impure,
                _ => o.Kind is OutputKind.InputAddressed or OutputKind.Deferred,
            };
            if (!kindOk)
            {
                problems.Add($"output {o.Name}: Vigil classifies it {o.Kind} for a {spec.Kind} derivation");
            }
        }
    }

    /// <summary>Output paths and env entries as Vigil derives them, against the file and against Nix's evaluator.</summary>
    private void CheckDerivedOutputs(string id, Derivation drv, string drvPath, List<string> problems)
    {
        IReadOnlyList<ExpectedOutput> expected;
        try
        {
            _hasher ??= new DerivationHasher(Load);
            expected = DerivationPaths.ExpectedOutputs(drv, _hasher, StoreDir.Default);
        }
        catch (Exception e) when (e is NixFormatException or IOException or StoreException)
        {
            problems.Add($"Vigil cannot compute the output paths: {e.Message}");
            return;
        }
        var nixOutputs = _paths.DrvInfo[id].Outputs;
        if (!nixOutputs.Keys.Order(StringComparer.Ordinal).SequenceEqual(drv.Outputs.Select(o => o.Name)))
        {
            problems.Add($"outputs: Vigil reads [{string.Join(",", drv.Outputs.Select(o => o.Name))}], Nix's evaluator has [{string.Join(",", nixOutputs.Keys)}]");
        }
        var drvStorePath = StoreDir.Default.Parse(drvPath);
        foreach (var want in expected)
        {
            var tuple = drv.FindOutput(want.Name)!;
            if (tuple.Path != want.Path)
            {
                problems.Add($"output {want.Name}: the .drv says path '{tuple.Path}', Vigil derives '{want.Path}'");
            }
            var env = drv.GetEnv(Encoding.UTF8.GetBytes(want.Name));
            if (env is null || Encoding.UTF8.GetString(env) != want.EnvValue)
            {
                problems.Add($"output {want.Name}: env value '{Show(env)}', Vigil derives '{want.EnvValue}'");
            }
            // What the evaluator hands to dependents: the path, or a placeholder when it is not known yet.
            var evaluated = want.Path.Length > 0 ? want.Path : Placeholders.ForUpstreamOutput(drvStorePath, want.Name);
            if (nixOutputs.TryGetValue(want.Name, out var nixSays) && nixSays != evaluated)
            {
                problems.Add($"output {want.Name}: Nix's evaluator says outPath '{nixSays}', Vigil derives '{evaluated}'");
            }
        }
    }

    private static void CheckFixed(DrvSpec spec, Derivation drv, List<string> problems)
    {
        if (spec.FixedHash is not { } fixedSpec || drv.Outputs.Count != 1 || drv.Outputs[0].FixedHash is not { } tupleHash)
        {
            return;
        }
        var tuple = drv.Outputs[0];
        if (tupleHash.Algorithm != fixedSpec.Algorithm || !tupleHash.Digest.SequenceEqual(fixedSpec.Digest))
        {
            problems.Add($"fixed hash: the .drv has {tuple.HashAlgo}:{tuple.Hash}, the source means {fixedSpec.Algorithm.Name()}:{Convert.ToHexStringLower(fixedSpec.Digest)}");
        }
        if ((tuple.Method == ContentAddressMethod.Recursive) != fixedSpec.Recursive)
        {
            problems.Add($"fixed hash: method {tuple.HashAlgo} but outputHashMode is '{fixedSpec.Mode ?? "(absent)"}'");
        }
        // The primop's own parse (newHashAllowEmpty) of what the source wrote.
        try
        {
            HashAlgorithmKind? known = string.IsNullOrEmpty(fixedSpec.AlgoAttr) ? null : HashAlgorithms.Parse(fixedSpec.AlgoAttr);
            var parsed = NixHash.ParseAllowEmpty(fixedSpec.Text, known);
            if (!parsed.Equals(tupleHash))
            {
                problems.Add($"NixHash.ParseAllowEmpty('{fixedSpec.Text}', '{fixedSpec.AlgoAttr}') = {parsed.ToBase16()}, Nix made {tuple.Hash}");
            }
        }
        catch (NixFormatException e)
        {
            problems.Add($"NixHash.ParseAllowEmpty rejects '{fixedSpec.Text}' (outputHashAlgo '{fixedSpec.AlgoAttr}'), which Nix accepted: {e.Message}");
        }
    }

    private void CheckFields(DrvSpec spec, Derivation drv, List<string> problems)
    {
        Expect("platform", Coerce(spec.Attr("system")!), drv.Platform, problems);
        Expect("builder", Coerce(spec.Attr("builder")!), drv.Builder, problems);
        if (drv.Args.Count != spec.Args.Count)
        {
            problems.Add($"args: Vigil reads {drv.Args.Count}, the source has {spec.Args.Count}");
        }
        else
        {
            for (var i = 0; i < spec.Args.Count; i++)
            {
                Expect($"args[{i}]", Coerce(spec.Args[i]), drv.Args[i], problems);
            }
        }
        var outputKeys = spec.Outputs.Select(Encoding.UTF8.GetBytes).ToList();
        var expectedKeys = new List<byte[]>(outputKeys);
        if (spec.Structured)
        {
            expectedKeys.Add("__json"u8.ToArray());
            var json = drv.GetEnv("__json"u8);
            if (json is not null)
            {
                CheckStructuredJson(spec, json, problems);
            }
        }
        else
        {
            foreach (var (key, value) in spec.Attrs)
            {
                if (DrvSpec.IsFlag(key) || (spec.IgnoreNulls && value is NullValue))
                {
                    continue;
                }
                expectedKeys.Add(key);
                var actual = drv.GetEnv(key);
                if (actual is null)
                {
                    problems.Add($"env '{ByteStrings.Display(key)}': missing in what Vigil reads");
                    continue;
                }
                Expect($"env '{ByteStrings.Display(key)}'", Coerce(value), actual, problems);
            }
        }
        expectedKeys.Sort(ByteStrings.Comparer);
        var actualKeys = drv.Env.Select(e => e.Key).ToList();
        if (!actualKeys.SequenceEqual(expectedKeys, ByteArrayEquality.Instance))
        {
            problems.Add($"env keys: Vigil reads [{string.Join(", ", actualKeys.Select(k => Quote(k)))}], the source makes [{string.Join(", ", expectedKeys.Select(k => Quote(k)))}]");
        }
    }

    private static void CheckStructuredJson(DrvSpec spec, byte[] json, List<string> problems)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("name", out var name) || name.GetString() != spec.Name)
            {
                problems.Add("__json: no \"name\" equal to the derivation name");
            }
        }
        catch (JsonException e)
        {
            problems.Add($"__json is not valid JSON as Vigil reads it: {e.Message}");
        }
    }

    private byte[] Coerce(NixValue value) => NixCoercion.Coerce(value, _paths);

    private static void Expect(string what, byte[] expected, byte[] actual, List<string> problems)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            problems.Add($"{what}: Vigil reads {Quote(actual)}, the source makes {Quote(expected)}");
        }
    }

    private Derivation Load(string path)
    {
        if (_parsed.TryGetValue(path, out var drv))
        {
            return drv;
        }
        var bytes = File.ReadAllBytes(_nix.RealPath(path));
        drv = ATermReader.Parse(bytes, ATermReader.NameFromPath(path));
        _parsed[path] = drv;
        return drv;
    }

    /// <summary>Vigil.Store's own checker (what <c>vigil drv check</c> runs) over the whole closure.</summary>
    private void CheckStoreChecker()
    {
        var reader = new DerivationReader(_nix.Location);
        var loaded = DerivationClosure.Load(reader, _idByPath.Keys, check: true);
        if (loaded.Count < _idByPath.Count)
        {
            _failures.Add($"DerivationClosure loaded {loaded.Count} derivations; the batch has {_idByPath.Count}");
        }
        foreach (var m in new DerivationChecker(loaded, reader, StoreDir.Default).CheckAll())
        {
            _failures.Add($"DerivationChecker: {m.DrvPath}: {m.What}: found '{m.Found}', expected '{m.Expected}'\n{SourceOf(m.DrvPath)}");
        }
    }

    private async Task CheckShowAsync(CancellationToken ct)
    {
        var roots = _idByPath.Keys.Order(StringComparer.Ordinal).ToList();
        var nixJson = _nix.ShowDerivation(roots, recursive: true);
        var vigil = await VigilCli.RunAsync(["drv", "show", "-r", "--store", _nix.StoreUri, .. roots]);
        CompareShow("drv show -r", nixJson, vigil);
        // Without -r: only the named derivations, in store path order whatever the argument order.
        var few = roots.Take(25).Reverse().ToList();
        CompareShow("drv show", _nix.ShowDerivation(few, recursive: false), await VigilCli.RunAsync(["drv", "show", "--store", _nix.StoreUri, .. few]));
        ct.ThrowIfCancellationRequested();
    }

    private void CompareShow(string command, byte[] nixJson, VigilRun vigil)
    {
        if (vigil.ExitCode != 0)
        {
            _failures.Add($"vigil {command} exited {vigil.ExitCode}: {vigil.Stderr}");
            return;
        }
        if (nixJson.AsSpan().SequenceEqual(vigil.Stdout))
        {
            return;
        }
        string detail;
        try
        {
            detail = JsonDiff.First(nixJson, vigil.Stdout) is { } diff
                ? $"at {string.Join(" / ", diff.Path)}:\n  nix:   {diff.Expected}\n  vigil: {diff.Actual}\n{(diff.Path.Count > 0 ? SourceOf(diff.Path[0]) : "")}"
                : "the JSON is equal but the bytes are not: " + JsonDiff.ByteContext(nixJson, vigil.Stdout);
        }
        catch (JsonException e)
        {
            detail = $"(JSON unreadable: {e.Message}) " + JsonDiff.ByteContext(nixJson, vigil.Stdout);
        }
        _failures.Add($"vigil {command} differs from nix show-derivation {detail}");
    }

    private async Task CheckCliCheckAsync()
    {
        var roots = _idByPath.Keys.ToList();
        var run = await VigilCli.RunAsync(["drv", "check", "-r", "--store", _nix.StoreUri, .. roots]);
        if (run.ExitCode != 0 || run.Stdout.Length != 0)
        {
            _failures.Add($"vigil drv check -r exited {run.ExitCode} on Nix's own derivations:\n{Truncate(run.StdoutText)}\n{run.Stderr}");
        }
    }

    private void Fail(string id, List<string> problems)
    {
        var drvPath = _paths.DrvPath(id);
        var kind = _specById.TryGetValue(id, out var spec) ? ", " + spec.Kind : "";
        _failures.Add($"{drvPath} ({id}{kind}):\n  - {string.Join("\n  - ", problems)}\n{SourceOf(drvPath)}");
    }

    /// <summary>The Nix source of a derivation, where its dependencies went, and what Nix wrote.</summary>
    private string SourceOf(string drvPath)
    {
        var aterm = _bytes.TryGetValue(drvPath, out var b) ? Encoding.UTF8.GetString(b) : "(not read)";
        if (!_idByPath.TryGetValue(drvPath, out var id))
        {
            return "";
        }
        if (!_specById.TryGetValue(id, out var spec))
        {
            return $"Nix source (attribute {id}):\n{Truncate(_source ?? "")}\nATerm Nix wrote:\n{Truncate(aterm)}";
        }
        var deps = spec.DirectDependencies().Select(d => $"#   {d} = {_paths.DrvPath(d)}");
        return $"Nix source:\n{spec.Source()}{string.Join("\n", deps)}\nATerm Nix wrote:\n{Truncate(aterm)}";
    }

    private static string Truncate(string text) => text.Length > 4000 ? text[..4000] + "…" : text;

    private static string Show(byte[]? value) => value is null ? "(missing)" : Encoding.UTF8.GetString(value);

    private static string Quote(byte[] bytes) => JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes));

    private sealed class ByteArrayEquality : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayEquality Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
