using Jobs.Serve.Bench;

return await ServeLoadTest.RunAsync(args);
