using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Vigil.Data;
using Vigil.Data.Farm;
using Vigil.Farm;
using Vigil.Farm.Execution;
using Vigil.Farm.Graph;
using Vigil.Farm.Recording;
using Vigil.Farm.Scheduling;

// The farm scheduler benchmark: a layered DAG of STEPS derivations queued as builds in PostgreSQL,
// walked and scheduled by the queue runner, "built" by SIMULATED in-process builders (no Nix, no
// network), every step row and build result stored through the batch writer. Then, on the same
// server, the cost of Hydra's design: five serial round trips per dispatched step.
var conn = Environment.GetEnvironmentVariable("PG_CONN") ?? throw new InvalidOperationException("set PG_CONN");
var steps = Int("STEPS", 50_000);
var machines = Int("MACHINES", 16);
var slots = Int("SLOTS", 8);
var timedSteps = Int("TIMED_STEPS", 20_000);
var timedMs = Int("TIMED_MS", 20);
var hydraSteps = Int("HYDRA_STEPS", 2_000);
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");

await RunAsync("instant", steps, TimeSpan.Zero);
await RunAsync("timed", timedSteps, TimeSpan.FromMilliseconds(timedMs));
await HydraRoundTripsAsync();
Console.WriteLine($"load average at the end: {LoadAverage()}");
return 0;

async Task RunAsync(string mode, int count, TimeSpan buildTime)
{
    var database = await NewDatabaseAsync($"farmbench_{mode}");
    await using var db = await VigilDatabase.OpenAsync(database);
    var jobset = await db.Farm.AddJobsetAsync(new JobsetSpec("bench", mode, "bench.nix"));
    var (nodes, tops) = Layered(count, width: 500, seed: 7);
    var sw = Stopwatch.StartNew();
    var eval = await db.Farm.AddEvaluationAsync(jobset.Id, tops.Select(t => new NewBuild(t, t, "x86_64-linux", [])).ToList());
    var queueSeconds = sw.Elapsed.TotalSeconds;

    await using var writer = new FarmBatchWriter(db.Farm, TimeProvider.System, NullLogger.Instance);
    await using var runner = new QueueRunner(SchedulerOptions.Default, new InMemoryDrvSource(nodes), FixedOutputOracle.None, new DatabaseFailedPaths(db.Farm),
        writer, TimeProvider.System, new Random(1), NullLogger.Instance);
    // Phase 1: builds to steps (walk, failed-path lookups in the database, attach), no machines yet.
    sw.Restart();
    foreach (var build in await db.Farm.ListQueuedBuildsAsync(0, int.MaxValue))
    {
        runner.Submit(build);
    }
    while ((await runner.QueryAsync(c => c.Stats)).LiveSteps < count || (await runner.QueryAsync(c => c.UnfinishedBuilds)) < tops.Count)
    {
        await Task.Delay(5);
    }
    var walkSeconds = sw.Elapsed.TotalSeconds;
    // Phase 2: machines join; dispatch and complete everything.
    var builders = new List<SimulatedBuilder>();
    sw.Restart();
    for (var m = 0; m < machines; m++)
    {
        var builder = new SimulatedBuilder(runner.Complete, TimeProvider.System, buildTime > TimeSpan.Zero ? _ => buildTime : null);
        builders.Add(builder);
        runner.AddMachine(new MachineSpec($"sim{m}", ["x86_64-linux"], [], [], slots), builder);
    }
    await runner.WhenIdleAsync();
    var runSeconds = sw.Elapsed.TotalSeconds;
    await writer.FlushAsync();
    var storedSeconds = sw.Elapsed.TotalSeconds;
    var stats = await runner.QueryAsync(c => c.Stats);
    foreach (var b in builders)
    {
        b.Dispose();
    }
    await using (var check = new NpgsqlConnection(database))
    {
        await check.OpenAsync();
        await using var count1 = new NpgsqlCommand("SELECT count(*) FROM build_steps WHERE status = 0 AND busy = 0", check);
        await using var count2 = new NpgsqlCommand("SELECT count(*) FROM builds WHERE finished = 1 AND build_status = 0", check);
        var storedSteps = (long)(await count1.ExecuteScalarAsync())!;
        var storedBuilds = (long)(await count2.ExecuteScalarAsync())!;
        if (storedSteps != count || storedBuilds != tops.Count)
        {
            throw new InvalidOperationException($"stored {storedSteps} steps and {storedBuilds} builds, expected {count} and {tops.Count}");
        }
    }
    var slotSeconds = machines * slots * runSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{mode}: {count} steps, {tops.Count} builds, {machines}x{slots} slots, build time {buildTime.TotalMilliseconds} ms; queue {queueSeconds:F2} s, builds→steps {walkSeconds:F2} s; " +
        $"dispatched+completed in {runSeconds:F2} s = {count / runSeconds:F0} steps/s; all rows stored after {storedSeconds:F2} s = {count / storedSeconds:F0} steps/s " +
        $"({writer.Batches} batches)"));
    // With instant builds a slot is never busy, so idle time only means something with timed builds.
    if (buildTime > TimeSpan.Zero)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timed: idle slot time while runnable {stats.IdleSlotTime.TotalSeconds:F3} s = {100 * stats.IdleSlotTime.TotalSeconds / slotSeconds:F3} % of slot time"));
        var ideal = Math.Ceiling((double)count / (machines * slots)) * buildTime.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timed: makespan {runSeconds:F2} s vs {ideal:F2} s if every slot were always busy"));
    }
}

async Task HydraRoundTripsAsync()
{
    var database = await NewDatabaseAsync("farmbench_hydra");
    await using var c = new NpgsqlConnection(database);
    await c.OpenAsync();
    await Exec("CREATE TABLE buildsteps (build integer, stepnr integer, drvpath text, busy integer, status integer, starttime integer, machine text, PRIMARY KEY (build, stepnr))");
    await Exec("CREATE TABLE buildstepoutputs (build integer, stepnr integer, name text, path text, PRIMARY KEY (build, stepnr, name))");
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < hydraSteps; i++)
    {
        var build = i % 100;
        // Hydra's dispatch of one step (docs/hydra-queue-runner.md §2.6), each a separate round trip.
        var stepnr = await Scalar("INSERT INTO buildsteps (build, stepnr, drvpath, busy, starttime, machine) " +
            "SELECT @b, COALESCE(MAX(stepnr), 0) + 1, 'x.drv', 1, 0, 'm' FROM buildsteps WHERE build = @b ON CONFLICT DO NOTHING RETURNING stepnr", build);
        await Exec($"INSERT INTO buildstepoutputs (build, stepnr, name, path) VALUES ({build}, {stepnr}, 'out', NULL)");
        await Exec($"NOTIFY step_started, '{build}\t{stepnr}'");
        await Exec($"NOTIFY build_started, '{build}'");
        await Exec($"UPDATE buildsteps SET busy = 10 WHERE build = {build} AND stepnr = {stepnr}");
    }
    var perStep = sw.Elapsed.TotalSeconds / hydraSteps;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"hydra design: 5 serial round trips per step = {perStep * 1000:F3} ms on this PostgreSQL ({hydraSteps} steps) => at most {1 / perStep:F0} steps/s dispatched, before any build or completion write"));

    async Task Exec(string sql)
    {
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }

    async Task<int> Scalar(string sql, int build)
    {
        await using var command = new NpgsqlCommand(sql, c);
        command.Parameters.AddWithValue("b", build);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

async Task<string> NewDatabaseAsync(string name)
{
    await using (var admin = new NpgsqlConnection(conn))
    {
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
    }
    return new NpgsqlConnectionStringBuilder(conn) { Database = name }.ConnectionString;
}

// Layers of `width` derivations; each takes two random inputs from the layer below. Builds: the
// top layer, plus every derivation nothing above needs (so that all `count` are steps).
static (List<DrvInfo> Nodes, List<string> Tops) Layered(int count, int width, int seed)
{
    var random = new Random(seed);
    var nodes = new List<DrvInfo>(count);
    var needed = new bool[count];
    for (var i = 0; i < count; i++)
    {
        var layerStart = i / width * width;
        var inputs = new List<string>();
        if (layerStart > 0)
        {
            for (var k = 0; k < 2; k++)
            {
                var j = layerStart - width + random.Next(width);
                needed[j] = true;
                inputs.Add(Path(j));
            }
        }
        nodes.Add(new DrvInfo(Path(i), "x86_64-linux", [], [Path(i)[..^4]], inputs.Distinct().ToArray()));
    }
    return (nodes, Enumerable.Range(0, count).Where(i => !needed[i]).Select(Path).ToList());

    static string Path(int i) => string.Create(CultureInfo.InvariantCulture, $"/nix/store/{i:D32}-step{i}.drv");
}

static int Int(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
