namespace Vigil.Farm.Scheduling;

/// <summary>
/// A jobset's fair-share account: build time charged on every completion (split among the jobsets
/// a step served), forgotten with a half-life, plus the time its running steps have used so far;
/// divided by its shares. The running weight breaks ties when nothing has been charged yet, so a
/// burst of free slots is split by shares too.
/// </summary>
internal sealed class JobsetAccount(long id, int shares, DateTimeOffset now)
{
    private double chargedSeconds;
    private DateTimeOffset chargedAt = now;
    private double runningWeight;
    private double runningStartSeconds;

    public long Id { get; } = id;

    public int Shares { get; set; } = shares;

    public double RunningPerShare => runningWeight / Shares;

    public double ShareUsed(DateTimeOffset now, TimeSpan halfLife)
    {
        Decay(now, halfLife);
        var inFlight = Math.Max(0, (runningWeight * Seconds(now)) - runningStartSeconds);
        return (chargedSeconds + inFlight) / Shares;
    }

    public void Started(double weight, DateTimeOffset at)
    {
        runningWeight += weight;
        runningStartSeconds += weight * Seconds(at);
    }

    public void Ended(double weight, DateTimeOffset startedAt, DateTimeOffset endedAt, TimeSpan halfLife)
    {
        runningWeight -= weight;
        runningStartSeconds -= weight * Seconds(startedAt);
        if (runningWeight < 1e-9)
        {
            runningWeight = 0;
            runningStartSeconds = 0;
        }
        Decay(endedAt, halfLife);
        chargedSeconds += weight * Math.Max(0, (endedAt - startedAt).TotalSeconds);
    }

    private void Decay(DateTimeOffset now, TimeSpan halfLife)
    {
        if (now > chargedAt)
        {
            chargedSeconds *= Math.Pow(0.5, (now - chargedAt).TotalSeconds / halfLife.TotalSeconds);
            chargedAt = now;
        }
    }

    // Seconds from a fixed origin near now, so that products with weights stay precise in a double.
    private static double Seconds(DateTimeOffset t) => (t - Origin).TotalSeconds;

    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
