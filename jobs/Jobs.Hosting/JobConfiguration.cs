using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Jobs.Hosting;

/// <summary>
/// A stage's settings, the .NET way: its options classes bound, in increasing precedence, from an optional settings
/// file (<c>--config</c>, JSON or YAML), <c>JOBS_</c> environment variables (<c>__</c> for nesting) and the command
/// line, then checked all at once so that every problem is reported, not just the first.
/// </summary>
internal sealed class JobConfiguration
{
    public const string EnvironmentPrefix = "JOBS_";

    private readonly List<OptionBinding> _bindings = [];

    public JobConfiguration(Stage stage)
    {
        Sections = [new OptionsSection("", typeof(JobOptions)), .. stage.Sections];
        foreach (var section in Sections)
            _bindings.AddRange(OptionBinding.For(section.Name.Length == 0 ? null : section.Name, section.Type));
        var duplicate = _bindings.GroupBy(b => b.Flag).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"{stage.Name}: two settings use the flag {duplicate.Key}");
        Command = new RootCommand($"{stage.Name}: {stage.Description}");
        foreach (var option in _bindings.Select(b => b.Option).Concat([ConfigFile, ValidateArgs, PrintConfig])) Command.Options.Add(option);
    }

    public Option<string> ConfigFile { get; } = new("--config") { Description = "Settings file (JSON or YAML); the environment and the command line override it" };
    public Option<bool> ValidateArgs { get; } = new("--validate-args") { Description = "Check arguments, configuration, model and sources, then exit without doing any work" };
    public Option<bool> PrintConfig { get; } = new("--print-config") { Description = "Print the effective configuration (secrets redacted) as JSON, then exit" };
    public RootCommand Command { get; }
    public IReadOnlyList<OptionsSection> Sections { get; }

    /// <summary>The merged configuration: file &lt; environment &lt; command line.</summary>
    public IConfiguration Build(ParseResult parse, IReadOnlyDictionary<string, string> environment)
    {
        var builder = new ConfigurationBuilder();
        if (parse.GetValue(ConfigFile) is { Length: > 0 } file)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path)) throw new JobConfigurationException($"--config {file} does not exist");
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".yaml" or ".yml") builder.AddYamlFile(path, optional: false);
            else if (extension == ".json") builder.AddJsonFile(path, optional: false);
            else throw new JobConfigurationException($"--config {file}: expected a .json, .yaml or .yml file");
        }
        // What EnvironmentVariablesConfigurationProvider does with a prefix, over the runner's environment seam.
        builder.AddInMemoryCollection(environment
            .Where(kv => kv.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && kv.Key.Length > EnvironmentPrefix.Length)
            .Select(kv => new KeyValuePair<string, string?>(kv.Key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), kv.Value)));
        builder.AddInMemoryCollection(_bindings.SelectMany(b => b.CommandLineEntries(parse)));
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new JobConfigurationException($"--config {parse.GetValue(ConfigFile)} cannot be read: {e.Message}");
        }
    }

    /// <summary>Binds every options class; conversion problems and data-annotation failures are added to <paramref name="problems"/>.</summary>
    public Dictionary<Type, object> Bind(IConfiguration configuration, ParseResult parse, List<string> problems)
    {
        var instances = Sections.ToDictionary(s => s.Type, s => Activator.CreateInstance(s.Type)!);
        foreach (var binding in _bindings)
        {
            var target = instances[binding.Property.DeclaringType!];
            var section = configuration.GetSection(binding.Key);
            if (!section.Exists()) continue;
            try
            {
                // A list given on the command line replaces the list of the lower layers instead of merging by index.
                var value = binding.IsList && parse.GetResult(binding.Option) is { Implicit: false }
                    ? new ConfigurationBuilder().AddInMemoryCollection(binding.CommandLineEntries(parse)).Build().GetSection(binding.Key).Get(binding.Type)
                    : binding.IsList ? section.Get(binding.Type) : configuration.GetValue(binding.Type, binding.Key);
                binding.Property.SetValue(target, value);
            }
            catch (InvalidOperationException)
            {
                problems.Add($"{binding.Flag} ({binding.Key}) '{section.Value}' is not {Describe(binding.Type)}");
            }
        }
        // A misspelt key in a section this stage binds (JOBS_CHUNK__MAXTOKEN) would otherwise be ignored in silence.
        // Root keys and other stages' sections are left alone: one ConfigMap serves every stage.
        foreach (var section in Sections.Where(s => s.Name.Length > 0))
            foreach (var child in configuration.GetSection(section.Name).GetChildren())
                if (!_bindings.Any(b => b.Section == section.Name && string.Equals(b.Property.Name, child.Key, StringComparison.OrdinalIgnoreCase)))
                    problems.Add($"unknown setting {section.Name}:{child.Key} (env {EnvironmentPrefix}{section.Name.ToUpperInvariant()}__{child.Key.ToUpperInvariant()}); " +
                                 $"{section.Name} has {string.Join(", ", _bindings.Where(b => b.Section == section.Name).Select(b => b.Property.Name))}");
        foreach (var (type, instance) in instances)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
            foreach (var r in results) problems.Add(Describe(r, type, instance));
        }
        return instances;
    }

    /// <summary>The effective configuration as JSON, secrets redacted.</summary>
    public string Print(IReadOnlyDictionary<Type, object> instances)
    {
        var root = new JsonObject();
        foreach (var binding in _bindings)
        {
            var value = binding.Property.GetValue(instances[binding.Property.DeclaringType!]);
            var plain = value is Enum ? value.ToString()!.ToLowerInvariant() : value;
            var node = binding.IsSecret
                ? value is null or "" ? null : JsonValue.Create("***")
                : JsonSerializer.SerializeToNode(plain, plain?.GetType() ?? typeof(object));
            var parent = root;
            if (binding.Section is { } name)
            {
                if (root[name] is not JsonObject child) root[name] = child = new JsonObject();
                parent = child;
            }
            parent[binding.Property.Name] = node;
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private string Describe(ValidationResult result, Type type, object instance)
    {
        var member = result.MemberNames.FirstOrDefault();
        var binding = _bindings.FirstOrDefault(b => b.Property.DeclaringType == type && b.Property.Name == member);
        if (binding is null) return result.ErrorMessage ?? "invalid settings";
        var value = binding.IsSecret ? "***" : OptionBinding.Format(binding.Property.GetValue(instance));
        var message = result.ErrorMessage ?? "is invalid";
        return message.StartsWith("must", StringComparison.Ordinal) || message.StartsWith("is ", StringComparison.Ordinal)
            ? $"{binding.Flag} {Quote(value)} {message}"
            : $"{binding.Flag} ({binding.Key}): {message}";
    }

    private static string Quote(string value) => value.Length == 0 ? "''" : value.Contains(' ', StringComparison.Ordinal) ? $"'{value}'" : value;

    private static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) ? "a whole number"
            : t == typeof(double) || t == typeof(float) ? "a number"
            : t == typeof(bool) ? "true or false"
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()))
            : $"a valid {t.Name}";
    }
}
