using Jobs.Serve;

return await ServeApp.RunAsync(args);
