using System.Text;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>A <c>builtins.toFile NAME CONTENT</c> binding <c>fN</c>; the content may reference other text files and path literals.</summary>
internal sealed record TextFileSpec(string Id, string Name, InterpValue Content);

/// <summary>A file written next to the batch and named by path literals <c>./files/NAME</c>.</summary>
internal sealed record SourceFileSpec(string FileName, byte[] Content);

/// <summary>
/// Many derivations in one Nix file, so that one <c>nix-instantiate</c> process writes hundreds of
/// <c>.drv</c> files: a <c>let</c> of <c>toFile</c>s and derivations (each referring only to earlier
/// ones) whose body exports them all, plus the evaluation that reports every path Nix made.
/// </summary>
internal sealed class DrvBatch
{
    public DrvBatch(string label, bool experimental, IReadOnlyList<SourceFileSpec> sourceFiles, IReadOnlyList<TextFileSpec> textFiles, IReadOnlyList<DrvSpec> drvs)
    {
        Label = label;
        Experimental = experimental;
        SourceFiles = sourceFiles;
        TextFiles = textFiles;
        Drvs = drvs;
    }

    /// <summary>How to reproduce the batch (seed and generator settings), printed with every failure.</summary>
    public string Label { get; }

    /// <summary>Whether the batch needs <c>ca-derivations</c> / <c>impure-derivations</c>.</summary>
    public bool Experimental { get; }

    public IReadOnlyList<SourceFileSpec> SourceFiles { get; }

    public IReadOnlyList<TextFileSpec> TextFiles { get; }

    public IReadOnlyList<DrvSpec> Drvs { get; }

    public string Source()
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Label).Append('\n');
        sb.Append("let\n");
        foreach (var f in TextFiles)
        {
            sb.Append("  ").Append(f.Id).Append(" = builtins.toFile ")
                .Append(NixSyntax.String(Encoding.UTF8.GetBytes(f.Name))).Append(' ')
                .Append(NixSyntax.Value(f.Content)).Append(";\n");
        }
        foreach (var d in Drvs)
        {
            sb.Append(d.Source());
        }
        sb.Append("in {\n  drvs = {");
        foreach (var d in Drvs)
        {
            sb.Append(" inherit ").Append(d.Id).Append(';');
        }
        sb.Append(" };\n  files = {");
        foreach (var f in TextFiles)
        {
            sb.Append(' ').Append(f.Id).Append(" = ").Append(f.Id).Append(';');
        }
        foreach (var s in SourceFiles)
        {
            sb.Append(" \"p:").Append(s.FileName).Append("\" = \"${./files/").Append(s.FileName).Append("}\";");
        }
        sb.Append(" };\n}\n");
        return sb.ToString();
    }

    /// <summary>Writes the batch (and its source files) into <paramref name="dir"/>, returning the <c>.nix</c> path.</summary>
    public string WriteTo(string dir)
    {
        var files = Path.Combine(dir, "files");
        Directory.CreateDirectory(files);
        foreach (var s in SourceFiles)
        {
            File.WriteAllBytes(Path.Combine(files, s.FileName), s.Content);
        }
        var path = Path.Combine(dir, "batch.nix");
        File.WriteAllText(path, Source(), new UTF8Encoding(false));
        return path;
    }

    /// <summary>
    /// Instantiates the batch with the real Nix and returns every path it reported: per derivation
    /// its drvPath, outPath (first output) and each output's outPath (a placeholder for outputs not
    /// known before building), and the store path of each text file and path literal.
    /// </summary>
    public BatchPaths Instantiate(NixOracle nix)
    {
        ArgumentNullException.ThrowIfNull(nix);
        var file = WriteTo(nix.WorkDir);
        var expr =
            "let b = import ./" + Path.GetFileName(file) + "; in {\n" +
            "  drvs = builtins.mapAttrs (n: d: { drv = d.drvPath; first = d.outPath;\n" +
            "    outs = builtins.listToAttrs (map (o: { name = o; value = d.${o}.outPath; }) (d.outputs or [ \"out\" ])); }) b.drvs;\n" +
            "  files = b.files;\n}";
        var json = nix.EvalJson(expr, Experimental);
        return BatchPaths.Parse(json);
    }
}
