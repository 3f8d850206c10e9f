using Jobs.Hosting;
using Jobs.Load;

return await JobRunner.RunAsync(new LoadStage(), args);
