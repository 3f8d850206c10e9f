using Jobs.Lake.Bench;

return await LakeBenchmarks.RunAsync(args);
