using System.Net;
using Vigil.Nix;
using Vigil.Nix.NarInfo;
using Vigil.Nix.StorePaths;

namespace Vigil.Store.Provenance;

/// <summary>
/// Asks a binary cache (a substituter: <c>http(s)://…</c> or <c>file:///…</c>) for the
/// <c>.narinfo</c> of each path. Content-addressed paths need no signature (Nix's
/// <c>checkSignatures</c>), so any cache a builder is configured with can serve an FOD output, and
/// only its presence matters here, not who signed it.
/// </summary>
public sealed class BinaryCacheOrigins : IStoreObjectOrigins
{
    private const int Parallelism = 8;
    private readonly Uri cache;
    private readonly StoreDir storeDir;
    private readonly HttpClient? http;

    /// <param name="http">Used for http(s) caches; a file:// cache needs none.</param>
    public BinaryCacheOrigins(string cacheUrl, StoreDir storeDir, HttpClient? http)
    {
        ArgumentNullException.ThrowIfNull(cacheUrl);
        ArgumentNullException.ThrowIfNull(storeDir);
        if (!Uri.TryCreate(cacheUrl.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
        {
            throw new ArgumentException($"substituter '{cacheUrl}' is not an http://, https:// or file:// binary cache URL", nameof(cacheUrl));
        }
        if (uri.Scheme != "file" && http is null)
        {
            throw new ArgumentException($"an HttpClient is needed to ask {cacheUrl}", nameof(http));
        }
        cache = uri;
        this.storeDir = storeDir;
        this.http = http;
        Description = cacheUrl;
    }

    public string Description { get; }

    public async Task<IReadOnlyDictionary<string, StoreObjectOrigin>> FindAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var found = new Dictionary<string, StoreObjectOrigin>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var narInfoUri = new Uri(cache, storeDir.Parse(path).HashPart.ToString() + ".narinfo");
            var bytes = await FetchAsync(narInfoUri, ct).ConfigureAwait(false);
            if (bytes is null)
            {
                return;
            }
            NarInfoFile info;
            try
            {
                info = NarInfoFile.Parse(bytes, storeDir);
            }
            catch (NixFormatException ex)
            {
                throw new StoreException(path, $"{narInfoUri} is not a valid .narinfo: {ex.Message}", ex);
            }
            var origin = new StoreObjectOrigin(path, Description, info.ContentAddress, info.Deriver is { } d ? storeDir.Path + "/" + d.BaseName : null, []);
            lock (found)
            {
                found[path] = origin;
            }
        }).ConfigureAwait(false);
        return found;
    }

    private async Task<byte[]?> FetchAsync(Uri uri, CancellationToken ct)
    {
        if (uri.IsFile)
        {
            try
            {
                return await File.ReadAllBytesAsync(uri.LocalPath, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StoreException($"cannot read {uri.LocalPath} of binary cache {Description}: {ex.Message}", ex);
            }
        }
        try
        {
            using var response = await http!.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            // Nix treats 403 like 404 for S3-style caches: the object is not there.
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                return null;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new StoreException($"binary cache {Description} answered {(int)response.StatusCode} {response.ReasonPhrase} for {uri}");
            }
            return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new StoreException($"cannot ask binary cache {Description} for {uri}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new StoreException($"binary cache {Description} did not answer in time for {uri}", ex);
        }
    }
}
