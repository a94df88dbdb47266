namespace Vigil.E2E.Tests.Scanning;

/// <summary>The identity of an FOD as Nix states it: its fields the scanner must store exactly.</summary>
/// <param name="HashMode"><c>flat</c>, <c>recursive</c> or <c>text</c>.</param>
/// <param name="Hash">SRI, from the hex hash of the output tuple.</param>
public sealed record ExpectedFod(string DrvPath, string OutputPath, string HashAlgo, string HashMode, string Hash)
{
    /// <summary>One line per FOD, so whole sets compare with readable differences.</summary>
    public string Render() => $"{DrvPath} {OutputPath} {HashAlgo} {HashMode} {Hash}";
}
