using CsCheck;
using Vigil.Data;
using Vigil.Vuln.Inventory;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Tests.Support;
using Vigil.Vuln.Triage;
using static Vigil.Vuln.Tests.Support.TestFeeds;

namespace Vigil.Vuln.Tests;

public sealed class TriageTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_vulnix_whitelist_becomes_ignore_rules()
    {
        var rules = VulnixWhitelist.Parse(File.ReadAllText(Whitelist), "vulnix:w.toml", Created)
            .OrderBy(r => r.Cve, StringComparer.Ordinal).ToList();

        Assert.Equal(3, rules.Count);
        Assert.Equal(new VulnTriageRule("*", "baz", "", "ignored", "all of baz is vendored and unused", null, null, "vulnix:w.toml", Created), rules[0]);
        Assert.Equal(new VulnTriageRule("CVE-2019-5555", "*", "", "ignored", "vulnix whitelist", new DateOnly(2020, 1, 1), null, "vulnix:w.toml", Created), rules[1]);
        Assert.Equal(new VulnTriageRule("CVE-2024-1002", "zlib", "1.3", "ignored", "only the minizip contrib code, not built", new DateOnly(2026, 12, 31),
            "https://github.com/NixOS/nixpkgs/issues/1", "vulnix:w.toml", Created), rules[2]);
    }

    [Fact]
    public void Rules_apply_through_their_until_day_and_not_after()
    {
        var rules = VulnixWhitelist.Parse(File.ReadAllText(Whitelist), "vulnix:w.toml", Created);
        var index = new Matching.VulnIndex(AllRecords());
        var revision = new RevisionInfo(1, "r", "t", DateTimeOffset.UnixEpoch, 0, 0, 0);
        InventoryPackage[] packages = [Package("zlib", "1.3"), Package("zlib", "1.2.13"), Package("baz", "0.1"), Package("bar", "1.1")];
        Dictionary<string, string> StatusOn(DateTimeOffset day) =>
            VulnScanner.Scan(revision, packages, index, new TriageBook(rules, new FixedClock(day)), TimeSpan.Zero).Findings
                .ToDictionary(f => $"{f.Cve} {f.Pname} {f.Version}", f => f.Status);

        var inForce = StatusOn(new DateTimeOffset(2026, 12, 31, 23, 59, 0, TimeSpan.Zero));
        Assert.Equal("ignored", inForce["CVE-2024-1002 zlib 1.3"]);
        Assert.Equal("affected", inForce["CVE-2024-1002 zlib 1.2.13"]); // the rule names version 1.3 only
        Assert.Equal("ignored", inForce["CVE-2018-7777 baz 0.1"]);      // no cve list: every CVE of baz, no expiry
        Assert.Equal("affected", inForce["CVE-2019-5555 bar 1.1"]);    // "*" rule expired in 2020

        var expired = StatusOn(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal("affected", expired["CVE-2024-1002 zlib 1.3"]);
        Assert.Equal("ignored", expired["CVE-2018-7777 baz 0.1"]);

        var rulesBefore2020 = StatusOn(new DateTimeOffset(2019, 12, 31, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal("ignored", rulesBefore2020["CVE-2019-5555 bar 1.1"]);
    }

    [Fact]
    public void A_specific_rule_wins_over_a_general_one_and_sets_any_status()
    {
        var book = new TriageBook(
        [
            new VulnTriageRule("*", "curl", "", "ignored", "general", null, null, "cli", Created),
            new VulnTriageRule("CVE-1", "curl", "", "not-affected", "specific", null, null, "cli", Created),
            new VulnTriageRule("CVE-1", "curl", "8.0", "affected", "this version", null, null, "cli", Created),
        ], new FixedClock(Created));
        Assert.Equal("affected", book.Find("cve-1", "Curl", "8.0")!.Status);
        Assert.Equal("not-affected", book.Find("CVE-1", "curl", "7.0")!.Status);
        Assert.Equal("ignored", book.Find("CVE-2", "curl", "7.0")!.Status);
        Assert.Null(book.Find("CVE-2", "wget", "1.0"));
    }

    [Theory]
    [InlineData("cve = [\"CVE-1\"]", "line 1: a key before any [section]")]
    [InlineData("[[x]]", "line 1: arrays of tables ([[…]]) are not part of a whitelist")]
    [InlineData("[a.b]", "line 1: dotted keys are not part of a whitelist; quote the name")]
    [InlineData("[\"a\"]\ncve = [1]", "line 2: arrays hold strings only, found '1'")]
    [InlineData("[\"a\"]\ncve = [\"x\"\n", "line 3: unterminated array")]
    [InlineData("[\"a\"]\nuntil = \"soon\"", "[a]: until must be a date YYYY-MM-DD")]
    [InlineData("[\"a\"]\ncomment = \"x\"\ncomment = \"y\"", "line 3: key 'comment' is set twice")]
    [InlineData("[\"a\"]\ncomment = \"x\" junk", "line 2: unexpected 'j' after the value")]
    public void Bad_whitelists_are_refused_with_the_line(string text, string message) =>
        Assert.Equal(message, Assert.Throws<WhitelistFormatException>(() => VulnixWhitelist.Parse(text, "w", Created)).Message);

    [Fact]
    public void Random_whitelist_text_throws_only_the_documented_exception()
    {
        var pieces = new[] { "[", "]", "\"", "'", "=", ",", "\n", " ", "#", "cve", "until", "comment", "issue_url", "\"CVE-2020-1\"", "2020-01-01", "\\", "\\u00e9", "\\uD800", "[\"zlib-1.3\"]", "x", "." };
        Gen.Int[0, pieces.Length - 1].Array[0, 40].Select(ix => string.Concat(ix.Select(i => pieces[i]))).Sample(text =>
        {
            try
            {
                VulnixWhitelist.Parse(text, "w", Created);
            }
            catch (WhitelistFormatException)
            {
            }
        }, iter: 20_000);
        Gen.String.Sample(text =>
        {
            try
            {
                VulnixWhitelist.Parse(text, "w", Created);
            }
            catch (WhitelistFormatException)
            {
            }
        }, iter: 10_000);
    }
}
