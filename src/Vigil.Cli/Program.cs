using Vigil.Cli;

await using var stdout = Console.OpenStandardOutput();
await using var context = new CliContext(stdout, Console.Error, !Console.IsErrorRedirected);
return await VigilApp.RunAsync(args, context).ConfigureAwait(false);
