using System.Text;
using Vigil.Nix.Derivations;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>Malformed ATerms: every rejection is a <see cref="NixFormatException"/> at the right offset.</summary>
public sealed class ATermReaderErrorTests
{
    private const string Bar = """Derive([("out","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar","r:sha256","08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba")],[],[],":",":",[],[("builder",":"),("name","bar"),("out","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"),("outputHash","08813cbee9903c62be4c5027726a418a300da4500b2d369d3af9286f4815ceba"),("outputHashAlgo","sha256"),("outputHashMode","recursive"),("system",":")])""";

    private static NixFormatException Error(string aterm) =>
        Assert.Throws<NixFormatException>(() => ATermReader.Parse(Encoding.UTF8.GetBytes(aterm), "bar"));

    [Fact]
    public void The_reference_parses()
    {
        Assert.Equal(Bar, Encoding.UTF8.GetString(ATermWriter.Write(ATermReader.Parse(Encoding.UTF8.GetBytes(Bar), "bar"))));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("Derive", 6)]
    [InlineData("Derive(", 7)]
    [InlineData("DrvWithVersion(\"xp-dyn-drv\",[],[],[],\"\",\"\",[],[])", 1)]
    [InlineData("derive([],[],[],\"\",\"\",[],[])", 0)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[]) ", 28)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[])\n", 28)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[]", 27)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[(\"a\")])", 30)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[(\"a\",\"b)])", 31)]
    [InlineData("Derive([],[],[],\"\",\"\",[\"a\\", 23)]
    [InlineData("Derive([],[],[],\"\",\"\",[\"a\",],[])", 27)]
    [InlineData("Derive([,],[],[],\"\",\"\",[],[])", 8)]
    [InlineData("Derive([],[],[],\"\",\"\",[] ,[])", 24)]
    public void Structural_errors(string aterm, int position)
    {
        var e = Error(aterm);
        Assert.Equal("derivation", e.Format);
        Assert.Equal(position, e.Position);
    }

    [Fact]
    public void Duplicates_are_rejected()
    {
        Assert.Contains("duplicate output", Error("""Derive([("out","","",""),("out","","","")],[],[],"","",[],[])""").Message, StringComparison.Ordinal);
        Assert.Contains("duplicate environment variable", Error("""Derive([],[],[],"","",[],[("b",""),("a",""),("b","")])""").Message, StringComparison.Ordinal);
        Assert.Contains("duplicate environment variable", Error("""Derive([],[],[],"","",[],[("a",""),("a","")])""").Message, StringComparison.Ordinal);
        Assert.Contains("duplicate input source", Error("""Derive([],[],["/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"],"","",[],[])""").Message, StringComparison.Ordinal);
        Assert.Contains("duplicate input derivation", Error("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["out"]),("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["out"])],[],"","",[],[])""").Message, StringComparison.Ordinal);
        Assert.Contains("duplicate output name", Error("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["out","out"])],[],"","",[],[])""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsorted_lists_are_put_in_canonical_order()
    {
        var drv = ATermReader.Parse(Encoding.UTF8.GetBytes("""Derive([("out","","",""),("dev","","","")],[],[],"","",["b","a"],[("b","2"),("a","1")])"""), "x");
        Assert.Equal(["dev", "out"], drv.Outputs.Select(o => o.Name).ToArray());
        Assert.Equal(["a", "b"], drv.Env.Select(e => Encoding.UTF8.GetString(e.Key)).ToArray());
        Assert.Equal(["b", "a"], drv.Args.Select(a => Encoding.UTF8.GetString(a)).ToArray());
    }

    [Theory]
    [InlineData("""Derive([],[],["nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"],"","",[],[])""")]
    [InlineData("""Derive([],[],["/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar/x"],"","",[],[])""")]
    [InlineData("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-b r.drv",["out"])],[],"","",[],[])""")]
    [InlineData("""Derive([("o t","","","")],[],[],"","",[],[])""")]
    [InlineData("""Derive([("out","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bér","","")],[],[],"","",[],[])""")]
    [InlineData("""Derive([("out","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-b\nr","","")],[],[],"","",[],[])""")]
    public void Bad_paths_and_names(string aterm)
    {
        Error(aterm);
    }

    [Theory]
    [InlineData("""Derive([],[],[],"x\"y","",[],[])""", "platform")]
    [InlineData("""Derive([],[],[],"x\\y","",[],[])""", "platform")]
    [InlineData("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["o\"ut"])],[],"","",[],[])""", "output name")]
    [InlineData("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",[""])],[],"","",[],[])""", "output name")]
    [InlineData("""Derive([],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092\"bar.drv",["out"])],[],"","",[],[])""", "no '-'")]
    public void Fields_written_unescaped_cannot_hold_what_would_need_escaping(string aterm, string complaint)
    {
        // Nix reads escapes everywhere but writes these fields raw: accepting them would break the round trip.
        Assert.Contains(complaint, Error(aterm).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escapes_map_as_Nix_reads_them()
    {
        var drv = ATermReader.Parse(Encoding.UTF8.GetBytes("""Derive([],[],[],"","\n\r\t\\\"\a\q",[],[])"""), "x");
        Assert.Equal("\n\r\t\\\"aq"u8.ToArray(), drv.Builder);
    }

    [Fact]
    public void Store_dir_is_configurable()
    {
        var gnu = new Vigil.Nix.StorePaths.StoreDir("/gnu/store");
        var aterm = Encoding.UTF8.GetBytes("""Derive([],[],["/gnu/store/798sxvdgr0680czdggbls7rd3sfwk2yx-foo"],"","",[],[])""");
        Assert.Equal("/gnu/store/798sxvdgr0680czdggbls7rd3sfwk2yx-foo", Assert.Single(ATermReader.Parse(aterm, "x", gnu).InputSources));
        Assert.Throws<NixFormatException>(() => ATermReader.Parse(aterm, "x"));
    }
}
