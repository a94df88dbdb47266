using System.Globalization;
using CsCheck;
using Vigil.Builder.Telemetry;

namespace Vigil.Builder.Tests;

/// <summary>The /proc parsers: exact on what the kernel writes, total (no exception) on anything else.</summary>
public sealed class ProcParsersTests
{
    /// <summary>Pieces of the real formats, shuffled into random text: likelier to hit edge cases than random characters alone.</summary>
    private static readonly string[] Pieces =
    [
        "some", "full", " ", "  ", "\n", "\t", "avg10=", "avg60=", "avg300=", "total=", "=", "0.00", "12.5", "-1", "1e309", "NaN",
        "abc", "MemTotal:", "MemAvailable:", "MemFree:", " kB", " MB", "18446744073709551615", "99999999999999999999", ":", "/", "1/467", "0.52",
    ];

    private static readonly Gen<string> GenText = Gen.OneOf(
        Gen.Int[0, Pieces.Length - 1].Array[0, 30].Select(ix => string.Concat(ix.Select(i => Pieces[i]))),
        Gen.String);

    private static readonly Gen<double> GenPercent = Gen.Int[0, 10000].Select(i => i / 100.0);

    [Fact]
    public void Parsers_never_throw()
    {
        GenText.Sample(text =>
        {
            _ = ProcParsers.ParsePressure(text);
            _ = ProcParsers.ParseLoadAverage(text);
            _ = ProcParsers.ParseMemInfo(text);
        }, iter: 20_000);
    }

    [Fact]
    public void Pressure_reads_back_what_the_kernel_format_holds()
    {
        Gen.Select(GenPercent, GenPercent, GenPercent, Gen.Bool, Gen.ULong).Sample((some, full, avg60, withFull, total) =>
        {
            var text = Line("some", some, avg60, total) + (withFull ? Line("full", full, avg60, total) : "");
            var reading = ProcParsers.ParsePressure(text);
            Assert.NotNull(reading);
            Assert.Equal(some, reading.Value.SomeAvg10);
            Assert.Equal(withFull ? full : 0, reading.Value.FullAvg10);
        });

        static string Line(string kind, double avg10, double avg60, ulong total) =>
            string.Create(CultureInfo.InvariantCulture, $"{kind} avg10={avg10:F2} avg60={avg60:F2} avg300=0.00 total={total}\n");
    }

    [Fact]
    public void Pressure_of_a_real_file_and_of_nothing()
    {
        Assert.Equal(new PressureReading(94.38, 0), ProcParsers.ParsePressure("some avg10=94.38 avg60=88.07 avg300=68.83 total=15664164106\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
        Assert.Null(ProcParsers.ParsePressure(null));
        Assert.Null(ProcParsers.ParsePressure(""));
        Assert.Null(ProcParsers.ParsePressure("full avg10=1.00 avg60=0.00 avg300=0.00 total=0\n"));
    }

    [Fact]
    public void Load_average_reads_back_the_three_averages()
    {
        Gen.Select(GenPercent, GenPercent, GenPercent, Gen.Int[1, 100_000]).Sample((a, b, c, pid) =>
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{a:F2} {b:F2} {c:F2} 3/467 {pid}\n");
            Assert.Equal((a, b, c), ProcParsers.ParseLoadAverage(text));
        });
        Assert.Null(ProcParsers.ParseLoadAverage("0.5 0.4\n"));
        Assert.Null(ProcParsers.ParseLoadAverage(null));
    }

    [Fact]
    public void Meminfo_reads_available_and_total_in_bytes()
    {
        Gen.Select(Gen.ULong[0, ulong.MaxValue / 1024], Gen.ULong[0, ulong.MaxValue / 1024], Gen.Bool).Sample((available, total, availableFirst) =>
        {
            var lines = new[] { $"MemTotal:       {total} kB", "MemFree:         123 kB", $"MemAvailable:   {available} kB", "HugePages_Total:       0" };
            var text = string.Join('\n', availableFirst ? lines.Reverse() : lines) + "\n";
            Assert.Equal((available * 1024, total * 1024), ProcParsers.ParseMemInfo(text));
        });
        Assert.Null(ProcParsers.ParseMemInfo("MemTotal: 100 kB\n"));
        Assert.Null(ProcParsers.ParseMemInfo("MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n"));
    }

    [Fact]
    public void The_probe_reads_this_machine()
    {
        var heartbeat = new SystemProbe(Path.GetTempPath()).Sample();
        Assert.True(heartbeat.MemoryTotalBytes > 0);
        Assert.True(heartbeat.MemoryAvailableBytes <= heartbeat.MemoryTotalBytes);
        Assert.True(heartbeat.StoreTotalBytes >= heartbeat.StoreFreeBytes);
        Assert.True(heartbeat.StoreTotalBytes > 0);
        var empty = new SystemProbe(Path.GetTempPath(), procRoot: "/nonexistent-proc").Sample();
        Assert.Null(empty.CpuPressure);
        Assert.Equal(0u, empty.MemoryTotalBytes);
    }
}
