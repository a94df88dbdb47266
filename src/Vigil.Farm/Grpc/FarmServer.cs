using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Data;
using Vigil.Farm.Graph;
using Vigil.Farm.Recording;
using Vigil.Farm.Scheduling;
using Vigil.Store;
using Vigil.Store.Provenance;

namespace Vigil.Farm.Grpc;

/// <summary>
/// A running farm server: the queue runner over the database (new builds taken up by the queue
/// monitor, results stored in batches), the builders' gRPC endpoint on Kestrel (HTTP/2 only, h2c,
/// WebApplication.CreateSlimBuilder so that it compiles ahead of time) and the liveness sweep.
/// </summary>
public sealed class FarmServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly QueueRunner runner;
    private readonly FarmBatchWriter writer;
    private readonly FarmHub hub;
    private readonly CancellationTokenSource background = new();
    private readonly Task monitoring;
    private readonly Task sweeping;
    private readonly FarmServerOptions options;
    private bool stopped;

    private FarmServer(WebApplication app, QueueRunner runner, FarmBatchWriter writer, FarmHub hub, FarmQueueMonitor monitor, FarmServerOptions options)
    {
        this.app = app;
        this.runner = runner;
        this.writer = writer;
        this.hub = hub;
        this.options = options;
        monitoring = monitor.RunAsync(background.Token);
        sweeping = hub.RunSweeperAsync(background.Token);
        Url = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The gRPC address builders dial (http://127.0.0.1:PORT).</summary>
    public Uri Url { get; }

    public QueueRunner Runner => runner;

    public static async Task<FarmServer> StartAsync(VigilDatabase database, FarmServerOptions options, ILogger logger, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        time ??= TimeProvider.System;
        var store = new NixStoreClient(options.Store, options.NixOptions);
        // Opened (on a new farm: created) before anything runs Nix processes on it side by side:
        // an upload's validity query beside its import failed on a fresh store (NixStoreClient.OpenAsync).
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var writer = new FarmBatchWriter(database.Farm, time, logger);
        var runner = new QueueRunner(
            SchedulerOptions.Default with { Retry = RetryPolicy.Default with { BaseDelay = options.RetryDelay } },
            new StoreDrvSource(new DerivationReader(store.Location)),
            new StoreOutputOracle(new LocalStoreOrigins(store.Location)),
            new DatabaseFailedPaths(database.Farm),
            writer,
            time,
            new Random(),
            logger);
        var hub = new FarmHub(runner, writer, database.Farm, store, new StepLogStore(options.LogDirectory), options, time, logger);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var address = IPAddress.Parse(options.Listen);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // h2c needs an HTTP/2-only endpoint (docs/dotnet-environment.md §4).
            k.Listen(address, options.Port, o => o.Protocols = HttpProtocols.Http2);
            k.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
        });
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddSingleton(hub);
        builder.Services.AddSingleton(time);
        var app = builder.Build();
        app.MapGrpcService<FarmRpcService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await runner.DisposeAsync().ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var monitor = new FarmQueueMonitor(database.Farm, runner, time, logger, options.PollInterval);
        return new FarmServer(app, runner, writer, hub, monitor, options);
    }

    /// <summary>The graceful stop: drain, let running steps finish within the grace, abort the rest, store everything, close.</summary>
    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        await hub.StopAsync(options.StopGrace).ConfigureAwait(false);
        await background.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(monitoring, sweeping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        using (var now = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(now.Token).ConfigureAwait(false);
        }
        await app.DisposeAsync().ConfigureAwait(false);
        await runner.DisposeAsync().ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        background.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
