using System.ComponentModel;

namespace Jobs.Load;

/// <summary>What a load run does besides loading its date chunk (section <c>Load</c>, env <c>JOBS_LOAD__*</c>).</summary>
public sealed class LoadOptions
{
    public const string Section = "Load";

    [Description("Instead of loading, make this model (loaded side by side with --model beforehand, for every date chunk) the served one, in one transaction")]
    public string? SwitchModel { get; set; }
}
