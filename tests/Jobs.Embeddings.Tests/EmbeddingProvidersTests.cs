using Jobs.Embeddings;
using Xunit;

namespace Jobs.Embeddings.Tests;

public sealed class EmbeddingProvidersTests
{
    [Theory]
    [InlineData("openai", "http://vllm:8000", "http://vllm:8000/v1/")]
    [InlineData("openai", "https://api.openai.com/v1", "https://api.openai.com/v1/")]
    [InlineData("openai", "https://gateway.example/openai/v1/", "https://gateway.example/openai/v1/")]
    [InlineData("tei", "http://tei:8080", "http://tei:8080/")]
    [InlineData("ollama", "http://ollama:11434/", "http://ollama:11434/")]
    public void BaseUri_Endpoint_IsABaseForTheApiPath(string provider, string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), EmbeddingProviders.BaseUri(endpoint, provider));

    [Fact]
    public void Redacted_UserInfoAndQuery_NeverLogged()
    {
        var shown = EmbeddingProviders.Redacted(new Uri("https://user:s3cret@gateway.example/v1/?api-key=abc"));
        Assert.DoesNotContain("s3cret", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", shown, StringComparison.Ordinal);
        Assert.StartsWith("https://gateway.example/v1/", shown, StringComparison.Ordinal);
    }
}
