using Jobs.Embeddings;

// `make images`: writes the bundled model as plain files for the images (JOBS_MODEL__DIR), so no image carries the
// 90 MB resource DLL. Usage: jobs-model-export DIR [--vocab-only]   (chunk only tokenizes: it gets vocab.txt alone)
if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != "--vocab-only"))
{
    await Console.Error.WriteLineAsync("usage: jobs-model-export DIR [--vocab-only]");
    return 2;
}
var files = EmbeddingModelFiles.Locate(modelDir: null);
files.Export(args[0], includeModel: args.Length == 1);
await Console.Error.WriteLineAsync($"exported {(args.Length == 1 ? "model.onnx + vocab.txt" : "vocab.txt")} from {files.Origin} to {args[0]}");
return 0;
