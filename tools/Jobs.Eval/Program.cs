using Jobs.Eval;

return await EvalCommand.RunAsync(args);
