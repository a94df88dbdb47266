using BenchmarkDotNet.Running;
using Vigil.Bench;

// dotnet run -c Release --project bench/Vigil.Bench -- --filter '*' [--job short]
// bench/vuln/run.sh calls the two whole-program helpers: vuln-gen (feeds and a package set) and vuln-pairwise.
return args is ["vuln-gen", ..] ? await VulnBenchData.GenerateAsync(args[1..])
    : args is ["vuln-phases", ..] ? await VulnBenchData.PhasesAsync(args[1..])
    : args is ["vuln-pairwise", ..] ? await VulnBenchData.PairwiseEstimateAsync(args[1..])
    : Run(args);

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
