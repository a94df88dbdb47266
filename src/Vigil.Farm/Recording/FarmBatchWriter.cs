using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vigil.Data;
using Vigil.Data.Farm;

namespace Vigil.Farm.Recording;

/// <summary>
/// Stores what the scheduler records without making it wait: records go into a channel, and one
/// writer task takes everything queued (up to <c>maxBatch</c> records) and stores it as one
/// <see cref="FarmBatch"/>, one transaction. While a batch is being written the next one fills, so
/// the batches grow with the load and the database sees few, large transactions. A failed write
/// (the database went away) is retried with backoff, keeping the batch: nothing is lost, only late.
/// </summary>
public sealed partial class FarmBatchWriter : IFarmRecorder, IAsyncDisposable
{
    private readonly Channel<object> queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FarmDatabase farm;
    private readonly int maxBatch;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Task loop;
    private long enqueued;
    private long written;
    private long batches;

    public FarmBatchWriter(FarmDatabase farm, TimeProvider time, ILogger logger, int maxBatch = 10_000)
    {
        ArgumentNullException.ThrowIfNull(farm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        this.farm = farm;
        this.time = time;
        this.logger = logger;
        this.maxBatch = maxBatch;
        loop = Task.Run(RunAsync);
    }

    /// <summary>Batches written so far.</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>Records written so far.</summary>
    public long Written => Interlocked.Read(ref written);

    public void Step(BuildStepRecord step) => Enqueue(step);

    public void BuildFinished(BuildFinish finish, IReadOnlyList<BuildOutputRecord> outputs) => Enqueue(new FinishedBuild(finish, outputs));

    public void PathFailed(FailedPathRecord failed) => Enqueue(failed);

    /// <summary>A step's stored log: written with the rest, so a database outage delays it instead of losing the step's result.</summary>
    public void Log(BuildLogRecord log) => Enqueue(log);

    private void Enqueue(object record)
    {
        Interlocked.Increment(ref enqueued);
        if (!queue.Writer.TryWrite(record))
        {
            throw new InvalidOperationException("the farm writer is closed");
        }
    }

    /// <summary>Waits until everything recorded before the call is stored.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref enqueued);
        while (Interlocked.Read(ref written) < target)
        {
            if (loop.IsCompleted)
            {
                await loop.ConfigureAwait(false);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        var pending = new List<object>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (pending.Count < maxBatch && reader.TryRead(out var record))
            {
                pending.Add(record);
            }
            var batch = ToBatch(pending);
            for (var failures = 0; ; failures++)
            {
                try
                {
                    await farm.WriteAsync(batch).ConfigureAwait(false);
                    break;
                }
                // Whatever a lost connection throws (the driver's own exceptions and I/O errors as
                // well as ours) is retried: a writer that ended here would leave every flush waiting.
                catch (Exception ex) when (ex is VigilDatabaseException or DbException or IOException or TimeoutException)
                {
                    var wait = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failures), 10_000));
                    LogWriteFailed(logger, ex, pending.Count, wait.TotalSeconds);
                    await Task.Delay(wait, time).ConfigureAwait(false);
                }
            }
            Interlocked.Add(ref written, pending.Count);
            Interlocked.Increment(ref batches);
            pending.Clear();
        }
    }

    private static FarmBatch ToBatch(List<object> records)
    {
        var steps = new List<BuildStepRecord>();
        var finishes = new List<BuildFinish>();
        var outputs = new List<BuildOutputRecord>();
        var failed = new List<FailedPathRecord>();
        var logs = new List<BuildLogRecord>();
        foreach (var record in records)
        {
            switch (record)
            {
                case BuildStepRecord s:
                    steps.Add(s);
                    break;
                case FinishedBuild f:
                    finishes.Add(f.Finish);
                    outputs.AddRange(f.Outputs);
                    break;
                case FailedPathRecord p:
                    failed.Add(p);
                    break;
                case BuildLogRecord l:
                    logs.Add(l);
                    break;
            }
        }
        return new FarmBatch(steps, finishes, outputs, failed, logs);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "storing {Count} farm records failed; retrying in {Seconds} s")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, double seconds);

    private sealed record FinishedBuild(BuildFinish Finish, IReadOnlyList<BuildOutputRecord> Outputs);
}
