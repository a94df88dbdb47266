namespace Vigil.Farm.Scheduling;

/// <summary>The set of jobsets needing a step (sorted, interned: one object per distinct set, so sets compare by reference).</summary>
internal sealed class JobsetGroup(long[] jobsets)
{
    public static JobsetGroup Empty { get; } = new([]);

    public long[] Jobsets { get; } = jobsets;

    public string Key => string.Join(',', Jobsets);
}
