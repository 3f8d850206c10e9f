namespace Jobs.Quality;

/// <summary>Where in the pipeline a check looks: after ingest, chunk, embed or load of the date chunk.</summary>
public enum CheckPoint
{
    Ingest,
    Chunk,
    Embed,
    Load,
}
