using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Vigil.Store;

/// <summary>
/// Stopping a Nix process and everything under it. Nix runs the derivation's builder in its own
/// session (and, sandboxed, its own PID namespace), so a process-group kill would miss it: the
/// builder first asks Nix to stop (SIGTERM, on which Nix kills its builder and cleans up its
/// temporary build directory), then after a grace kills the whole tree (SIGKILL to every
/// descendant, found through /proc), which takes the sandbox's PID namespace with its init.
/// </summary>
public static partial class ProcessTree
{
    private const int SigTerm = 15;

    public static void Terminate(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                _ = NativeMethods.kill(process.Id, SigTerm);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started or already reaped.
        }
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>SIGTERM, then SIGKILL of the tree if it is still there after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace, TimeProvider time)
    {
        Terminate(process);
        using var timeout = new CancellationTokenSource(grace, time);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
        }
        // Descendants that outlived their parent (Nix exited on SIGTERM but a child lingers) are
        // reparented away from it and can no longer be found; the SIGTERM path relies on Nix
        // killing its builder, which it does before exiting.
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054 // libc from the default search path; a plain blittable call.
        public static extern int kill(int pid, int signal);
#pragma warning restore CA5392, SYSLIB1054
    }
}
