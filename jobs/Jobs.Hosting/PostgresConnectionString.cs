using System.Data.Common;

namespace Jobs.Hosting;

/// <summary>
/// The --pg / JOBS_PG value: an Npgsql keyword string ("Host=...;Database=...") or a PostgreSQL URI
/// ("postgresql://user:password@host:5432/db?sslmode=require"), the form CloudNativePG, Heroku and most hosted
/// services hand out. URIs become keyword strings here, so everything downstream sees one form.
/// </summary>
public static class PostgresConnectionString
{
    private static readonly Dictionary<string, string> SslModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["disable"] = "Disable", ["allow"] = "Allow", ["prefer"] = "Prefer", ["require"] = "Require",
        ["verify-ca"] = "VerifyCA", ["verify-full"] = "VerifyFull",
    };

    public static string Normalize(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return value;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new JobConfigurationException("the PostgreSQL URI is malformed (expected postgresql://user:password@host:port/database)");
        var b = new DbConnectionStringBuilder { ["Host"] = uri.Host, ["Port"] = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) b["Database"] = database;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b["Username"] = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b["Password"] = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            if (key == "sslmode" && SslModes.TryGetValue(val, out var mode)) b["SSL Mode"] = mode;
            else if (key == "application_name") b["Application Name"] = val;
            else if (key == "connect_timeout") b["Timeout"] = val;
            else throw new JobConfigurationException($"the PostgreSQL URI has an unsupported parameter '{key}'");
        }
        return b.ConnectionString;
    }
}
