using CsCheck;
using Vigil.Store;
using Vigil.Store.Evaluation;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Evaluation;

/// <summary>The drv-list and JSON-lines readers: every line is accounted for.</summary>
public sealed class ListEvaluatorTests : IDisposable
{
    private const string Hello = "/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello-2.12.tar.gz.drv";
    private const string Source = "/nix/store/aw1zqi6cdpi5zkhys6qxknm75482mvlp-source.drv";
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-lists-");

    [Fact]
    public async Task Drv_list_names_each_path_and_reports_bad_lines_by_number()
    {
        var file = Write("drvs.txt", $"{Hello}\n\n# a comment\n  {Source}  \n/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello.tar.gz\nnot a path\n/nix/store/short-x.drv\n");
        var events = await CollectAsync(new DrvListEvaluator(StoreLocation.Default).EvaluateAsync(new EvalTarget(file)));
        Assert.Equal<EvalEvent>(
        [
            new AttrEvaluated("hello-2.12.tar.gz", Hello),
            new AttrEvaluated("source", Source),
        ], events.OfType<AttrEvaluated>());
        var failed = events.OfType<AttrFailed>().ToList();
        Assert.Equal(["line 5", "line 6", "line 7"], failed.Select(f => f.Attr));
        Assert.All(failed, f => Assert.StartsWith(f.Attr + ":", f.Message, StringComparison.Ordinal));
        Assert.Contains("not a .drv path", failed[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drv_list_accepts_real_paths_inside_a_chroot_store()
    {
        var root = Path.Combine(dir.FullName, "chroot");
        var file = Write("drvs.txt", $"{root}/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello-2.12.tar.gz.drv\n");
        var events = await CollectAsync(new DrvListEvaluator(Location(root)).EvaluateAsync(new EvalTarget(file)));
        Assert.Equal(new AttrEvaluated("hello-2.12.tar.gz", Hello), Assert.Single(events));
    }

    [Fact]
    public async Task Json_lines_in_nix_eval_jobs_format_and_malformed_lines()
    {
        var file = Write("jobs.jsonl", string.Join('\n',
            $$"""{"attr":"hello","attrPath":["hello"],"drvPath":"{{Hello}}","name":"hello-2.12","outputs":{"out":"/nix/store/x"},"system":"x86_64-linux"}""",
            """{"attr":"broken","attrPath":["broken"],"error":"error: broken is marked broken"}""",
            $$"""{"attrPath":["python3Packages","requests"],"drvPath":"{{Source}}"}""",
            "",
            """{"attr":"truncated","drvPath":""",
            """["not","an","object"]""",
            """{"attr":"nodrv"}""",
            """{"attr":"notadrv","drvPath":"/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello"}""",
            """{"drvPath":"/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello.drv"}"""));
        var events = await CollectAsync(new JsonLinesEvaluator(StoreLocation.Default).EvaluateAsync(new EvalTarget(file)));
        Assert.Equal(8, events.Count);
        Assert.Equal(new AttrEvaluated("hello", Hello), events[0]);
        Assert.Equal(new AttrFailed("broken", "error: broken is marked broken"), events[1]);
        Assert.Equal(new AttrEvaluated("python3Packages.requests", Source), events[2]);
        var malformed = events.Skip(3).Cast<AttrFailed>().ToList();
        Assert.Equal(["line 5", "line 6", "nodrv", "notadrv", "line 9"], malformed.Select(f => f.Attr));
        Assert.Equal([5, 6, 7, 8, 9], malformed.Select(f => int.Parse(f.Message.Split(':')[0]["line ".Length..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Json_lines_never_drop_a_line()
    {
        var good = Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 12], Gen.Bool).Select((name, ok) => ok
            ? $$"""{"attr":"{{name}}","drvPath":"{{Hello}}"}"""
            : $$"""{"attr":"{{name}}","error":"boom"}""");
        var junk = Gen.String[Gen.Char, 1, 40].Where(s => s.Trim().Length > 0 && !s.Contains('\n') && !s.Contains('\r'));
        Gen.Frequency((3, good), (1, junk)).Array[0, 30].Sample(lines =>
        {
            var file = Write($"prop-{Guid.NewGuid():N}.jsonl", string.Join('\n', lines));
            var events = CollectAsync(new JsonLinesEvaluator(StoreLocation.Default).EvaluateAsync(new EvalTarget(file))).GetAwaiter().GetResult();
            File.Delete(file);
            return events.Count == lines.Length
                && events.Select((e, i) => e is AttrEvaluated || (e is AttrFailed f && (f.Message == "boom" || f.Message.StartsWith($"line {i + 1}:", StringComparison.Ordinal)))).All(x => x);
        }, iter: 200);
    }

    [Fact]
    public async Task A_missing_list_file_is_an_error()
    {
        var missing = Path.Combine(dir.FullName, "absent.txt");
        await Assert.ThrowsAsync<FileNotFoundException>(() => CollectAsync(new DrvListEvaluator(StoreLocation.Default).EvaluateAsync(new EvalTarget(missing))));
        await Assert.ThrowsAsync<FileNotFoundException>(() => CollectAsync(new JsonLinesEvaluator(StoreLocation.Default).EvaluateAsync(new EvalTarget(missing))));
    }

    public void Dispose() => dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var file = Path.Combine(dir.FullName, name);
        File.WriteAllText(file, text);
        return file;
    }
}
