using Jobs.DeltaTool;

return await DeltaToolCommand.RunAsync(args);
