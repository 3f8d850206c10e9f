using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using Jobs.Contracts;

namespace Jobs.Hosting;

/// <summary>
/// One settable property of an options class: its configuration key (<c>Section:Property</c>), its environment
/// variable, and its command-line flag. Options classes are the single declaration of a stage's settings.
/// </summary>
internal sealed class OptionBinding
{
    private OptionBinding(string? section, PropertyInfo property, object defaults)
    {
        Section = section;
        Property = property;
        Key = section is null ? property.Name : $"{section}:{property.Name}";
        var cli = property.GetCustomAttribute<CliOptionAttribute>();
        Flag = cli?.Name ?? "--" + Kebab(property.Name);
        IsSecret = property.GetCustomAttribute<SecretAttribute>() is not null;
        var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? property.Name;
        var fallback = property.GetValue(defaults);
        var env = $"JOBS_{Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()}";
        description = fallback is null or false or Array { Length: 0 } || IsSecret
            ? $"{description} [{env}]"
            : $"{description} (default {Format(fallback)}) [{env}]";
        Option = IsList ? new Option<string[]>(Flag, [.. cli?.Aliases ?? []]) { Description = description, AllowMultipleArgumentsPerToken = false }
            : Type == typeof(bool) ? new Option<bool>(Flag, [.. cli?.Aliases ?? []]) { Description = description }
            : new Option<string>(Flag, [.. cli?.Aliases ?? []]) { Description = description, HelpName = Kebab(property.Name) };
    }

    public string? Section { get; }
    public PropertyInfo Property { get; }
    public string Key { get; }
    public string Flag { get; }
    public bool IsSecret { get; }
    public Option Option { get; }
    public Type Type => Property.PropertyType;
    public bool IsList => Type.IsArray || (Type.IsGenericType && Type.GetGenericTypeDefinition() == typeof(List<>));

    public static IEnumerable<OptionBinding> For(string? section, Type type)
    {
        var defaults = Activator.CreateInstance(type)!;
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => new OptionBinding(section, p, defaults));
    }

    /// <summary>The configuration entries of an explicit command-line value (a list becomes Key:0, Key:1...).</summary>
    public IEnumerable<KeyValuePair<string, string?>> CommandLineEntries(ParseResult parse)
    {
        if (parse.GetResult(Option) is not { Implicit: false }) yield break;
        switch (Option)
        {
            case Option<string[]> list:
                var values = parse.GetValue(list) ?? [];
                for (var i = 0; i < values.Length; i++) yield return new($"{Key}:{i}", values[i]);
                break;
            case Option<bool> flag:
                yield return new(Key, parse.GetValue(flag) ? "true" : "false");
                break;
            case Option<string> text:
                yield return new(Key, parse.GetValue(text));
                break;
        }
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        string s => s,
        System.Collections.IEnumerable items => string.Join(", ", items.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Kebab(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
