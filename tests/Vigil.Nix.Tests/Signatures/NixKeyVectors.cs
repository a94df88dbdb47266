namespace Vigil.Nix.Tests.Signatures;

/// <summary>
/// Keys made by Nix 2.8.0 (<c>nix-store --generate-binary-cache-key test-1 sec pub</c>, and
/// <c>a-key</c> likewise), and signatures Nix made with them; the narinfos they sign are in
/// <c>NarInfo/NixNarInfoVectors</c>. Throw-away keys, generated for these tests.
/// </summary>
internal static class NixKeyVectors
{
    public const string Test1Secret = "test-1:niY1kd9wINStXbKtnpWzs4IKtfG4w5NHxrmlcU74CnuRDAtGni7nOP6aRl7W2B5up59o4q6eRXnXm9lxDGLvVQ==";
    public const string Test1Public = "test-1:kQwLRp4u5zj+mkZe1tgebqefaOKunkV515vZcQxi71U=";
    public const string AKeySecret = "a-key:Tst2mS2yDQqsA4Cwbb3VIwO6JsVsZOBtzVlRz7fOGwMHYZ4qAps6c/oWCibbEe2DU8wltGD/gLaozA/e/hT92Q==";
    public const string AKeyPublic = "a-key:B2GeKgKbOnP6Fgom2xHtg1PMJbRg/4C2qMwP3v4U/dk=";

    /// <summary>Nix's fingerprint of <c>…-withref</c> (a <c>builtins.toFile</c> referring to <c>…-hello.txt</c>).</summary>
    public const string WithRefFingerprint =
        "1;/nix/store/3vzh24bjk830k4bhip7gjiw27ggmrfqf-withref;sha256:0ycbixak31g44jydr2h0sjss5bxyaia40rpkjq277yqni4wqmgql;176;/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt";

    /// <summary>The <c>Sig:</c> Nix wrote for it with <c>test-1</c> (<c>nix copy --to file://…?secret-key=sec</c>).</summary>
    public const string WithRefTest1Signature =
        "test-1:aOwig6aCPYD/9ls9D1pKCYY2epGMTejWmPkksYA4U8S9T98P13libdiec/PhFpe977v1TliHsh9FbtNxWbUMCw==";
}
