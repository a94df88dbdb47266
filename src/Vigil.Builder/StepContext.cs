using Microsoft.Extensions.Logging;
using Vigil.Protocol.V1;
using Vigil.Store;

namespace Vigil.Builder;

/// <summary>What every step of one builder shares: its settings, store, server client, clock, and the outbox of the control stream.</summary>
internal sealed record StepContext(
    BuilderOptions Options,
    NixStoreClient Store,
    FarmService.FarmServiceClient Client,
    TimeProvider Time,
    ReconnectBackoff Backoff,
    ILogger Logger,
    Action<BuilderMessage> Send);
