using Jobs.Ingest.Bench;

return args is ["child", .. var rest] ? await StageChild.RunAsync(rest) : await IngestBench.RunAsync(args);
