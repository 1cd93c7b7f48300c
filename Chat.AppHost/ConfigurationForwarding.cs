using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>Passes a section of the AppHost's configuration on to a project as environment variables.</summary>
internal static class ConfigurationForwarding
{
    /// <summary>
    /// Every value under <paramref name="section"/> becomes <c>Section__Key</c> on the resource, so a
    /// setting given to the AppHost (command line, appsettings, environment) applies to each replica.
    /// </summary>
    public static IResourceBuilder<T> WithConfigurationSection<T>(this IResourceBuilder<T> resource, IConfiguration configuration, string section)
        where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
        {
            if (value is not null)
            {
                resource.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }

        return resource;
    }
}
