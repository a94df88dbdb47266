using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Vigil.Protocol.V1;
using Vigil.Store;

namespace Vigil.Builder;

/// <summary>
/// One <c>nix-store --realise DRV</c> in the builder's store, watched: its stderr (the build log)
/// is forwarded as it comes as <see cref="LogChunk"/>s; the wall-clock timeout, the silence limit
/// and the log limit are enforced here, not left to Nix, so the builder knows exactly why a build
/// ended; an abort (the token) stops it the same way. Stopping is SIGTERM to Nix, then SIGKILL of
/// the whole process tree after a grace (<see cref="ProcessTree"/>).
/// </summary>
internal sealed partial class RealiseRun(StepContext context, BuildRequest request)
{
    private const int ReadSize = 64 * 1024;
    private const int TailBytes = 8 * 1024;
    private static readonly TimeSpan WatchPeriod = TimeSpan.FromMilliseconds(100);

    private readonly object gate = new();
    private readonly byte[] tail = new byte[TailBytes];
    private long tailLength;
    private StepStatus? killedFor;
    private string killMessage = "";
    private Process? process;

    public async Task<BuildOutcome> RunAsync(CancellationToken abort)
    {
        var info = new ProcessStartInfo(context.Store.Program("nix-store"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in context.Store.RealiseArguments(request.DrvPath))
        {
            info.ArgumentList.Add(argument);
        }
        using var child = new Process { StartInfo = info };
        try
        {
            child.Start();
        }
        catch (Win32Exception e)
        {
            return new BuildOutcome(StepStatus.Transient, -1, $"cannot start nix-store ({e.Message})", 0);
        }
        process = child;
        child.StandardInput.Close();
        var time = context.Time;
        var started = time.GetTimestamp();
        long lastOutput = started;
        ulong logBytes = 0;
        using var stopWatching = new CancellationTokenSource();
        using var onAbort = abort.Register(() => Stop(StepStatus.Aborted, "aborted"));
        var stdout = child.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);

        var watchdog = Task.Run(async () =>
        {
            try
            {
                while (!stopWatching.IsCancellationRequested)
                {
                    await Task.Delay(WatchPeriod, time, stopWatching.Token).ConfigureAwait(false);
                    var now = time.GetTimestamp();
                    if (request.TimeoutSeconds > 0 && time.GetElapsedTime(started, now).TotalSeconds >= request.TimeoutSeconds)
                    {
                        Stop(StepStatus.Timeout, $"timed out after {request.TimeoutSeconds} s");
                    }
                    else if (request.MaxSilentSeconds > 0 && time.GetElapsedTime(Interlocked.Read(ref lastOutput), now).TotalSeconds >= request.MaxSilentSeconds)
                    {
                        Stop(StepStatus.MaxSilent, $"no log output for {request.MaxSilentSeconds} s");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The build ended.
            }
        }, CancellationToken.None);

        var stderr = child.StandardError.BaseStream;
        var buffer = new byte[ReadSize];
        int read;
        while ((read = await stderr.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            Interlocked.Exchange(ref lastOutput, time.GetTimestamp());
            var offset = logBytes;
            logBytes += (ulong)read;
            RememberTail(buffer.AsSpan(0, read));
            var sendable = read;
            if (request.MaxLogBytes > 0 && logBytes > request.MaxLogBytes)
            {
                // Send up to the limit exactly; the rest is counted, not forwarded.
                sendable = (int)Math.Max(0, (long)request.MaxLogBytes - (long)offset);
                Stop(StepStatus.LogLimit, $"log exceeded {request.MaxLogBytes} bytes");
            }
            if (sendable > 0)
            {
                context.Send(new BuilderMessage
                {
                    LogChunk = new LogChunk { StepId = request.StepId, Offset = offset, Data = ByteString.CopyFrom(buffer, 0, sendable) },
                });
            }
        }
        await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await stopWatching.CancelAsync().ConfigureAwait(false);
        await watchdog.ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        lock (gate)
        {
            if (killedFor is { } reason)
            {
                return new BuildOutcome(reason, -1, killMessage, logBytes);
            }
        }
        return Classify(child.ExitCode, TailText(), logBytes);
    }

    /// <summary>Reads Nix's exit code and the log's tail into a step status.</summary>
    public static BuildOutcome Classify(int exitCode, string logTail, ulong logBytes)
    {
        if (exitCode == 0)
        {
            return new BuildOutcome(StepStatus.Success, 0, "", logBytes);
        }
        var clean = Ansi().Replace(logTail, "");
        var error = clean.Split('\n').LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))?.Trim() ?? $"nix-store exited with code {exitCode}";
        var status = exitCode switch
        {
            // Nix's worker exit codes: 100 a build failed, 101 Nix's own timeout, 102 a hash
            // mismatch, 104 a --check mismatch; all are the derivation's fault, not the machine's.
            100 or 102 or 104 => StepStatus.BuildFailure,
            101 => StepStatus.Timeout,
            _ when BuilderFailed().IsMatch(clean) => StepStatus.BuildFailure,
            // Exit 1 without a failed builder: Nix could not even try (sandbox set-up, a missing
            // input, a locked or full store). Another attempt, possibly elsewhere, may succeed.
            _ => StepStatus.Transient,
        };
        var message = status == StepStatus.BuildFailure ? error + "\nlast log lines:\n" + LastLines(clean, 20) : error;
        return new BuildOutcome(status, exitCode, message, logBytes);
    }

    private void Stop(StepStatus reason, string message)
    {
        Process? target;
        lock (gate)
        {
            if (killedFor is not null)
            {
                return;
            }
            killedFor = reason;
            killMessage = message;
            target = process;
        }
        if (target is not null)
        {
            _ = ProcessTree.StopAsync(target, context.Options.KillGrace, context.Time);
        }
    }

    private void RememberTail(ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            foreach (var b in data.Length > TailBytes ? data[^TailBytes..] : data)
            {
                tail[tailLength++ % TailBytes] = b;
            }
        }
    }

    private string TailText()
    {
        lock (gate)
        {
            var count = (int)Math.Min(tailLength, TailBytes);
            var bytes = new byte[count];
            for (var i = 0; i < count; i++)
            {
                bytes[i] = tail[(tailLength - count + i) % TailBytes];
            }
            return Encoding.UTF8.GetString(bytes);
        }
    }

    private static string LastLines(string text, int count)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - count)));
    }

    [GeneratedRegex("\u001b\\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"builder for '[^']+' failed")]
    private static partial Regex BuilderFailed();
}
