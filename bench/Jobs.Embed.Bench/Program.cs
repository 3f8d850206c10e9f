using Jobs.Embed.Bench;

return await EmbedBenchmark.RunAsync(args);
