using Jobs.Hosting;
using Jobs.Ingest;

return await JobRunner.RunAsync(new IngestStage(), args);
