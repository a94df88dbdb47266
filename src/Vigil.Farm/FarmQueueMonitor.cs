using Microsoft.Extensions.Logging;
using Vigil.Data;
using Vigil.Data.Farm;

namespace Vigil.Farm;

/// <summary>
/// Feeds the queue runner from the database: at start, marks rows left busy by a previous run as
/// Aborted and takes up every unfinished build once; after that only builds with an id above the
/// last one seen, when a notification says some were added (PostgreSQL <c>NOTIFY</c>) or the poll
/// interval passes (SQLite, or a missed notification). Cancellations, priority bumps and share
/// changes are passed on as they are announced. Never rescans the whole queue.
/// </summary>
public sealed partial class FarmQueueMonitor(FarmDatabase farm, QueueRunner runner, TimeProvider time, ILogger logger, TimeSpan pollInterval)
{
    private const int PageSize = 1000;

    /// <summary>The highest build id taken up so far.</summary>
    public long LastBuildId { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        FarmQueueListener? listener = null;
        var failures = 0;
        var cleanedUp = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    // Inside the retry: a server started while the database is down waits for it.
                    if (!cleanedUp)
                    {
                        await farm.AbortBusyStepsAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                        cleanedUp = true;
                    }
                    listener ??= await farm.ListenAsync(cancellationToken).ConfigureAwait(false);
                    await TakeNewBuildsAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var note in await listener.WaitAsync(pollInterval, cancellationToken).ConfigureAwait(false))
                    {
                        switch (note.Kind)
                        {
                            case QueueNotificationKind.BuildCancelled:
                                runner.Cancel(note.Id);
                                break;
                            case QueueNotificationKind.BuildBumped:
                                runner.Bump(note.Id, note.Value);
                                break;
                            case QueueNotificationKind.SharesChanged:
                                runner.SetShares(note.Id, note.Value);
                                break;
                        }
                    }
                    failures = 0;
                }
                catch (Exception ex) when (ex is VigilDatabaseException or Npgsql.NpgsqlException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    // The database went away: wait, then listen again and read on from the last id.
                    var wait = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failures++), 30_000));
                    LogDatabaseUnavailable(logger, ex, wait.TotalSeconds);
                    if (listener is not null)
                    {
                        await listener.DisposeAsync().ConfigureAwait(false);
                        listener = null;
                    }
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task TakeNewBuildsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await farm.ListQueuedBuildsAsync(LastBuildId, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var build in page)
            {
                runner.Submit(build);
                LastBuildId = build.Id;
            }
            if (page.Count < PageSize)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the farm database is unavailable; retrying in {Seconds} s")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception, double seconds);
}
