using System.Text.Json;

namespace Vigil.Store.Evaluation;

/// <summary>
/// Runs Vigil's walker expression (<c>walker.nix</c>, embedded) with <c>nix-instantiate --eval
/// --strict --json</c> over one target. Each call writes its request as a JSON spec file, which
/// avoids both Nix string quoting and the 128 KiB limit of a single command-line argument.
/// </summary>
internal sealed class NixWalker : IDisposable
{
    private const string ResourceName = "Vigil.Store.Evaluation.walker.nix";
    private readonly DirectoryInfo scratch;
    private readonly string walkerFile;
    private int specs;

    public NixWalker(NixProcess nix, EvalTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Nix = nix;
        Target = target;
        File = Path.GetFullPath(target.File);
        TargetPath = SplitAttr(target.Attr);
        scratch = Directory.CreateTempSubdirectory("vigil-eval-");
        walkerFile = Path.Combine(scratch.FullName, "walker.nix");
        using var resource = typeof(NixWalker).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Vigil.Store");
        using var output = System.IO.File.Create(walkerFile);
        resource.CopyTo(output);
    }

    public NixProcess Nix { get; }

    public EvalTarget Target { get; }

    public string File { get; }

    /// <summary>The target's own attribute path (<c>--attr</c>), split at dots.</summary>
    public IReadOnlyList<string> TargetPath { get; }

    /// <summary>The reported name of a path below the target: target path and path, dot-joined.</summary>
    public string AttrName(IReadOnlyList<string> path) => string.Join('.', TargetPath.Concat(path));

    /// <summary>
    /// The attribute a fatal evaluation error happened in: the walker announces each root on stderr
    /// before evaluating it, so it is the last announcement before the error. Null when the error
    /// came after the roots (or the announcement is not in the tail Nix printed).
    /// </summary>
    public static string? Culprit(string stderr)
    {
        const string root = "trace: vigil-root: ";
        var lines = stderr.Split('\n');
        var error = Array.FindIndex(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        for (var i = (error < 0 ? lines.Length : error) - 1; i >= 0; i--)
        {
            if (lines[i].StartsWith(root, StringComparison.Ordinal))
            {
                return lines[i][root.Length..];
            }
            if (lines[i].StartsWith("trace: vigil-walk", StringComparison.Ordinal))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Inverse of <see cref="AttrName"/> (names nix-instantiate walks contain no dots).</summary>
    public string[] RelativePath(string attr)
    {
        var all = SplitAttr(attr);
        if (all.Length < TargetPath.Count || !all.Take(TargetPath.Count).SequenceEqual(TargetPath, StringComparer.Ordinal))
        {
            throw new ArgumentException($"attribute '{attr}' is not below the target attribute '{Target.Attr}'", nameof(attr));
        }
        return all[TargetPath.Count..];
    }

    /// <summary>Kind and child names of one path (the target itself for an empty path).</summary>
    public async Task<WalkerNames> NamesAsync(IReadOnlyList<string> path, CancellationToken cancellationToken)
    {
        WalkerNames? names = null;
        await RunAsync("names", [path], [], readWrite: false, strict: true, async (stream, ct) =>
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            var root = document.RootElement;
            var list = root.TryGetProperty("names", out var n) ? n.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : [];
            var recurse = root.TryGetProperty("recurse", out var r) && r.GetBoolean();
            names = new WalkerNames(root.GetProperty("kind").GetString() ?? "other", recurse, list);
        }, cancellationToken).ConfigureAwait(false);
        return names ?? throw new InvalidOperationException("the walker printed nothing");
    }

    /// <summary>
    /// Runs <paramref name="mode"/> over <paramref name="paths"/>, leaving out the attributes in
    /// <paramref name="skip"/>; stdout goes to <paramref name="readStdout"/>.
    /// </summary>
    public async Task RunAsync(
        string mode,
        IReadOnlyList<IReadOnlyList<string>> paths,
        IReadOnlyCollection<string> skip,
        bool readWrite,
        bool strict,
        Func<Stream, CancellationToken, Task> readStdout,
        CancellationToken cancellationToken)
    {
        var spec = Path.Combine(scratch.FullName, $"spec-{Interlocked.Increment(ref specs)}.json");
        await WriteSpecAsync(spec, mode, paths, skip, strict, cancellationToken).ConfigureAwait(false);
        try
        {
            var args = new List<string> { "--eval", "--strict", "--json" };
            if (readWrite)
            {
                args.Add("--read-write-mode");
            }
            args.AddRange([walkerFile, "--argstr", "spec", spec]);
            await Nix.RunAsync("nix-instantiate", args, readStdout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.IO.File.Delete(spec);
        }
    }

    public void Dispose()
    {
        try
        {
            scratch.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private async Task WriteSpecAsync(string spec, string mode, IReadOnlyList<IReadOnlyList<string>> paths, IReadOnlyCollection<string> skip, bool strict, CancellationToken cancellationToken)
    {
        var stream = System.IO.File.Create(spec);
        await using (stream.ConfigureAwait(false))
        {
            var json = new Utf8JsonWriter(stream);
            await using (json.ConfigureAwait(false))
            {
                json.WriteStartObject();
                json.WriteString("file", File);
                json.WriteString("mode", mode);
                json.WriteBoolean("strict", strict);
                json.WriteStartObject("args");
                foreach (var (name, value) in Target.ArgStrs ?? new Dictionary<string, string>())
                {
                    json.WriteString(name, value);
                }
                json.WriteEndObject();
                WriteList(json, "attrPath", TargetPath);
                WriteList(json, "skip", skip);
                json.WriteStartArray("paths");
                foreach (var path in paths)
                {
                    WriteList(json, null, path);
                }
                json.WriteEndArray();
                json.WriteEndObject();
                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void WriteList(Utf8JsonWriter json, string? name, IEnumerable<string> items)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }
        foreach (var item in items)
        {
            json.WriteStringValue(item);
        }
        json.WriteEndArray();
    }

    private static string[] SplitAttr(string? attr) =>
        string.IsNullOrEmpty(attr) ? [] : attr.Split('.');
}
