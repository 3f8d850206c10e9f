using Jobs.Store.Bench;

return await StoreBench.RunAsync(args);
