using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.Signatures;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Signatures;

public sealed class PathInfoFingerprintTests
{
    private static readonly NixHash NarHash = NixHash.Parse("sha256:0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk");
    private static readonly StorePath Out = StorePath.ParseBaseName("4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b");
    private static readonly StorePath Lib = StorePath.ParseBaseName("k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib");

    private static string Compute(StoreDir dir, params StorePath[] references) =>
        Encoding.UTF8.GetString(PathInfoFingerprint.Compute(dir, Out, NarHash, 576, references));

    [Fact]
    public void References_are_full_paths_sorted_and_unique_including_the_path_itself()
    {
        const string expected = "1;/nix/store/4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b;sha256:0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk;576;"
            + "/nix/store/4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b,/nix/store/k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib";

        Assert.Equal(expected, Compute(StoreDir.Default, Lib, Out));
        Assert.Equal(expected, Compute(StoreDir.Default, Out, Lib, Lib));
    }

    [Fact]
    public void No_references_leave_an_empty_last_field()
    {
        Assert.EndsWith(";576;", Compute(StoreDir.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_directory_is_part_of_what_is_signed()
    {
        Assert.StartsWith("1;/gnu/store/4p8fwwfdfp2fwga0dbdbsc5jjj5j2qvh-built-b;", Compute(new StoreDir("/gnu/store"), Lib), StringComparison.Ordinal);
        Assert.EndsWith(";/gnu/store/k8ns2fp0k5d4s1sjxcjx359frmb2hq46-built-b-lib", Compute(new StoreDir("/gnu/store"), Lib), StringComparison.Ordinal);
    }

    [Fact]
    public void The_nar_hash_is_printed_as_nix32_whatever_its_spelling()
    {
        var sri = NixHash.Parse("sha256-" + NarHash.ToBase64());

        var text = Encoding.UTF8.GetString(PathInfoFingerprint.Compute(StoreDir.Default, Out, sri, 576, []));

        Assert.Contains(";sha256:0pxyxwdqi6hvwxxy33m2hl47wk83pskh20hgzaj77brkb2386lqk;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_size_cannot_be_signed()
    {
        Assert.Throws<ArgumentException>(() => PathInfoFingerprint.Compute(StoreDir.Default, Out, NarHash, 0, []));
        Assert.Throws<ArgumentException>(() => PathInfoFingerprint.Compute(StoreDir.Default, default, NarHash, 1, []));
    }
}
