namespace Jobs.Contracts;

/// <summary>Names the command-line flag of an options property (default: the property name in kebab case).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class CliOptionAttribute(string name, params string[] aliases) : Attribute
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Aliases { get; } = aliases;
}

/// <summary>A secret (connection string, key): never printed by --print-config and never logged.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;
