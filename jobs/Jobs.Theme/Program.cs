using Jobs.Hosting;
using Jobs.Theme;

return await JobRunner.RunAsync(new ThemeStage(), args);
