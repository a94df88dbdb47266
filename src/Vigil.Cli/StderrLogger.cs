using Microsoft.Extensions.Logging;

namespace Vigil.Cli;

/// <summary>
/// The smallest logger a long-running command needs: one line per event on stderr, with the time
/// and the level, from Information up. No logging framework: the native binary stays small and
/// needs no configuration system.
/// </summary>
internal sealed class StderrLogger(TextWriter error, string prefix, LogLevel minimum = LogLevel.Information) : ILogger
{
    private readonly object gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }
        var level = logLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            _ => "",
        };
        var line = $"{DateTimeOffset.Now:HH:mm:ss} {prefix}: {level}{formatter(state, exception)}";
        lock (gate)
        {
            error.WriteLine(line);
            error.Flush();
        }
    }
}
