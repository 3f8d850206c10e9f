using System.Globalization;

namespace Jobs.Store.Bench;

/// <summary>
/// STORE_BENCH_ARGS: <c>--rows N</c> rows for the write paths (default 20,000), <c>--rounds N</c> interleaved rounds
/// (3), <c>--insert-batch N</c> rows per INSERT statement (500), <c>--index-rows N</c> vectors for the HNSW build and
/// search (100,000; 0 skips it), <c>--queries N</c> (200), <c>--no-write</c> (index only, for the 1M run).
/// </summary>
internal sealed record BenchOptions(int Rows, int Rounds, int InsertBatch, int IndexRows, int Queries, bool Write)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(20_000, 3, 500, 100_000, 200, true);
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                ? n : throw new ArgumentException($"{args[i]} needs a whole number");
            o = args[i] switch
            {
                "--rows" => o with { Rows = Next() },
                "--rounds" => o with { Rounds = Math.Max(1, Next()) },
                "--insert-batch" => o with { InsertBatch = Math.Max(1, Next()) },
                "--index-rows" => o with { IndexRows = Next() },
                "--queries" => o with { Queries = Math.Max(1, Next()) },
                "--no-write" => o with { Write = false },
                _ => throw new ArgumentException($"unknown argument '{args[i]}' (--rows, --rounds, --insert-batch, --index-rows, --queries, --no-write)"),
            };
        }
        return o;
    }
}
