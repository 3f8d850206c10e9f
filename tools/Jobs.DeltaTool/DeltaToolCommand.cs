using System.CommandLine;
using System.Text.Json;
using Jobs.Lake;

namespace Jobs.DeltaTool;

/// <summary>
/// Inspection and maintenance of Delta tables: `show` (what `make delta-show` runs), `cat` (`make delta-cat`: rows as
/// JSON lines), `vacuum`, and `append-demo`, a
/// small writer the tests start as separate processes. Results go to stdout as JSON; a refusal is one line on
/// stderr and exit code 3 (the stage contract's "input refused").
/// </summary>
public static class DeltaToolCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var table = new Argument<string>("table") { Description = "Table location (the one holding _delta_log): a folder, or az://container/prefix/table with AZURE_STORAGE_CONNECTION_STRING set" };
        var version = new Option<long?>("--version") { Description = "Version to read (time travel); latest when absent" };
        var show = new Command("show", "Print version, numRecords, numFiles, partitionColumns and schema as one JSON object") { table, version };
        show.SetAction((p, ct) => Guard(async () =>
            Console.Out.WriteLine((await TableSummary.DescribeAsync(p.GetValue(table)!, p.GetValue(version), ct)).ToJsonString())));

        var limit = new Option<long?>("--limit") { Description = "Print at most this many rows" };
        var where = new Option<string[]>("--where") { Description = "column=value (repeat the flag; all must hold): on a partition column, only that partition's files are read; day= selects the null partition", AllowMultipleArgumentsPerToken = false };
        var cat = new Command("cat", "Print the table's rows as JSON lines (every column, partition columns included)") { table, version, limit, where };
        cat.SetAction((p, ct) => Guard(async () =>
            await TableRows.WriteAsync(Console.Out, p.GetValue(table)!, p.GetValue(version), p.GetValue(limit), p.GetValue(where) ?? [], ct)));

        var retention = new Option<double>("--retention-hours") { DefaultValueFactory = _ => 168 };
        var dryRun = new Option<bool>("--dry-run");
        var vacuum = new Command("vacuum", "Delete unreferenced data files older than the retention period") { table, retention, dryRun };
        vacuum.SetAction((p, ct) => Guard(async () =>
        {
            var deleted = await DeltaMaintenance.VacuumAsync(LakeStorage.Open(p.GetValue(table)!), "", TimeSpan.FromHours(p.GetValue(retention)), p.GetValue(dryRun), ct);
            Console.Out.WriteLine(JsonSerializer.Serialize(new { dryRun = p.GetValue(dryRun), deleted }));
        }));

        var lakeArg = new Argument<string>("lake") { Description = "Lake location: a folder or az://container/prefix" };
        var writer = new Option<int>("--writer") { DefaultValueFactory = _ => 0 };
        var commits = new Option<int>("--commits") { DefaultValueFactory = _ => 10 };
        var rows = new Option<int>("--rows") { DefaultValueFactory = _ => 10 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Overwrite the partition on every commit instead of appending" };
        var part = new Option<string>("--part") { DefaultValueFactory = _ => "p" };
        var demo = new Command("append-demo", "Write demo commits (for concurrency and crash tests)") { lakeArg, writer, commits, rows, overwrite, part };
        demo.SetAction((p, ct) => Guard(async () =>
        {
            var t = new DeltaTable<DemoRow>(LakeStorage.Open(p.GetValue(lakeArg)!), DemoRow.Spec);
            for (var c = 0; c < p.GetValue(commits); c++)
            {
                var batch = Enumerable.Range(0, p.GetValue(rows)).Select(i => new DemoRow
                {
                    Writer = p.GetValue(writer), Commit = c, Id = i, Text = $"w{p.GetValue(writer)} c{c} r{i}", Part = p.GetValue(part)!,
                }).ToAsyncEnumerable();
                var result = p.GetValue(overwrite)
                    ? await t.OverwriteAsync(batch, new PartitionPredicate($"part = '{p.GetValue(part)}'", v => v["part"] == p.GetValue(part)), ct)
                    : await t.AppendAsync(batch, cancellationToken: ct);
                Console.Out.WriteLine(JsonSerializer.Serialize(new { writer = p.GetValue(writer), commit = c, version = result.Version, attempts = result.Attempts }));
            }
        }));

        var root = new RootCommand("Delta table tool") { show, cat, vacuum, demo };
        return await root.Parse(args).InvokeAsync();
    }

    private static async Task<int> Guard(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (Exception e) when (e is DeltaUnsupportedException or DeltaProtocolException or DirectoryNotFoundException or FileNotFoundException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"jobs-delta: refused: {e.Message}");
            return 3;
        }
    }
}
