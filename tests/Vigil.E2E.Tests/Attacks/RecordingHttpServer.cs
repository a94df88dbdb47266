using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 that records the path of every request, so a test
/// can assert which URLs Nix fetched and, above all, which it never asked for. One request per
/// connection (it answers <c>Connection: close</c>), GET and HEAD, 404 for anything not served.
/// Built on <see cref="TcpListener"/> with port 0, so it needs no free-port guessing. A path can
/// also get its own <see cref="Respond">responder</see> (faults: errors, drips, resets), every
/// answer can be <see cref="Delay">delayed</see>, and the server counts requests in flight.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<Exchange, Task>> responders = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> requests = new();
    private readonly ConcurrentQueue<(string Path, DateTimeOffset At)> log = new();
    private int inFlight;
    private int maxInFlight;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    public RecordingHttpServer()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Request paths in arrival order, as the client sent them (query string included).</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    /// <summary>The absolute URL of a path on this server, e.g. <c>Url("/a.tar.gz")</c>.</summary>
    public string Url(string path) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{path}");

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> (which starts with '/').</summary>
    public void Serve(string path, byte[] body) => files[path] = body;

    /// <summary>Stops serving <paramref name="path"/>: it answers 404 from now on, as a vanished source does.</summary>
    public void Withdraw(string path) => files.TryRemove(path, out _);

    /// <summary>Answers requests of <paramref name="path"/> with <paramref name="responder"/> instead of a file.</summary>
    public void Respond(string path, Func<Exchange, Task> responder) => responders[path] = responder;

    /// <summary>How long the server waits before answering any request (the request counts as in flight meanwhile).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The most requests that were ever in flight at once (from the head read to the last byte written).</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    /// <summary>Request paths with their arrival times.</summary>
    public IReadOnlyList<(string Path, DateTimeOffset At)> Log => [.. log];

    public bool WasRequested(string path) => requests.Contains(path);

    /// <summary>How many times <paramref name="path"/> was requested.</summary>
    public int CountOf(string path) => requests.Count(r => r == path);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping the listener is how the loop ends.
        }
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                if (head is null)
                {
                    return;
                }
                var requestLine = head.Split("\r\n", 2)[0].Split(' ');
                if (requestLine.Length < 2)
                {
                    await WriteAsync(stream, "400 Bad Request", [], includeBody: true);
                    return;
                }
                var (method, path) = (requestLine[0], requestLine[1]);
                var attempt = CountOf(path);
                requests.Enqueue(path);
                log.Enqueue((path, DateTimeOffset.UtcNow));
                var now = Interlocked.Increment(ref inFlight);
                try
                {
                    for (var max = MaxInFlight; now > max && Interlocked.CompareExchange(ref maxInFlight, now, max) != max; max = MaxInFlight)
                    {
                        // Another request raised the maximum meanwhile; compare again.
                    }
                    if (Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(Delay, stopping.Token);
                    }
                    if (responders.TryGetValue(path, out var responder))
                    {
                        await responder(new Exchange(client, stream, attempt, stopping.Token));
                        return;
                    }
                    var found = files.TryGetValue(path, out var body);
                    await WriteAsync(stream, found ? "200 OK" : "404 Not Found", body ?? Encoding.ASCII.GetBytes("not found\n"), includeBody: method != "HEAD");
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
            catch (OperationCanceledException)
            {
                // The server is stopping.
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // A client that hangs up early is its own problem; the request is already recorded.
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                return null;
            }
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
        return null;
    }

    private static async Task WriteAsync(NetworkStream stream, string status, byte[] body, bool includeBody, string extraHeaders = "")
    {
        var head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nContent-Type: application/octet-stream\r\n{extraHeaders}Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        if (includeBody)
        {
            await stream.WriteAsync(body);
        }
        await stream.FlushAsync();
    }

    /// <summary>One request a <see cref="Respond">responder</see> answers: the raw connection, and how many earlier requests its path had.</summary>
    public sealed record Exchange(TcpClient Client, NetworkStream Stream, int Attempt, CancellationToken Stopping)
    {
        /// <summary>A complete response; <paramref name="headers"/> are extra lines such as <c>"Retry-After: 1\r\n"</c>.</summary>
        public Task ReplyAsync(string status, byte[] body, string headers = "") => WriteAsync(Stream, status, body, includeBody: true, headers);

        /// <summary>Writes raw bytes (a hand-made head, part of a body).</summary>
        public async Task SendAsync(string text)
        {
            await Stream.WriteAsync(Encoding.ASCII.GetBytes(text), Stopping);
            await Stream.FlushAsync(Stopping);
        }

        /// <summary>Aborts the connection with a TCP reset (linger 0, then close).</summary>
        public void Reset()
        {
            Client.LingerState = new LingerOption(true, 0);
            Client.Client.Close();
        }
    }
}
