using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Vigil.Store.Evaluation;

/// <summary>
/// Turns a producer that writes events from several tasks into one async stream. The channel is
/// bounded, so a slow consumer holds back the Nix processes (through their stdout pipes) instead
/// of piling events up in memory; a consumer that stops early cancels the producer.
/// </summary>
internal static class EventPump
{
    private const int Capacity = 4096;

    public static async IAsyncEnumerable<EvalEvent> Run(
        Func<ChannelWriter<EvalEvent>, CancellationToken, Task> produce,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<EvalEvent>(new BoundedChannelOptions(Capacity) { SingleReader = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await produce(channel.Writer, stop.Token).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }
}
