using Jobs.Theme.Bench;

return await ThemeMemoryBenchmark.RunAsync(args);
