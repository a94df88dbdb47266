using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// Reads feed files as users sync them: a file, or a directory walked recursively (the cvelistV5
/// tree <c>cves/YYYY/NNxxx/CVE-….json</c>, an OSV export, NVD pages) in ordinal path order. Each
/// <c>.json</c> (or <c>.json.gz</c>) file is recognised by its shape: a CVE 5 record, an NVD 2.0 page
/// (many records), an OSV entry or an array of them. A record that does not parse is reported with
/// its file and reason and the rest are read; files are parsed in parallel, results come in order.
/// </summary>
public static class FeedReader
{
    // cvelistV5 bookkeeping files next to the records: not records, not malformed.
    private static readonly string[] Bookkeeping = ["delta.json", "deltaLog.json", "recent_activities.json"];

    private const int Chunk = 512;

    public static IEnumerable<FeedItem> Read(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var files = ListFiles(path);
        for (var start = 0; start < files.Count; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = files.GetRange(start, Math.Min(Chunk, files.Count - start));
            var parsed = chunk.AsParallel().AsOrdered().WithCancellation(cancellationToken).Select(ReadFile).ToList();
            foreach (var items in parsed)
            {
                foreach (var item in items)
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>The feed files under <paramref name="path"/> (or the file itself).</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    public static List<string> ListFiles(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }
        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"no feed file or directory at '{path}'", path);
        }
        var files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None })
            .Where(f => (f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".json.gz", StringComparison.Ordinal))
                && !Bookkeeping.Contains(Path.GetFileName(f), StringComparer.Ordinal))
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Every record of one file (several for an NVD page or an OSV array), or one item saying why the file is unreadable.</summary>
    public static List<FeedItem> ReadFile(string file)
    {
        byte[] bytes;
        try
        {
            bytes = file.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(file) : File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return [new FeedItem(file, null, null, $"cannot read: {e.Message}")];
        }
        return ReadBytes(file, bytes);
    }

    /// <summary>As <see cref="ReadFile"/>, for a file's bytes already read.</summary>
    public static List<FeedItem> ReadBytes(string file, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException e)
        {
            return [new FeedItem(file, null, null, $"not JSON: {e.Message}")];
        }
        using (document)
        {
            var root = document.RootElement;
            if (NvdParser.Recognises(root))
            {
                var items = new List<FeedItem>();
                try
                {
                    foreach (var (index, item, record, error) in NvdParser.ParseItems(root))
                    {
                        items.Add(record is null
                            ? new FeedItem(file, null, null, $"vulnerabilities[{index}]: {error}")
                            : new FeedItem(file, record, Hash(JsonMarshal.GetRawUtf8Value(item)), null));
                    }
                }
                catch (FeedFormatException e)
                {
                    items.Add(new FeedItem(file, null, null, e.Message));
                }
                return items;
            }
            if (root.ValueKind == JsonValueKind.Array)
            {
                var items = new List<FeedItem>();
                var index = 0;
                foreach (var entry in root.EnumerateArray())
                {
                    items.Add(ParseOne(file, entry, $"[{index++}]: "));
                }
                return items;
            }
            return [ParseOne(file, root, "")];
        }
    }

    private static FeedItem ParseOne(string file, JsonElement element, string where)
    {
        try
        {
            VulnRecord record;
            if (Cve5Parser.Recognises(element))
            {
                record = Cve5Parser.Parse(element);
            }
            else if (OsvParser.Recognises(element))
            {
                record = OsvParser.Parse(element);
            }
            else
            {
                return new FeedItem(file, null, null, where + "not a CVE 5 record, an NVD 2.0 page or an OSV entry");
            }
            return new FeedItem(file, record, Hash(JsonMarshal.GetRawUtf8Value(element)), null);
        }
        catch (FeedFormatException e)
        {
            return new FeedItem(file, null, null, where + e.Message);
        }
    }

    internal static string Hash(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    private static byte[] Gunzip(string file)
    {
        using var input = File.OpenRead(file);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
