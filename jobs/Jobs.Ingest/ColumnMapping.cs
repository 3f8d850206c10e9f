namespace Jobs.Ingest;

/// <summary>Which source fields hold the document's id, timestamp, text, and optional category and title.</summary>
public sealed record ColumnMapping(string Id = "id", string Timestamp = "timestamp", string Text = "text", string? Category = "category", string? Title = "title");
