using System.Text.Json.Nodes;

namespace Jobs.Lake;

/// <summary>Provenance written as the commitInfo action (free-form per the protocol; keys follow Spark's).</summary>
public sealed record CommitInfo(long Timestamp, string Operation, IReadOnlyDictionary<string, string> OperationParameters,
    bool IsBlindAppend, string TxnId)
{
    public const string EngineInfo = "Jobs.Lake/1.0";

    public JsonObject ToJson()
    {
        var parameters = new JsonObject();
        foreach (var (k, v) in OperationParameters) parameters[k] = v;
        return new JsonObject
        {
            ["timestamp"] = Timestamp,
            ["operation"] = Operation,
            ["operationParameters"] = parameters,
            ["isBlindAppend"] = IsBlindAppend,
            ["engineInfo"] = EngineInfo,
            ["txnId"] = TxnId,
        };
    }
}
