using System.Text;

namespace Vigil.Vuln.Versions;

/// <summary>
/// An interval of versions in <see cref="VersionComparer"/> order; a null bound is open. An exact
/// version is the interval [v, v]. <see cref="Describe"/> is the evidence text a match carries.
/// </summary>
public sealed record VersionRange(string? Start, bool StartInclusive, string? End, bool EndInclusive)
{
    /// <summary>Every version.</summary>
    public static VersionRange All { get; } = new(null, true, null, true);

    public static VersionRange Exact(string version) => new(version, true, version, true);

    public bool IsExact => Start is not null && End is not null && StartInclusive && EndInclusive && VersionComparer.Equal(Start, End);

    public bool IsAll => Start is null && End is null;

    public bool Contains(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (Start is not null)
        {
            var c = VersionComparer.Compare(version, Start);
            if (c < 0 || (c == 0 && !StartInclusive))
            {
                return false;
            }
        }
        if (End is not null)
        {
            var c = VersionComparer.Compare(version, End);
            if (c > 0 || (c == 0 && !EndInclusive))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>=1.2</c>, <c>&gt;=1.0 &lt;1.4</c>, <c>&lt;=2.0</c>, <c>*</c>.</summary>
    public string Describe()
    {
        if (IsAll)
        {
            return "*";
        }
        if (IsExact)
        {
            return "=" + Start;
        }
        var sb = new StringBuilder();
        if (Start is not null)
        {
            sb.Append(StartInclusive ? ">=" : ">").Append(Start);
        }
        if (End is not null)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(EndInclusive ? "<=" : "<").Append(End);
        }
        return sb.ToString();
    }
}
