namespace Jobs.Lake;

/// <summary>The table's log is malformed: it cannot be read as a Delta table at all.</summary>
public sealed class DeltaProtocolException(string message) : Exception(message);

/// <summary>A valid Delta table that uses a protocol version or feature this library does not implement.</summary>
public sealed class DeltaUnsupportedException(string message) : Exception(message);

/// <summary>Concurrent writers kept winning the commit race; the caller may retry the whole job later.</summary>
public sealed class DeltaConflictException(string message) : Exception(message);
