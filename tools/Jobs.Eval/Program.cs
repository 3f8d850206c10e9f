using Jobs.Eval;

return args is ["themes", .. var rest] ? await ThemeEvalCommand.RunAsync(rest) : await EvalCommand.RunAsync(args);
