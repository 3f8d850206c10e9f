using Jobs.Chunk;
using Jobs.Hosting;

return await JobRunner.RunAsync(new ChunkStage(), args);
