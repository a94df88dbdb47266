namespace Vigil.Nix.Tests.Fuzz;

/// <summary>
/// Runs one parser call on its own task with a deadline. A parser may return or throw
/// <see cref="NixFormatException"/>; anything else, or running past the deadline, fails the case.
/// </summary>
internal static class ParserGuard
{
    /// <summary>Generous: a case takes microseconds, but the machine is shared and has 2 cores.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>The parsed value, or null when the parser rejected the input with a <see cref="NixFormatException"/>.</summary>
    public static T? Run<T>(Func<T> parse, Func<string> describe)
        where T : class
    {
        var task = Task.Run(() =>
        {
            try
            {
                return parse();
            }
            catch (NixFormatException)
            {
                return null;
            }
        });
        bool finished;
        try
        {
            finished = task.Wait(Deadline);
        }
        catch (AggregateException e)
        {
            var inner = e.InnerException ?? e;
            throw new InvalidOperationException($"parser threw {inner.GetType().Name} instead of NixFormatException on {describe()}: {inner.Message}", inner);
        }
        if (!finished)
        {
            throw new TimeoutException($"parser did not return within {Deadline.TotalSeconds} s on {describe()}");
        }
        return task.Result;
    }

    /// <summary>As <see cref="Run{T}"/>, for parsers whose result the caller does not need.</summary>
    public static bool Accepts(Action parse, Func<string> describe) =>
        Run<object>(() =>
        {
            parse();
            return new object();
        }, describe) is not null;

    public static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    public static string Show(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
