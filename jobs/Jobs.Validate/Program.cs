using Jobs.Hosting;
using Jobs.Validate;

return await JobRunner.RunAsync(new ValidateStage(), args);
