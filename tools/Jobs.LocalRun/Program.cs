using Jobs.LocalRun;

return await LocalRunCommand.RunAsync(args);
