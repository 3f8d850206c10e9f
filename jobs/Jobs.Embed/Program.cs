using Jobs.Embed;
using Jobs.Hosting;

return await JobRunner.RunAsync(new EmbedStage(), args);
