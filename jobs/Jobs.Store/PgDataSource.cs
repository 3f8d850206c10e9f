using Npgsql;

namespace Jobs.Store;

/// <summary>Builds the Npgsql data source with the pgvector type mapping.</summary>
public static class PgDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return builder.Build();
    }
}
