using Jobs.Hosting;
using Jobs.Search;

return await JobRunner.RunAsync(new SearchStage(), args);
