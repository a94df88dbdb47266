using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Vigil.Bench -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
