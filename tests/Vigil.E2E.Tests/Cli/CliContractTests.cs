using Vigil.E2E.Tests.Support;

namespace Vigil.E2E.Tests.Cli;

/// <summary>The exit-code and error-message contract every command keeps (DESIGN.md).</summary>
public sealed class CliContractTests
{
    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_2()
    {
        var result = await CliRunner.RunAsync("drv", "show", "--no-such-option", "/nix/store/x.drv");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("vigil: unknown option '--no-such-option'\n", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    // System.CommandLine hands an unknown option to a variadic argument as one more value: once,
    // `drv show` read it as a path, and which bad "path" was reported depended on thread timing.
    // Now it is a parse error, reported first, wherever it stands and however many paths follow.
    [Theory]
    [InlineData("drv", "show", "/nix/store/x.drv", "--no-such-option")]
    [InlineData("drv", "show", "/nix/store/a.drv", "--no-such-option", "/nix/store/b.drv", "/nix/store/c.drv")]
    [InlineData("drv", "check", "-z", "/nix/store/x.drv")]
    [InlineData("hash", "--no-such-option", "/nonexistent")]
    public async Task Unknown_option_among_paths_is_reported_first_and_nothing_runs(params string[] args)
    {
        for (var run = 0; run < 5; run++)
        {
            var result = await CliRunner.RunAsync(args);
            Assert.Equal(2, result.ExitCode);
            var option = args.Single(a => a.StartsWith('-'));
            Assert.StartsWith($"vigil: unknown option '{option}'\n", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("derivation path", result.Stderr, StringComparison.Ordinal);
            Assert.Empty(result.Stdout);
        }
    }

    [Theory]
    [InlineData("scan", "/nix/store/00000000000000000000000000000000-x.drv", "--write-drvs", "needed")]
    [InlineData("scan", ".", "--backend", "instantiate", "--write-drvs", "new")]
    public async Task Write_drvs_outside_the_combined_backend_is_a_usage_error(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("vigil: --write-drvs applies to the combined backend, which evaluates a TARGET expression", result.Stderr.TrimEnd());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task After_a_double_dash_a_leading_dash_is_a_path_not_an_option()
    {
        var result = await CliRunner.RunAsync("drv", "show", "--store", "local?root=/nonexistent", "--", "--not-an-option");
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("unknown option", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'--not-an-option' is not a derivation path", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_that_is_not_a_derivation_gives_one_clear_line_and_exit_2()
    {
        var result = await CliRunner.RunAsync("drv", "show", "--store", "local?root=/nonexistent", "/nix/store/foo");
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("vigil: ", line, StringComparison.Ordinal);
        Assert.Contains("/nix/store/foo", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_derivation_file_names_the_path_and_exits_2()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-cli-");
        try
        {
            var drv = "/nix/store/00000000000000000000000000000000-missing.drv";
            var result = await CliRunner.RunAsync("drv", "check", "--store", $"local?root={dir.FullName}", drv);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(drv, result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_derivation_reports_the_offset()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-cli-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "nix/store"));
            var name = "00000000000000000000000000000000-bad.drv";
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "nix/store", name), "Derive([(\"out\",");
            var result = await CliRunner.RunAsync("drv", "show", "--store", $"local?root={dir.FullName}", "/nix/store/" + name);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("malformed", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("offset", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Help_explains_the_commands()
    {
        var result = await CliRunner.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("drv", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("hash", result.StdoutText, StringComparison.Ordinal);
    }
}
