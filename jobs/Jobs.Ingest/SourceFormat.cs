namespace Jobs.Ingest;

public enum SourceFormat
{
    Auto,
    Csv,
    Jsonl,
    Parquet,
    /// <summary>An existing Delta table (a folder or az://…), read through Jobs.Lake's reader.</summary>
    Delta,
    /// <summary>A PostgreSQL query over the chunk's half-open range (@start, @end).</summary>
    Postgres,
}
