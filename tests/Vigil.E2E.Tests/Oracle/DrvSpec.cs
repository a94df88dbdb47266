using System.Text;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>What kind of derivation a spec asks Nix for.</summary>
internal enum SpecKind
{
    InputAddressed,
    FixedOutput,
    Floating,
    Impure,
}

/// <summary>
/// One generated <c>derivation { … }</c> call: every attribute in source order (including
/// <c>name</c>, <c>system</c>, <c>builder</c>, <c>outputs</c> and the <c>outputHash*</c> ones), so
/// the expected environment follows from the attributes alone.
/// </summary>
internal sealed class DrvSpec
{
    public DrvSpec(string id, string name, SpecKind kind, IReadOnlyList<string> outputs, bool structured, IReadOnlyList<KeyValuePair<byte[], NixValue>> attrs, IReadOnlyList<NixValue> args)
    {
        Id = id;
        Name = name;
        Kind = kind;
        Outputs = outputs;
        Structured = structured;
        Attrs = attrs;
        Args = args;
    }

    /// <summary>The let-binding name, <c>dN</c>.</summary>
    public string Id { get; }

    public string Name { get; }

    public SpecKind Kind { get; }

    /// <summary>Output names in the order the source lists them (the first is <c>outPath</c>).</summary>
    public IReadOnlyList<string> Outputs { get; }

    public bool Structured { get; }

    /// <summary>For a fixed-output spec, the digest and how the source spells it.</summary>
    public FixedHashSpec? FixedHash { get; init; }

    /// <summary>All attributes except <c>args</c>, including the flags (<c>__structuredAttrs</c>, …).</summary>
    public IReadOnlyList<KeyValuePair<byte[], NixValue>> Attrs { get; }

    public IReadOnlyList<NixValue> Args { get; }

    /// <summary>Attributes the primop consumes without putting them in the environment.</summary>
    public static bool IsFlag(ReadOnlySpan<byte> key) =>
        key.SequenceEqual("__ignoreNulls"u8) || key.SequenceEqual("__contentAddressed"u8) ||
        key.SequenceEqual("__impure"u8) || key.SequenceEqual("__structuredAttrs"u8);

    public bool IgnoreNulls => Attrs.Any(a => a.Key.AsSpan().SequenceEqual("__ignoreNulls"u8) && a.Value is BoolValue { Value: true });

    public NixValue? Attr(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        foreach (var a in Attrs)
        {
            if (a.Key.AsSpan().SequenceEqual(bytes))
            {
                return a.Value;
            }
        }
        return null;
    }

    /// <summary>The binding as it appears in the batch file.</summary>
    public string Source()
    {
        var sb = new StringBuilder();
        sb.Append("  ").Append(Id).Append(" = derivation {\n");
        foreach (var (key, value) in Attrs)
        {
            sb.Append("    ").Append(NixSyntax.AttrName(key)).Append(" = ").Append(NixSyntax.Value(value)).Append(";\n");
        }
        if (Args.Count > 0)
        {
            sb.Append("    args = ").Append(NixSyntax.Value(new ListValue(Args))).Append(";\n");
        }
        sb.Append("  };\n");
        return sb.ToString();
    }

    /// <summary>The drv ids this spec names directly (in any attribute, argument or nested value).</summary>
    public IEnumerable<string> DirectDependencies()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        void Visit(NixValue v)
        {
            switch (v)
            {
                case InterpValue i:
                    foreach (var p in i.Parts.OfType<RefPart>())
                    {
                        Add(p.Ref);
                    }
                    break;
                case ListValue l:
                    l.Items.ToList().ForEach(Visit);
                    break;
                case AttrsValue a:
                    a.Attrs.Select(kv => kv.Value).ToList().ForEach(Visit);
                    break;
                case RefValue r:
                    Add(r.Ref);
                    break;
            }
        }
        void Add(StoreRef r)
        {
            switch (r)
            {
                case DrvOutputRef d:
                    found.Add(d.DrvId);
                    break;
                case DrvPathRef p:
                    found.Add(p.DrvId);
                    break;
            }
        }
        foreach (var a in Attrs)
        {
            Visit(a.Value);
        }
        foreach (var a in Args)
        {
            Visit(a);
        }
        return found;
    }
}
