using System.Text;
using CsCheck;
using Vigil.Nix.Hashing;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>What a generated batch contains.</summary>
/// <param name="Count">Random derivations besides the chain and the twins.</param>
/// <param name="Experimental">Mix in floating content-addressed and impure derivations (and so deferred ones).</param>
/// <param name="ChainDepth">Length of one dependency chain, 0 for none.</param>
internal sealed record BatchSettings(int Count, bool Experimental, int ChainDepth);

/// <summary>
/// Generates a whole batch from one CsCheck <see cref="PCG"/>: source files, <c>toFile</c>s, a deep
/// chain, random derivations that refer to earlier ones (so diamonds arise by themselves), and
/// twin fixed-output derivations (same name and hash, different recipe, hence one output path)
/// used together by one dependent. Deterministic for a given seed.
/// </summary>
internal sealed class DrvBatchGen(BatchSettings settings) : Gen<DrvBatch>
{
    private static readonly HashSet<string> ReservedKeys =
    [
        "name", "system", "builder", "args", "outputs", "outputHash", "outputHashAlgo", "outputHashMode", "__structuredAttrs",
        "__ignoreNulls", "__contentAddressed", "__impure", "__json", "drvPath", "outPath", "type", "all", "drvAttrs", "outputName",
    ];

    /// <summary>The batch for a fixed seed: the same seed always gives the same batch.</summary>
    public DrvBatch ForSeed(ulong seed) =>
        new Builder(new PCG(1, seed), settings, $"DrvBatchGen({settings}).ForSeed({seed})").Build();

    public override DrvBatch Generate(PCG pcg, Size? min, out Size size)
    {
        size = new Size(0);
        return new Builder(pcg, settings, $"DrvBatchGen({settings}) from PCG {pcg}").Build();
    }

    /// <summary>The imperative part: the graph needs to know what was generated before.</summary>
    private sealed class Builder(PCG pcg, BatchSettings settings, string label)
    {
        private readonly List<SourceFileSpec> _sources = [];
        private readonly List<TextFileSpec> _texts = [];
        private readonly List<DrvSpec> _drvs = [];

        private T Draw<T>(Gen<T> gen) => gen.Generate(pcg, null, out _);

        private int Int(int lo, int hi) => Draw(Gen.Int[lo, hi]);

        private bool Chance(int percent) => Int(0, 99) < percent;

        public DrvBatch Build()
        {
            var sourceCount = Int(1, 4);
            for (var i = 0; i < sourceCount; i++)
            {
                var name = Draw(DrvGens.PathLiteralName);
                if (_sources.All(s => s.FileName != name))
                {
                    _sources.Add(new SourceFileSpec(name, Draw(DrvGens.Text)));
                }
            }
            var textCount = Int(1, 6);
            for (var i = 0; i < textCount; i++)
            {
                var parts = new List<StringPart> { new TextPart(Draw(DrvGens.Text)) };
                if (_texts.Count > 0 && Chance(40))
                {
                    parts.Add(new RefPart(new TextFileRef(_texts[Int(0, _texts.Count - 1)].Id)));
                    parts.Add(new TextPart(Draw(DrvGens.Text)));
                }
                if (Chance(30))
                {
                    parts.Add(new RefPart(new PathLiteralRef(_sources[Int(0, _sources.Count - 1)].FileName)));
                }
                _texts.Add(new TextFileSpec("f" + _texts.Count, Draw(DrvGens.Name(211)), new InterpValue(parts)));
            }
            // The chain: each link uses some output of the one before it.
            for (var i = 0; i < settings.ChainDepth; i++)
            {
                var previous = i == 0 ? null : _drvs[^1];
                AddDrv(SpecKind.InputAddressed, previous is null ? [] : [previous]);
            }
            for (var i = 0; i < settings.Count; i++)
            {
                var kind = PickKind();
                var deps = new List<DrvSpec>();
                var depCount = _drvs.Count == 0 ? 0 : Draw(Gen.Frequency((3, Gen.Const(0)), (4, Gen.Int[1, 2]), (2, Gen.Int[3, 5])));
                for (var k = 0; k < depCount; k++)
                {
                    // Favour recent derivations so that dependency paths get long and overlap.
                    var index = Chance(60) ? Int(Math.Max(0, _drvs.Count - 12), _drvs.Count - 1) : Int(0, _drvs.Count - 1);
                    deps.Add(_drvs[index]);
                }
                var spec = AddDrv(kind, deps);
                if (kind == SpecKind.FixedOutput && Chance(25))
                {
                    AddTwins(spec);
                }
            }
            return new DrvBatch(label, settings.Experimental, _sources, _texts, _drvs);
        }

        private SpecKind PickKind()
        {
            var roll = Int(0, 99);
            if (settings.Experimental)
            {
                return roll switch
                {
                    < 45 => SpecKind.InputAddressed,
                    < 65 => SpecKind.FixedOutput,
                    < 90 => SpecKind.Floating,
                    _ => SpecKind.Impure,
                };
            }
            return roll < 65 ? SpecKind.InputAddressed : SpecKind.FixedOutput;
        }

        /// <summary>
        /// A fixed-output derivation with the same name and digest as <paramref name="original"/>
        /// but another recipe (and maybe another spelling of the hash), then a derivation that uses
        /// both: the two inputs have one modulo hash and must merge into one entry.
        /// </summary>
        private void AddTwins(DrvSpec original)
        {
            var fixedSpec = Fixed(original);
            var respelled = Draw(DrvGens.FixedHash);
            // Same algorithm, digest and method; only the text differs.
            var twinHash = fixedSpec with { };
            if (respelled.Algorithm == fixedSpec.Algorithm && fixedSpec.Spelling != HashSpelling.Empty && respelled.Spelling != HashSpelling.Empty)
            {
                twinHash = Respell(fixedSpec, respelled.Spelling);
            }
            var twin = AddDrv(SpecKind.FixedOutput, [], original.Name, twinHash);
            AddDrv(SpecKind.InputAddressed, [original, twin]);
        }

        private static FixedHashSpec Fixed(DrvSpec spec) => spec.FixedHash ?? throw new InvalidOperationException("not a fixed-output spec");

        private FixedHashSpec Respell(FixedHashSpec spec, HashSpelling spelling)
        {
            var algoName = spec.Algorithm.Name();
            var b64 = Convert.ToBase64String(spec.Digest);
            (string Text, string? Algo) respelled = spelling switch
            {
                HashSpelling.Base16Lower => (Convert.ToHexStringLower(spec.Digest), algoName),
                HashSpelling.Base16Upper => (Convert.ToHexString(spec.Digest), algoName),
                HashSpelling.Nix32 => (Nix32.Encode(spec.Digest), algoName),
                HashSpelling.Base64 => (b64, algoName),
                HashSpelling.Sri => (algoName + "-" + b64, Chance(50) ? "" : null),
                HashSpelling.SriUnpadded => (algoName + "-" + b64.TrimEnd('='), null),
                HashSpelling.PrefixedBase16 => (algoName + ":" + Convert.ToHexStringLower(spec.Digest), null),
                HashSpelling.PrefixedNix32 => (algoName + ":" + Nix32.Encode(spec.Digest), algoName),
                _ => (algoName + ":" + b64, null),
            };
            // "flat" and an absent mode mean the same; swap them to vary the recipe further.
            var mode = spec.Mode switch { null => "flat", "flat" => null, var m => m };
            return spec with { Spelling = spelling, Text = respelled.Text, AlgoAttr = respelled.Algo, Mode = mode };
        }

        private DrvSpec AddDrv(SpecKind kind, IReadOnlyList<DrvSpec> deps, string? forcedName = null, FixedHashSpec? forcedHash = null)
        {
            var id = "d" + _drvs.Count;
            var structured = Chance(15);
            var attrs = new List<KeyValuePair<byte[], NixValue>>();
            void Set(string key, NixValue value) => attrs.Add(new(Encoding.UTF8.GetBytes(key), value));

            // Outputs first: the name must leave room for "-OUTPUT" within 211 characters.
            List<string> outputs;
            var outputsAttr = false;
            if (kind == SpecKind.FixedOutput)
            {
                outputs = ["out"];
                outputsAttr = Chance(20);
            }
            else if (Chance(55))
            {
                outputs = ["out"];
            }
            else
            {
                outputs = [];
                var n = Int(1, 4);
                for (var i = 0; i < n; i++)
                {
                    var o = Draw(DrvGens.OutputName);
                    if (!outputs.Contains(o))
                    {
                        outputs.Add(o);
                    }
                }
                outputsAttr = true;
            }
            var longest = outputs.Where(o => o != "out").Select(o => o.Length + 1).DefaultIfEmpty(0).Max();
            var name = forcedName ?? Draw(DrvGens.Name(Math.Min(207, 211 - longest)));
            Set("name", new StrValue(Encoding.UTF8.GetBytes(name)));
            Set("system", new StrValue(Draw(DrvGens.System)));
            Set("builder", Chance(85) ? new StrValue(Chance(50) ? "/bin/sh"u8.ToArray() : Draw(DrvGens.NonEmptyText)) : StringWithRefs(deps, forceRef: true));
            if (outputsAttr)
            {
                Set("outputs", new ListValue(outputs.Select(o => (NixValue)new StrValue(Encoding.UTF8.GetBytes(o))).ToList()));
            }
            if (structured)
            {
                Set("__structuredAttrs", new BoolValue(true));
            }
            else if (Chance(15))
            {
                Set("__ignoreNulls", new BoolValue(true));
            }

            FixedHashSpec? fixedHash = null;
            switch (kind)
            {
                case SpecKind.FixedOutput:
                    fixedHash = forcedHash ?? Draw(DrvGens.FixedHash);
                    Set("outputHash", new StrValue(Encoding.ASCII.GetBytes(fixedHash.Text)));
                    if (fixedHash.AlgoAttr is { } algo)
                    {
                        Set("outputHashAlgo", new StrValue(Encoding.ASCII.GetBytes(algo)));
                    }
                    if (fixedHash.Mode is { } mode)
                    {
                        Set("outputHashMode", new StrValue(Encoding.ASCII.GetBytes(mode)));
                    }
                    break;
                case SpecKind.Floating:
                case SpecKind.Impure:
                    Set(kind == SpecKind.Floating ? "__contentAddressed" : "__impure", new BoolValue(true));
                    if (Chance(60))
                    {
                        Set("outputHashMode", new StrValue(Chance(70) ? "recursive"u8.ToArray() : "flat"u8.ToArray()));
                    }
                    if (Chance(60))
                    {
                        Set("outputHashAlgo", new StrValue(Encoding.ASCII.GetBytes(Draw(Gen.OneOf("sha256", "sha1", "sha512", "md5", "")))));
                    }
                    break;
            }

            // Every dependency is used somewhere: an env value, an argument, a nested value.
            var pending = new Queue<DrvSpec>(deps);
            var envCount = Int(0, 6) + pending.Count;
            var keys = new HashSet<string>(attrs.Select(a => Convert.ToHexString(a.Key)), StringComparer.Ordinal);
            for (var i = 0; i < envCount; i++)
            {
                var key = Draw(DrvGens.EnvKey);
                var text = Encoding.UTF8.GetString(key);
                if (ReservedKeys.Contains(text) || outputs.Contains(text) || !keys.Add(Convert.ToHexString(key)))
                {
                    continue;
                }
                var dep = pending.Count > 0 ? pending.Dequeue() : null;
                attrs.Add(new(key, EnvValue(dep, structured, depth: 0)));
            }
            var args = new List<NixValue>();
            var argCount = Int(0, 4);
            for (var i = 0; i < argCount || pending.Count > 0; i++)
            {
                var dep = pending.Count > 0 ? pending.Dequeue() : null;
                args.Add(dep is null ? (Chance(90) ? new StrValue(Draw(DrvGens.Text)) : new IntValue(Draw(DrvGens.Int))) : StringWithRefs([dep], forceRef: true));
            }
            // Attribute order in the source does not matter to Nix; shuffle it to make sure.
            var shuffled = Draw(Gen.Shuffle(attrs.ToArray()));
            var spec = new DrvSpec(id, name, kind, outputs, structured, shuffled, args) { FixedHash = fixedHash };
            _drvs.Add(spec);
            return spec;
        }

        private NixValue EnvValue(DrvSpec? dep, bool structured, int depth)
        {
            if (dep is not null)
            {
                return Int(0, 9) switch
                {
                    < 6 => StringWithRefs([dep], forceRef: true),
                    < 8 => new RefValue(OutputRef(dep)),
                    _ => new ListValue([new StrValue(Draw(DrvGens.Text)), StringWithRefs([dep], forceRef: true)]),
                };
            }
            var roll = Int(0, 99);
            return roll switch
            {
                < 45 => new StrValue(Draw(DrvGens.Text)),
                < 52 => new IntValue(Draw(DrvGens.Int)),
                < 57 => new BoolValue(Chance(50)),
                < 61 => new NullValue(),
                < 65 => new FloatValue(Draw(DrvGens.Float)),
                < 78 when depth < 3 => new ListValue(Enumerable.Range(0, Int(0, 4)).Select(_ => EnvValue(null, structured, depth + 1)).ToList()),
                < 86 when structured && depth < 3 => Attrs(structured, depth),
                < 92 => StringWithRefs([], forceRef: true),
                < 96 => new RefValue(FileRef()),
                _ => new StrValue(Draw(DrvGens.Text)),
            };
        }

        private AttrsValue Attrs(bool structured, int depth)
        {
            var list = new List<KeyValuePair<byte[], NixValue>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var n = Int(0, 4);
            for (var i = 0; i < n; i++)
            {
                var key = Draw(DrvGens.EnvKey);
                var text = Encoding.UTF8.GetString(key);
                // outPath would make the set a path (and type/drvPath a derivation) to Nix's JSON printer.
                if (text is "outPath" or "type" or "drvPath" || !seen.Add(Convert.ToHexString(key)))
                {
                    continue;
                }
                list.Add(new(key, EnvValue(null, structured, depth + 1)));
            }
            return new AttrsValue(list);
        }

        /// <summary>Text around references: to the given derivations, and maybe to files.</summary>
        private InterpValue StringWithRefs(IReadOnlyList<DrvSpec> deps, bool forceRef)
        {
            var parts = new List<StringPart> { new TextPart(Draw(DrvGens.Text)) };
            foreach (var dep in deps)
            {
                parts.Add(new RefPart(Chance(4) ? new DrvPathRef(dep.Id) : OutputRef(dep)));
                parts.Add(new TextPart(Draw(DrvGens.Text)));
            }
            if (deps.Count == 0 && forceRef || Chance(10))
            {
                parts.Add(new RefPart(FileRef()));
                parts.Add(new TextPart(Draw(DrvGens.Text)));
            }
            return new InterpValue(parts);
        }

        private DrvOutputRef OutputRef(DrvSpec dep) =>
            Chance(40) ? new DrvOutputRef(dep.Id, null) : new DrvOutputRef(dep.Id, dep.Outputs[Int(0, dep.Outputs.Count - 1)]);

        private StoreRef FileRef() =>
            Chance(50) ? new TextFileRef(_texts[Int(0, _texts.Count - 1)].Id) : new PathLiteralRef(_sources[Int(0, _sources.Count - 1)].FileName);
    }
}
