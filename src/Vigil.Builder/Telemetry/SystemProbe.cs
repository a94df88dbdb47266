using Vigil.Protocol.V1;

namespace Vigil.Builder.Telemetry;

/// <summary>
/// Samples what a heartbeat reports: load, pressure, memory and the store's free space, from
/// /proc and statvfs. Files that are absent (no PSI, not Linux) leave their fields unset.
/// </summary>
public sealed class SystemProbe(string storeRealDirectory, string procRoot = "/proc")
{
    public Heartbeat Sample()
    {
        var heartbeat = new Heartbeat();
        if (ProcParsers.ParseLoadAverage(Read("loadavg")) is { } load)
        {
            heartbeat.Load1 = load.Load1;
            heartbeat.Load5 = load.Load5;
            heartbeat.Load15 = load.Load15;
        }
        heartbeat.CpuPressure = ToMessage(ProcParsers.ParsePressure(Read("pressure/cpu")));
        heartbeat.MemoryPressure = ToMessage(ProcParsers.ParsePressure(Read("pressure/memory")));
        heartbeat.IoPressure = ToMessage(ProcParsers.ParsePressure(Read("pressure/io")));
        if (ProcParsers.ParseMemInfo(Read("meminfo")) is { } memory)
        {
            heartbeat.MemoryAvailableBytes = memory.Available;
            heartbeat.MemoryTotalBytes = memory.Total;
        }
        try
        {
            // DriveInfo on Unix is statvfs of the name given, which may be any directory.
            var drive = new DriveInfo(ExistingAncestor(storeRealDirectory));
            heartbeat.StoreFreeBytes = (ulong)Math.Max(0, drive.AvailableFreeSpace);
            heartbeat.StoreTotalBytes = (ulong)Math.Max(0, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown free space is reported as 0/0: "unknown", not "full".
        }
        return heartbeat;
    }

    private static Pressure? ToMessage(PressureReading? reading) =>
        reading is { } r ? new Pressure { SomeAvg10 = r.SomeAvg10, FullAvg10 = r.FullAvg10 } : null;

    private string? Read(string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procRoot, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    private static string ExistingAncestor(string path)
    {
        var current = Path.GetFullPath(path);
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { } parent)
        {
            current = parent;
        }
        return current;
    }
}
