namespace Jobs.Ingest;

public enum SourceFormat
{
    Auto,
    Csv,
    Jsonl,
    Parquet,
}
