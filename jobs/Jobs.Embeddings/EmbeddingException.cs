namespace Jobs.Embeddings;

/// <summary>
/// An embedding call failed; <see cref="ErrorClass"/> names the cause in a few stable words (the <c>error_class</c>
/// of a dead letter): <c>invalid_response</c>, <c>http_400</c>, <c>http_503</c>, <c>timeout</c>, <c>connection</c>...
/// </summary>
public class EmbeddingException(string errorClass, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorClass { get; } = errorClass;
}

/// <summary>The endpoint answered, but not with one finite, non-zero vector of the model's dimension per input, in order.</summary>
public sealed class InvalidEmbeddingResponseException(string message, Exception? inner = null) : EmbeddingException("invalid_response", message, inner);

/// <summary>The endpoint answered with an error status after the retries (or one that is never retried).</summary>
public sealed class EmbeddingHttpException(int status, string message) : EmbeddingException($"http_{status}", message)
{
    public int Status { get; } = status;

    /// <summary>Credentials, endpoint or model name are wrong: every call would fail the same way.</summary>
    public bool IsConfiguration => Status is 401 or 403 or 404;
}
