namespace Jobs.Hosting;

/// <summary>
/// A stage's options class and the configuration section it binds from: properties become keys
/// (<c>Section:Property</c>, env <c>JOBS_SECTION__PROPERTY</c>) and command-line flags (<c>--property-name</c>).
/// </summary>
public sealed record OptionsSection(string Name, Type Type)
{
    public static OptionsSection Of<T>(string name) where T : class, new() => new(name, typeof(T));
}
