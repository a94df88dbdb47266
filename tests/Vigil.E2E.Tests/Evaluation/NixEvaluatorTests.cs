using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Store;
using Vigil.Store.Evaluation;
using static Vigil.E2E.Tests.Evaluation.GeneratedPackageSet;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Evaluation;

/// <summary>The Nix-backed evaluators against real nix-instantiate on the generated package set.</summary>
public sealed class NixEvaluatorTests(PackageSetEvaluations sets) : IClassFixture<PackageSetEvaluations>
{
    private const string NoNix = "nix-instantiate is not installed";

    /// <summary>Writes a Nix expression into the test environment and returns its path.</summary>
    private async Task<string> ExpressionFileAsync(string name, string text)
    {
        var file = Path.Combine(sets.Environment.Root.FullName, name);
        await File.WriteAllTextAsync(file, text);
        return file;
    }

    [Fact]
    public async Task Readonly_reports_every_attribute_and_writes_nothing()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var events = await sets.ReadOnlyAsync();
        AssertAttributes(events);
        Assert.Matches($@"^assertion .* failed \(at {Regex.Escape(sets.Environment.PackageFile)}:\d+:\d+\)$", events.OfType<AttrFailed>().Single(f => f.Attr == "asserted").Message);
        Assert.Empty(StoreEntries(sets.ReadOnlyStore));
        // One walk of the whole target (one process needs no listing of the roots), one re-run per
        // fatal error (named by the walker's trace), one message run per error tryEval caught: no
        // splitting was needed.
        var fatal = new[] { "aborted", "missingAttr", "nested.deeper.alsoAborts" };
        Assert.Equal(1 + fatal.Length + (Failures.Count - fatal.Length), sets.ReadOnlyNix.ProcessesStarted);
    }

    [Fact]
    public async Task Instantiate_gives_the_drv_paths_of_nix_instantiate_and_of_the_readonly_walk()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var instantiated = await sets.InstantiatedAsync();
        AssertAttributes(instantiated);
        var paths = DrvPaths(instantiated);
        Assert.Equal(DrvPaths(await sets.ReadOnlyAsync()), paths);

        var args = new List<string> { "--store", StoreUri(sets.InstantiateStore), sets.Environment.PackageFile };
        foreach (var attr in GoodAttrs)
        {
            args.AddRange(["-A", attr]);
        }
        Assert.Equal(GoodAttrs.Select(a => paths[a]), await RunNixAsync("nix-instantiate", [.. args]));
        var location = Location(sets.InstantiateStore);
        Assert.All(paths.Values, p => Assert.True(File.Exists(location.RealPath(p)), p));
    }

    [Fact]
    public async Task Readonly_derivations_match_the_drv_files_nix_writes()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var readOnly = await sets.ReadOnlyAsync();
        await sets.InstantiatedAsync();
        var reader = new DerivationReader(Location(sets.InstantiateStore));
        var seen = readOnly.OfType<DerivationSeen>().ToList();
        Assert.Equal(seen.Count, seen.Select(s => s.DrvPath).Distinct().Count());
        foreach (var s in seen)
        {
            var drv = reader.Read(s.DrvPath);
            Assert.Equal(drv.Name, s.Name);
            Assert.Equal(drv.FindOutput("out")!.Path, s.OutputPath);
            Assert.Equal(drv.InputDerivations.Select(i => i.Path).Order(StringComparer.Ordinal), s.InputDrvs!);
            Assert.Equal(drv.IsFixedOutput, s.FodAttrs is not null);
            if (s.FodAttrs is not { } fod)
            {
                continue;
            }
            if (drv.GetEnvString("__json") is { } json)
            {
                using var doc = JsonDocument.Parse(json);
                Assert.Equal(string.Join(' ', doc.RootElement.GetProperty("urls").EnumerateArray().Select(u => u.GetString())), fod["urls"]);
                Assert.Equal(doc.RootElement.GetProperty("outputHash").GetString(), fod["outputHash"]);
                Assert.Equal("1", fod["__structuredAttrs"]);
                Assert.Equal("""{"rev":"abc"}""", fod["src"]);
            }
            else
            {
                Assert.All(fod, kv => Assert.Equal(drv.GetEnvString(kv.Key), kv.Value));
            }
            if (s.MirrorsListDrv is { } mirrors)
            {
                Assert.Contains(mirrors, s.InputDrvs!);
                Assert.Equal(drv.GetEnvString("mirrorsFile"), reader.Read(mirrors).FindOutput("out")!.Path);
            }
        }
        var list = Assert.Single(readOnly.OfType<MirrorListSeen>());
        Assert.Equal(seen.Where(s => s.MirrorsListDrv is not null).Select(s => s.MirrorsListDrv).Distinct(), [list.DrvPath]);
        var listDrv = reader.Read(list.DrvPath);
        Assert.Equal(["gnu", "hashedMirrors", "sourceforge"], list.Sites.Keys.Order(StringComparer.Ordinal));
        Assert.All(list.Sites, kv => Assert.Equal(listDrv.GetEnvString(kv.Key), kv.Value));
        Assert.Equal("http://127.0.0.1:8080/gnu/ http://127.0.0.2/gnu/", list.Sites["gnu"]);
    }

    [Fact]
    public async Task Readonly_fods_plus_what_it_could_not_enter_account_for_every_fod()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var readOnly = await sets.ReadOnlyAsync();
        var instantiated = await sets.InstantiatedAsync();
        var reader = new DerivationReader(Location(sets.InstantiateStore));
        var all = Fods(DerivationClosure.Load(reader, instantiated.OfType<AttrEvaluated>().Select(e => e.DrvPath), check: false));
        var seen = readOnly.OfType<DerivationSeen>().ToList();
        var walked = seen.Where(s => s.FodAttrs is not null).Select(s => s.DrvPath).ToHashSet();
        var unresolved = readOnly.OfType<ContextDrvsUnresolved>().ToList();
        var behindStrings = Fods(DerivationClosure.Load(reader, unresolved.SelectMany(u => u.DrvPaths), check: false));
        Assert.Equal(all.Order(StringComparer.Ordinal), walked.Union(behindStrings).Order(StringComparer.Ordinal));

        // What the walk cannot enter: an FOD interpolated into args, and stdenv (named only in
        // strings) with its bootstrap FOD.
        Assert.Contains(unresolved.Single(u => u.Attr == "interp").DrvPaths, p => p.EndsWith("-patch-only-in-a-string.tar.gz.drv", StringComparison.Ordinal));
        Assert.All(unresolved.Where(u => u.Attr != "interp"), u => Assert.EndsWith("-stdenv.drv", Assert.Single(u.DrvPaths), StringComparison.Ordinal));
        Assert.Contains(all, p => p.EndsWith("-bootstrap-tools.tar.gz.drv", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, s => s.Name is "bootstrap-tools.tar.gz" or "stdenv");

        // Twins share name, hash and output path: keyed by drvPath both are there.
        var twins = seen.Where(s => s.Name == "twin.tar.gz").ToList();
        Assert.Equal(2, twins.Count);
        Assert.Single(twins.Select(t => t.OutputPath).Distinct());
        Assert.NotEqual(twins[0].FodAttrs!["urls"], twins[1].FodAttrs!["urls"]);
        Assert.DoesNotContain(seen, s => s.Name == "never-seen");
    }

    [Fact]
    public async Task Jobs_two_and_three_find_what_jobs_one_finds()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var one = await sets.ReadOnlyAsync();
        foreach (var jobs in new[] { 2, 3 })
        {
            var store = sets.Environment.NewStoreRoot();
            var many = await CollectAsync(new ReadOnlyEvaluator(NixFor(store), new EvaluatorOptions(Jobs: jobs)).EvaluateAsync(sets.Target));
            Assert.Equal(DrvPaths(one), DrvPaths(many));
            Assert.Equal(Failed(one), Failed(many));
            Assert.Equal(Seen(one), Seen(many));
            Assert.Equal(Unresolved(one), Unresolved(many));
            Assert.Equal(one.OfType<MirrorListSeen>().Select(m => m.DrvPath), many.OfType<MirrorListSeen>().Select(m => m.DrvPath));
            Assert.Empty(StoreEntries(store));
        }
    }

    [Fact]
    public async Task Combined_instantiates_only_attributes_whose_drv_is_missing()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var store = sets.Environment.NewStoreRoot();
        var nix = NixFor(store);
        var location = Location(store);
        var pre = await CollectAsync(new InstantiateEvaluator(nix).EvaluateAttributesAsync(sets.Target, ["builtin01", "nested.inner2"]));
        Assert.Equal(["builtin01", "nested.inner2"], pre.OfType<AttrEvaluated>().Select(e => e.Attr).Order(StringComparer.Ordinal));

        var combined = new CombinedEvaluator(nix);
        var first = await CollectAsync(combined.EvaluateAsync(sets.Target));
        Assert.Equal(new CombinedRunStats(GoodAttrs.Count, 2, GoodAttrs.Count - 2), combined.LastRun);
        AssertAttributes(first);
        Assert.All(first, e => Assert.True(e is AttrEvaluated or AttrFailed, e.ToString()));
        var readOnly = await sets.ReadOnlyAsync();
        Assert.Equal(DrvPaths(readOnly), DrvPaths(first));
        Assert.All(first.OfType<AttrEvaluated>(), e => Assert.True(File.Exists(location.RealPath(e.DrvPath)), e.DrvPath));
        Assert.All(Unresolved(readOnly), p => Assert.True(File.Exists(location.RealPath(p)), p));

        var before = Snapshot(store);
        var second = await CollectAsync(combined.EvaluateAsync(sets.Target));
        Assert.Equal(new CombinedRunStats(GoodAttrs.Count, GoodAttrs.Count, 0), combined.LastRun);
        Assert.Equal(DrvPaths(first), DrvPaths(second));
        Assert.Equal(before, Snapshot(store));
    }

    [Fact]
    public async Task Combined_writing_only_what_is_needed_instantiates_only_what_the_walk_cannot_enter()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var store = sets.Environment.NewStoreRoot();
        var location = Location(store);
        var combined = new CombinedEvaluator(NixFor(store), writes: DrvWrites.Needed);
        var readOnly = await sets.ReadOnlyAsync();
        var events = new List<EvalEvent>();
        bool[]? writtenAtWalkEnd = null;
        await foreach (var e in combined.EvaluateAsync(sets.Target))
        {
            events.Add(e);
            if (e is WalkEnded)
            {
                writtenAtWalkEnd = [.. Unresolved(readOnly).Select(p => File.Exists(location.RealPath(p)))];
            }
        }
        AssertAttributes(events);
        Assert.Equal(DrvPaths(readOnly), DrvPaths(events));
        Assert.Equal(Seen(readOnly), Seen(events));
        Assert.Equal(Failed(readOnly).Select(f => f.Attr), Failed(events).Select(f => f.Attr));

        // What the walk could not enter is now in the store, and it is reported last, for the file walk.
        var unresolved = Unresolved(events);
        Assert.Equal(Unresolved(readOnly), unresolved);
        Assert.NotEmpty(unresolved);
        Assert.All(unresolved, p => Assert.True(File.Exists(location.RealPath(p)), p));
        Assert.IsType<ContextDrvsUnresolved>(events[^1]);
        // WalkEnded comes once, after every description and before Nix writes anything.
        var ended = Assert.Single(Enumerable.Range(0, events.Count), i => events[i] is WalkEnded);
        Assert.DoesNotContain(events.Skip(ended), e => e is DerivationSeen or MirrorListSeen or AttrEvaluated);
        Assert.DoesNotContain(events.Take(ended), e => e is ContextDrvsUnresolved);
        Assert.Equal(new bool[unresolved.Count], writtenAtWalkEnd);
        // Through few attributes, not all: most root drvs were never written.
        Assert.InRange(combined.LastRun!.Instantiated, 1, unresolved.Count);
        Assert.Equal(0, combined.LastRun.AlreadyInStore);
        Assert.Contains(events.OfType<AttrEvaluated>(), e => !File.Exists(location.RealPath(e.DrvPath)));

        // Once they are there, nothing more is written.
        var before = Snapshot(store);
        await CollectAsync(combined.EvaluateAsync(sets.Target));
        Assert.Equal(0, combined.LastRun!.Instantiated);
        Assert.Equal(before, Snapshot(store));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_target_that_holds_no_derivation_is_reported_as_such(int jobs)
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var store = sets.Environment.NewStoreRoot();
        var target = new EvalTarget(sets.Environment.PackageFile, "notAPackage");
        IEvaluator[] evaluators = [new ReadOnlyEvaluator(NixFor(store), new EvaluatorOptions(jobs)), new InstantiateEvaluator(NixFor(store), new EvaluatorOptions(jobs))];
        foreach (var evaluator in evaluators)
        {
            var events = await CollectAsync(evaluator.EvaluateAsync(target));
            var failed = Assert.IsType<AttrFailed>(Assert.Single(events));
            Assert.Equal(("notAPackage", "the target is neither a derivation nor a set or list of them"), (failed.Attr, failed.Message));
        }
    }

    [Fact]
    public async Task A_target_attribute_and_arguments_are_honoured()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var store = sets.Environment.NewStoreRoot();
        var target = new EvalTarget(sets.Environment.PackageFile, "nested", new Dictionary<string, string> { ["seed"] = "s2" });
        var events = await CollectAsync(new ReadOnlyEvaluator(NixFor(store)).EvaluateAsync(target));
        string[] good = ["nested.deeper.leaf", "nested.inner1", "nested.inner2"];
        var paths = DrvPaths(events);
        Assert.Equal(good, paths.Keys);
        Assert.Equal(["nested.deeper.alsoAborts", "nested.deeper.bad"], Failed(events).Select(f => f.Attr));
        var oracle = await RunNixAsync("nix-instantiate", ["--readonly-mode", "--store", StoreUri(store), sets.Environment.PackageFile,
            "--argstr", "seed", "s2", .. good.SelectMany(a => new[] { "-A", a })]);
        Assert.Equal(oracle, good.Select(a => paths[a]));
        Assert.DoesNotContain(paths.Values, (await sets.ReadOnlyAsync()).OfType<AttrEvaluated>().Select(e => e.DrvPath).Contains);

        var single = await CollectAsync(new ReadOnlyEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(sets.Environment.PackageFile, "twinA")));
        Assert.Equal("twinA", Assert.Single(single.OfType<AttrEvaluated>()).Attr);
        Assert.Empty(StoreEntries(store));
    }

    [Fact]
    public async Task The_walk_enters_derivations_in_nested_lists_and_behind_an_outPath_as_the_drv_files_list_them()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        // The walker sorts attribute values by type; what a list holds in a list, and a set that is
        // no derivation but has one as its outPath, are inputs too.
        var file = await ExpressionFileAsync("shapes.nix", """
            let
              fetch = n: derivation { name = n; builder = "builtin:fetchurl"; system = "builtin"; url = "http://127.0.0.1/${n}";
                                      outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = builtins.hashString "sha256" n; };
              pkg = name: extra: derivation ({ inherit name; system = "x86_64-linux"; builder = "/bin/sh"; } // extra);
            in {
              nestedLists = pkg "nested-lists" { buildInputs = [ "plain" [ 1 [ (fetch "in-a-nested-list") ] ] (fetch "in-the-list") ]; };
              wrapped = pkg "wrapped" { src = { outPath = fetch "behind-an-outpath"; }; flag = true; count = 3; nothing = null; };
              named = pkg "named" { script = "cp ${fetch "only-in-a-string"} $out"; };
            }
            """);
        var store = sets.Environment.NewStoreRoot();
        var events = await CollectAsync(new ReadOnlyEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(file)));
        Assert.Empty(events.OfType<AttrFailed>());
        var instantiated = await CollectAsync(new InstantiateEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(file)));
        Assert.Equal(DrvPaths(instantiated), DrvPaths(events));
        var reader = new DerivationReader(Location(store));
        var seen = events.OfType<DerivationSeen>().ToList();
        Assert.Equal(["behind-an-outpath", "in-a-nested-list", "in-the-list", "named", "nested-lists", "wrapped"], seen.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.All(seen, d => Assert.Equal(reader.Read(d.DrvPath).InputDerivations.Select(i => i.Path).Order(StringComparer.Ordinal), d.InputDrvs!));
        var named = Assert.Single(events.OfType<ContextDrvsUnresolved>());
        Assert.Equal("named", named.Attr);
        Assert.EndsWith("-only-in-a-string.drv", Assert.Single(named.DrvPaths), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fatal_error_after_the_roots_is_isolated_by_splitting_the_group()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        // The fake dependency passes instantiation (only its outPath is used) but kills the walk,
        // after every root was announced, so the failing attribute must be found by splitting.
        var file = await ExpressionFileAsync("fake.nix", """
            let
              mk = name: deps: derivation { inherit name deps; system = "x86_64-linux"; builder = "/bin/sh"; };
              fake = { type = "derivation"; name = "fake"; outPath = "/nix/store/00000000000000000000000000000000-fake";
                       drvPath = "/nix/store/00000000000000000000000000000000-fake.drv"; drvAttrs = { boom = abort "fake drvAttrs"; }; };
            in { a = mk "a" [ ]; b = mk "b" [ ]; c = mk "c" [ ]; fakeDep = mk "fake-dep" [ fake ]; d = mk "d" [ ]; e = mk "e" [ ]; }
            """);
        var events = await CollectAsync(new ReadOnlyEvaluator(NixFor(sets.Environment.NewStoreRoot())).EvaluateAsync(new EvalTarget(file)));
        Assert.Equal(["a", "b", "c", "d", "e"], DrvPaths(events).Keys);
        var failed = Assert.Single(events.OfType<AttrFailed>());
        Assert.Equal("fakeDep", failed.Attr);
        Assert.Contains("fake drvAttrs", failed.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c", "d", "e"], events.OfType<DerivationSeen>().Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cancelling_kills_the_nix_process()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var file = await ExpressionFileAsync("slow.nix", """
            { slow = derivation {
                name = "slow"; system = "x86_64-linux"; builder = "/bin/sh";
                n = builtins.length (builtins.genericClosure {
                  startSet = [ { key = 0; } ];
                  operator = x: if x.key < 100000000 then [ { key = x.key + 1; } ] else [ ];
                });
              };
            }
            """);
        var store = sets.Environment.NewStoreRoot();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CollectAsync(new ReadOnlyEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(file), cts.Token)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        Assert.Empty(ProcessesMentioning(store));

        // A consumer that stops early stops the evaluation too.
        await foreach (var first in new InstantiateEvaluator(NixFor(store), new EvaluatorOptions(Jobs: 2)).EvaluateAsync(sets.Target))
        {
            Assert.True(first is AttrEvaluated or AttrFailed, first.ToString());
            break;
        }
        Assert.Empty(ProcessesMentioning(store));
    }

    [Fact]
    public async Task A_target_that_does_not_evaluate_is_one_clear_error()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var store = sets.Environment.NewStoreRoot();
        var missing = Path.Combine(sets.Environment.Root.FullName, "no-such-file.nix");
        var e = await Assert.ThrowsAsync<NixProcessException>(() => CollectAsync(new ReadOnlyEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(missing))));
        Assert.Contains("no-such-file.nix", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.ExitCode);

        var syntax = await ExpressionFileAsync("syntax.nix", "{ a = ; }");
        e = await Assert.ThrowsAsync<NixProcessException>(() => CollectAsync(new InstantiateEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(syntax))));
        Assert.Contains("syntax error", e.NixMessage, StringComparison.Ordinal);
        Assert.Contains("syntax.nix", e.NixMessage, StringComparison.Ordinal);

        var noNix = new NixProcess(new NixProcessOptions(BinDirectory: "/nonexistent"));
        e = await Assert.ThrowsAsync<NixProcessException>(() => CollectAsync(new ReadOnlyEvaluator(noNix).EvaluateAsync(sets.Target)));
        Assert.Contains("cannot start nix-instantiate", e.Message, StringComparison.Ordinal);
    }

    private static void AssertAttributes(List<EvalEvent> events)
    {
        Assert.Equal(GoodAttrs.Order(StringComparer.Ordinal), events.OfType<AttrEvaluated>().Select(e => e.Attr).Order(StringComparer.Ordinal));
        var failed = events.OfType<AttrFailed>().ToList();
        Assert.Equal(Failures.Keys.Order(StringComparer.Ordinal), failed.Select(f => f.Attr).Order(StringComparer.Ordinal));
        Assert.All(failed, f => Assert.Contains(Failures[f.Attr], f.Message, StringComparison.Ordinal));
    }

    private static SortedDictionary<string, string> DrvPaths(IEnumerable<EvalEvent> events) =>
        new(events.OfType<AttrEvaluated>().ToDictionary(e => e.Attr, e => e.DrvPath), StringComparer.Ordinal);

    private static List<AttrFailed> Failed(IEnumerable<EvalEvent> events) =>
        [.. events.OfType<AttrFailed>().OrderBy(f => f.Attr, StringComparer.Ordinal)];

    /// <summary>Derivations without the attribute that reached them first, which depends on grouping.</summary>
    private static List<string> Seen(IEnumerable<EvalEvent> events) =>
        [.. events.OfType<DerivationSeen>()
            .Select(s => $"{s.DrvPath} {s.OutputPath} {s.Name} {s.MirrorsListDrv} [{string.Join(',', s.InputDrvs!)}] "
                + string.Join(',', (s.FodAttrs ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")))
            .Order(StringComparer.Ordinal)];

    private static List<string> Unresolved(IEnumerable<EvalEvent> events) =>
        [.. events.OfType<ContextDrvsUnresolved>().SelectMany(u => u.DrvPaths).Distinct().Order(StringComparer.Ordinal)];

    private static HashSet<string> Fods(IReadOnlyDictionary<string, LoadedDerivation> closure) =>
        [.. closure.Where(kv => kv.Value.Derivation.IsFixedOutput).Select(kv => kv.Key)];

    private static List<string> Snapshot(string storeRoot)
    {
        var dir = Path.Combine(storeRoot, "nix/store");
        return [.. StoreEntries(storeRoot).Select(n => $"{n} {File.GetLastWriteTimeUtc(Path.Combine(dir, n)).Ticks}")];
    }

    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process went away while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }
        return found;
    }
}
