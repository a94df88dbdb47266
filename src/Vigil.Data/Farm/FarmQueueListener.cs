namespace Vigil.Data.Farm;

/// <summary>
/// Hears about queue changes as they happen: on PostgreSQL through <c>LISTEN</c> on a connection of
/// its own; on SQLite (a one-machine farm) only changes made through the same database object, and
/// the caller polls new builds by id when the wait times out.
/// </summary>
public abstract class FarmQueueListener : IAsyncDisposable
{
    /// <summary>Waits up to <paramref name="timeout"/> for notifications and returns those received (empty on timeout).</summary>
    public abstract Task<IReadOnlyList<QueueNotification>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();
}
