namespace Vigil.Nix.Tests.NarInfo;

/// <summary>
/// Files written by Nix 2.8.0 into <c>file://</c> binary caches (chroot store,
/// <c>nix copy --to 'file://$T/cache?secret-key=$T/sec[&amp;compression=none]'</c>), byte for byte:
/// a <c>nix-store --add</c> path, a <c>builtins.toFile</c> with a reference, and the outputs of
/// a small two-output derivation built with <c>nix-build</c> (deriver, self-reference, two
/// signatures after a second copy with <c>a-key</c>). Keys in <c>Signatures/NixKeyVectors</c>.
/// </summary>
internal static class NixNarInfoVectors
{
    public const string HelloTxt =
        "StorePath: /nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\n" +
        "URL: nar/17gd6zzlkx90irc6qawagdkgh1d7qvlnq46yjf7xiqw9ycz7zq4a.nar.xz\n" +
        "Compression: xz\n" +
        "FileHash: sha256:17gd6zzlkx90irc6qawagdkgh1d7qvlnq46yjf7xiqw9ycz7zq4a\n" +
        "FileSize: 128\n" +
        "NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n" +
        "NarSize: 120\n" +
        "References: \n" +
        "Sig: test-1:17Y1T/zWHykjkxSm2uNEZxs+Gz+DZdte4mb7prnMHlZvPcS/tKZ3lG1k4SdgReOeqZvb3s7aDhEzxR7LY7z0DA==\n" +
        "CA: fixed:r:sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n";

    public const string WithRef =
        "StorePath: /nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref\n" +
        "URL: nar/09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8.nar.xz\n" +
        "Compression: xz\n" +
        "FileHash: sha256:09152a027n98lrd611942n8aj66w25csvqvd9xc1s95xc3knmhf8\n" +
        "FileSize: 180\n" +
        "NarHash: sha256:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql\n" +
        "NarSize: 176\n" +
        "References: i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt\n" +
        "Sig: test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==\n" +
        "CA: text:sha256:1ry752wg8v4wz7qd0k91gs1hkzw63h4zgk0n3fwbs3614nw09b9p\n";

    public const string BuiltATwoSignatures =
        "StorePath: /nix/store/3x60bal6rg1gf50aq5knz3a627ly6pad-built-a\n" +
        "URL: nar/11xs3bng31wmjxqc9bivgb8lx5kqf7ywgb78im2r33vjsy4vmv7f.nar\n" +
        "Compression: none\n" +
        "FileHash: sha256:11xs3bng31wmjxqc9bivgb8lx5kqf7ywgb78im2r33vjsy4vmv7f\n" +
        "FileSize: 160\n" +
        "NarHash: sha256:11xs3bng31wmjxqc9bivgb8lx5kqf7ywgb78im2r33vjsy4vmv7f\n" +
        "NarSize: 160\n" +
        "References: gsiiwi4lmds6sgw9vbfjbq81j9bgjm56-dep\n" +
        "Deriver: pplgv850ww615rsn9wi5l5sbd8kgj5pf-built-a.drv\n" +
        "Sig: a-key:Ci5OGpJ4qhgZ5yFI06uj48ZEvuOFqJFNitGB2d2Euh3MZJ/BY6FUmFWhOzfCNjsIqAjEyYMdcfIgk6YhYtTdBQ==\n" +
        "Sig: test-1:KVLhmmKbwj2SdN3Z6YQlLp0uTfjfYi51eN0h+aLgSneewE468ue2qsFKiOkb6oadt/edP8Y4e4OUR0xJjmYmAw==\n";

    public const string BuiltBSelfReference =
        "StorePath: /nix/store/4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b\n" +
        "URL: nar/0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk.nar\n" +
        "Compression: none\n" +
        "FileHash: sha256:0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk\n" +
        "FileSize: 576\n" +
        "NarHash: sha256:0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk\n" +
        "NarSize: 576\n" +
        "References: 4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib\n" +
        "Deriver: n521lap4k4b1qnh84yy0iy3fkxrkg0xg-built-b.drv\n" +
        "Sig: test-1:X/ke6NkKkehRcxuDgfui0kX+6ez70G9Uu4CrucvGmYZAujFLGQskCjhTtrS3tpQBUhGBqEVsMvITJKwzvOV/CA==\n";

    public const string DepSignedByAKey =
        "StorePath: /nix/store/gsiiwi4lmds6sgw9vbfjbq81j9bgjm56-dep\n" +
        "URL: nar/0rphf0qg6xvzblh42pal91kdndnx1r85ri7zj162hixr0b5706d4.nar\n" +
        "Compression: none\n" +
        "FileHash: sha256:0rphf0qg6xvzblh42pal91kdndnx1r85ri7zj162hixr0b5706d4\n" +
        "FileSize: 128\n" +
        "NarHash: sha256:0rphf0qg6xvzblh42pal91kdndnx1r85ri7zj162hixr0b5706d4\n" +
        "NarSize: 128\n" +
        "References: \n" +
        "Sig: a-key:+EObrlBhOArIS3AdD/iQNg5FoUjMn/LCqJ3u3I75u068Q3FvAoFQxVUtId+SRNFW/pyaGNgt8/Cs/D6JTXY7Bg==\n" +
        "CA: text:sha256:0cfzzvyc0byk59pffqr7k9f02xmgbpxn7i4ssszsl69zzvd50qzj\n";

    public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>
    {
        [nameof(HelloTxt)] = HelloTxt,
        [nameof(WithRef)] = WithRef,
        [nameof(BuiltATwoSignatures)] = BuiltATwoSignatures,
        [nameof(BuiltBSelfReference)] = BuiltBSelfReference,
        [nameof(DepSignedByAKey)] = DepSignedByAKey,
    };

    public static readonly TheoryData<string> Names = new(ByName.Keys);
}
